import { randomBytes } from "node:crypto";
import type { VirtualClock } from "../../clock/virtual-clock";
import type { FaultInjector } from "../shared/faults";
import type { ProviderLink } from "../shared/provider-link";
import { regionKey } from "./catalog";
import { notFound } from "./errors";
import { TENANCY_ID, type OciDurations, type OciState } from "./model";
import type { StateStore } from "./store";

/** Everything an operation of the emulated region needs: state, time, the other cloud, the faults. */
export class OciContext {
  /** Set while lifecycles advance: the provider link may call back into this region synchronously. */
  advancing = false;

  constructor(
    readonly store: StateStore,
    readonly clock: VirtualClock,
    readonly durations: OciDurations,
    readonly region: string,
    readonly link: ProviderLink,
    readonly faults: FaultInjector,
  ) {}

  get state(): OciState {
    return this.store.state;
  }

  now(): number {
    return this.clock.now();
  }

  nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /** An OCID in OCI's shape: ocid1.<type>.oc1.<region key>.<unique>. */
  newId(resourceType: string): string {
    const unique = randomBytes(30)
      .toString("base64url")
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "a")
      .slice(0, 52);
    return `ocid1.${resourceType}.oc1.${regionKey(this.region)}.aaaaaaaa${unique}`;
  }

  /** Compartments of the emulated tenancy: the root compartment (the tenancy) and those VCNs live in. */
  knowsCompartment(compartmentId: string): boolean {
    return compartmentId === TENANCY_ID || Object.values(this.state.vcns).some((v) => v.compartmentId === compartmentId);
  }

  /**
   * List operations answer 404 NotAuthorizedOrNotFound for a compartment the user cannot see, as OCI
   * does: to the caller, "does not exist" and "not allowed to look" are the same answer.
   */
  requireCompartment(compartmentId: string): string {
    if (!this.knowsCompartment(compartmentId)) throw notFound("compartment", compartmentId);
    return compartmentId;
  }
}
