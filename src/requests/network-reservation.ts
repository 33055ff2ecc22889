import { ErrorCodes, ValidationError } from "../domain/errors";
import { describeHolder } from "../domain/failed-provisioning";
import { interconnectNetworks } from "../domain/networks";
import type { InterconnectSpec } from "../domain/spec";
import type { NetworkKey } from "../domain/networks";
import { NetworkTakenError, type Held } from "../store";
import type { RequestDeps } from "./deps";

/** Another interconnect's run is in flight on the VNet or VCN: a conflict naming the field and the holder. */
export class NetworkConflictError extends ValidationError {
  override readonly status = 409;
  constructor(taken: NetworkTakenError) {
    const what = taken.network.kind === "vcn" ? "VCN" : "virtual network";
    const holder = taken.holder ? describeHolder(taken.holder, what) : `interconnect ${taken.holderName} (being requested)`;
    super(
      [
        {
          path: taken.network.path,
          message:
            `${what} ${taken.network.id} is in use by ${holder}, whose run is still in flight; ` +
            "one interconnect at a time is built or torn down on a virtual network and a VCN: retry once it is active, failed or deleted",
        },
      ],
      undefined,
      ErrorCodes.CONFLICT,
    );
  }
}

/**
 * Takes the spec's VNet and VCN for this request (see store/reservations.ts NETWORKS): two runs building on one
 * network at once would both create the VNet's one ExpressRoute gateway, or adopt it half-built.
 */
export async function reserveNetworks(deps: RequestDeps, spec: InterconnectSpec, attempt: number): Promise<Held<NetworkKey>> {
  try {
    return await deps.store.networks.reserve(spec.name, attempt, interconnectNetworks(spec));
  } catch (err) {
    if (err instanceof NetworkTakenError) throw new NetworkConflictError(err);
    throw err;
  }
}

/** After a failed request: gives the networks back, unless the interconnect's record (ours or a concurrent request's) now holds them. */
export async function releaseNetworksUnlessRecorded(deps: RequestDeps, held: Held<NetworkKey>): Promise<void> {
  try {
    const record = await deps.store.interconnects.get(held.owner);
    if (record && record.state !== "deleted") return;
    await deps.store.networks.releaseHeld(held);
  } catch (err) {
    // The request's own error matters more; a row left behind is taken over once its holder is not in flight.
    deps.log(`could not release the networks of ${held.owner}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
