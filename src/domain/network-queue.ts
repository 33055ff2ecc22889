/**
 * The turn rule of the per-network queue: one run at a time builds or tears down on a VNet or a VCN,
 * first come, first served on each. A run needs the turn of every network it works on (its VNet and
 * its VCN) and takes them all at once or none, so it never holds one while waiting for another.
 *
 * Why this cannot deadlock: a waiting run only ever waits for a holder (which waits for nothing) or
 * for a waiting run that joined earlier (a smaller `seq`, one number for all of a run's networks).
 * Every chain of waits therefore goes back in time and ends at a holder or at the earliest waiting
 * run, which is first on all its networks and gets its turn as soon as their holders are done.
 */
import { interconnectNetworks, type NetworksOfSpec } from "./networks";

/** One run's place on one network: holding the turn, or waiting for it. */
export interface TurnEntry {
  /** The network's key (kind and id, see networkKeyOf). */
  network: string;
  /** The interconnect whose run it is; an interconnect runs one operation at a time. */
  owner: string;
  operation: string;
  /** The orchestration instance running that operation now: wake-ups go to it, its end frees the place. */
  instanceId: string;
  /** Order of arrival, the same for all of a run's networks; smaller is earlier. */
  seq: number;
  holds: boolean;
  /** When it joined the queue (waiting) or took the turn (holding), ISO. */
  since: string;
}

export type Turn = { granted: true } | { granted: false; behind: TurnEntry };

/**
 * Whether `owner` may take the turn on all of `networks` now, given every entry on them; if not, the
 * one it waits behind: a holder first (the run actually at work), else the earliest run ahead of it.
 * An owner with no entry on a network counts as last in line there.
 */
export function turnOf(owner: string, networks: readonly string[], entries: readonly TurnEntry[]): Turn {
  const others = entries.filter((e) => e.owner !== owner && networks.includes(e.network));
  const holder = networks.map((n) => others.find((e) => e.network === n && e.holds)).find((e) => e !== undefined);
  if (holder) return { granted: false, behind: holder };
  const mine = entries.filter((e) => e.owner === owner && networks.includes(e.network));
  const mySeq = (network: string): number => mine.find((e) => e.network === network)?.seq ?? Number.POSITIVE_INFINITY;
  const ahead = others
    .filter((e) => !e.holds && e.seq < mySeq(e.network))
    .sort((a, b) => a.seq - b.seq || a.owner.localeCompare(b.owner))[0];
  return ahead ? { granted: false, behind: ahead } : { granted: true };
}

/** Who is next on each network once its holder is gone: the earliest waiting run there (it may still wait for another network). */
export function nextInLine(networks: readonly string[], entries: readonly TurnEntry[]): TurnEntry[] {
  const next: TurnEntry[] = [];
  for (const network of networks) {
    if (entries.some((e) => e.network === network && e.holds)) continue;
    const first = entries
      .filter((e) => e.network === network && !e.holds)
      .sort((a, b) => a.seq - b.seq || a.owner.localeCompare(b.owner))[0];
    if (first && !next.some((e) => e.instanceId === first.instanceId)) next.push(first);
  }
  return next;
}

/** The custom status line of a queued run. */
export function queuedMessage(behind: Pick<TurnEntry, "owner" | "operation">, since: string): string {
  return `queued behind ${behind.owner} (${behind.operation}) since ${since}`;
}

/** The networks a run queues on, as queue keys, in the one fixed order (VNet, then VCN). */
export function turnNetworks(spec: NetworksOfSpec): string[] {
  return interconnectNetworks(spec).map(networkKeyOf);
}

/** A network as a queue key: "virtualNetwork|<ARM id, lowercased>" or "vcn|<OCID>". */
export function networkKeyOf(network: { kind: string; id: string }): string {
  return `${network.kind}|${network.id}`;
}
