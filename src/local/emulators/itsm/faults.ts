/**
 * Faults of an ITSM emulator, set through its /admin/faults: the ways a ticketing system fails a caller
 * that must never let it slow or fail the cloud work.
 */
export interface ItsmFaults {
  /** Every API request has its connection destroyed without an answer, as an instance that is down. */
  down?: boolean;
  /** Real milliseconds of delay before every API answer. */
  latencyMs?: number;
  /** The next n API requests answer this 5xx status (default 503). */
  errors?: { count: number; status?: number };
  /** The next n API requests answer 429 with Retry-After (seconds). */
  throttle?: { count: number; retryAfterSeconds?: number };
  /** The next n writes are applied, then the connection is destroyed: the caller cannot know it landed. */
  ambiguousWrites?: number;
}

export type FaultVerdict = { kind: "none" } | { kind: "drop" } | { kind: "status"; status: number; retryAfterSeconds?: number };

export class ItsmFaultState {
  private faults: ItsmFaults = {};

  get current(): ItsmFaults {
    return structuredClone(this.faults);
  }

  set(faults: ItsmFaults): void {
    this.faults = validate(faults);
  }

  update(faults: ItsmFaults): void {
    this.faults = validate({ ...this.faults, ...faults });
  }

  async before(): Promise<FaultVerdict> {
    const f = this.faults;
    if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
    if (f.down) return { kind: "drop" };
    if (f.errors && f.errors.count > 0) {
      f.errors.count -= 1;
      return { kind: "status", status: f.errors.status ?? 503 };
    }
    if (f.throttle && f.throttle.count > 0) {
      f.throttle.count -= 1;
      return { kind: "status", status: 429, retryAfterSeconds: f.throttle.retryAfterSeconds ?? 1 };
    }
    return { kind: "none" };
  }

  /** After a write was applied: whether to drop the answer. */
  dropAfterWrite(): boolean {
    if (!this.faults.ambiguousWrites) return false;
    this.faults.ambiguousWrites -= 1;
    return true;
  }
}

function validate(f: ItsmFaults): ItsmFaults {
  const out: ItsmFaults = {};
  if (f.down !== undefined) out.down = f.down === true;
  if (f.latencyMs !== undefined) out.latencyMs = count(f.latencyMs, "latencyMs");
  if (f.errors) {
    const status = f.errors.status ?? 503;
    if (!Number.isInteger(status) || status < 500 || status > 599) throw new Error("errors.status must be a 5xx status");
    out.errors = { count: count(f.errors.count, "errors.count"), status };
  }
  if (f.throttle)
    out.throttle = {
      count: count(f.throttle.count, "throttle.count"),
      retryAfterSeconds: count(f.throttle.retryAfterSeconds ?? 1, "throttle.retryAfterSeconds"),
    };
  if (f.ambiguousWrites !== undefined) out.ambiguousWrites = count(f.ambiguousWrites, "ambiguousWrites");
  return out;
}

function count(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number >= 0`);
  return value;
}
