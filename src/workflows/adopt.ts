import type { OrchestrationContext } from "durable-functions";
import { permanent } from "../contracts";
import { adoptedSpecInput, adoptionProblems, type AdoptionFacts, type AdoptionProblem, type AdoptionRequest } from "../domain/adoption";
import { bgpSession } from "../domain/bgp-plan";
import type { PeeringLocationCatalog } from "../domain/catalog";
import { DomainError } from "../domain/errors";
import { parseCidr } from "../domain/ipv4";
import { parseInterconnectSpec } from "../domain/spec";
import type { InterconnectResources } from "../domain/resources";
import { summarize, workflowFailed, WorkflowStepError } from "./failure";
import { startHealthWatch } from "./health-watch";
import { readTiming } from "./input";
import type { WorkflowTiming } from "./names";
import { WorkflowRun, type Flow } from "./run";
import { opContextOf } from "./scopes";
import { peeringTableGaps } from "./verify";

export const ADOPT_STEPS = ["locate", "azure-links", "oci-links", "verification", "tags", "record", "activate"] as const;

export interface AdoptInput {
  request: AdoptionRequest & { subscriptionId: string };
  actor: string;
  ticketRef?: string;
  /** The peering-location catalog in force (the request's deps): the workflow reads no settings itself. */
  catalog: PeeringLocationCatalog;
  timing?: WorkflowTiming;
}

export interface AdoptOutput {
  state: "active";
  problems: AdoptionProblem[];
}

/** Tags the service adds to an adopted circuit and virtual circuit (with the interconnect tag). */
export const ADOPTED_TAGS = { "interconnect-managed-by": "azure-oci-interconnect" };

/**
 * Adopt an interconnect built by hand: find the other side by the service key, read everything that
 * links the two, verify the chain as provisioning verifies it, and only then tag it and write the
 * record (active, owning only what the request granted). An inconsistent chain fails the adoption with
 * every problem and what to fix; nothing is written or changed then.
 */
export function* adoptInterconnect(context: OrchestrationContext): Flow<AdoptOutput> {
  const input = context.df.getInput() as AdoptInput;
  const request = input.request;
  const timing = readTiming(input.timing);
  const run = new WorkflowRun(
    context,
    opContextOf(
      { name: request.name, actor: input.actor, ...(input.ticketRef ? { ticketRef: input.ticketRef } : {}) },
      "adopt",
      context.df.instanceId,
    ),
    timing,
    ADOPT_STEPS,
  );
  const oci = { region: request.oci.region, compartmentId: request.oci.compartmentId };
  let tagged = false;
  try {
    const located = yield* run.step("locate", "finding the other side by the service key", function* () {
      const found = yield* run.call("locate", "adoptLocate", {
        subscriptionId: request.subscriptionId,
        oci,
        ...(request.azure.circuitId ? { circuitId: request.azure.circuitId } : {}),
        ...(request.oci.virtualCircuitId ? { virtualCircuitId: request.oci.virtualCircuitId } : {}),
      });
      if (!found.circuit || !found.virtualCircuit) throw refused("locate", found.problem ?? "the pair was not found");
      return { circuit: found.circuit, virtualCircuit: found.virtualCircuit, providerKey: found.providerKey };
    });
    const azure = { subscriptionId: request.subscriptionId, resourceGroup: located.circuit.resourceGroup };
    const links = yield* run.step("azure-links", "the connection, its gateway and VNet", () =>
      run.call("azure-links", "adoptReadAzure", { azure, connectionName: request.azure.connectionName }),
    );
    run.useNames({
      circuit: located.circuit.name,
      connection: request.azure.connectionName,
      ...(links.gateway.name ? { gateway: links.gateway.name } : {}),
    });
    const drgId = located.virtualCircuit.gatewayId;
    const ociLinks = yield* run.step("oci-links", "the DRG, its attachment to the VCN and the route rules", () =>
      run.call("oci-links", "adoptReadOci", { region: oci.region, compartmentId: oci.compartmentId, drgId, vcnId: request.oci.vcnId }),
    );

    const facts = yield* run.step("verification", "the whole chain as provisioning verifies it", function* () {
      const bgpPlan = planOf(located.circuit.peering);
      const [primary, secondary] = yield* run.readPair(
        "verification",
        ["azureReadPeeringTables", { azure, devicePath: "primary" }],
        ["azureReadPeeringTables", { azure, devicePath: "secondary" }],
      );
      const f: AdoptionFacts = {
        circuit: located.circuit,
        virtualCircuit: located.virtualCircuit,
        providerKey: located.providerKey,
        connection: links.connection,
        gateway: links.gateway,
        vnet: links.vnet,
        drg: ociLinks.drg,
        attachment: ociLinks.attachment,
        vcn: ociLinks.vcn,
        routeRules: ociLinks.routeRules,
        peeringGaps: bgpPlan ? peeringTableGaps(bgpPlan, ociLinks.vcn.cidrBlocks ?? [], { primary, secondary }) : [],
      };
      const problems = adoptionProblems(f, oci.region, request.oci.vcnId, input.catalog);
      if (problems.length > 0) {
        yield* run.audit("verification", "failed", `not adopted: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`, {
          problems: problems.map((p) => ({ path: p.path, message: p.message, fix: p.fix })),
        });
        throw refused("verification", problems.map((p) => `${p.path}: ${p.message} (fix: ${p.fix})`).join("; "), "ADOPTION_REFUSED");
      }
      return f;
    });

    let spec;
    try {
      spec = parseInterconnectSpec(adoptedSpecInput(request, facts), { catalog: input.catalog });
    } catch (error) {
      const detail = error instanceof DomainError ? error.message : String(error);
      throw refused("verification", `the interconnect cannot be described as a spec: ${detail}`, "ADOPTION_REFUSED");
    }
    const bgpPlan = planOf(facts.circuit.peering);
    if (!bgpPlan) throw refused("verification", "no BGP plan from the provider's peering", "ADOPTION_REFUSED");

    yield* run.step("tags", "the service's tags on the circuit and the virtual circuit", function* () {
      const tags = { ...request.tags, ...ADOPTED_TAGS };
      yield* run.call("tags", "azureUpdateCircuitTags", { azure, tags, removed: [] });
      yield* run.call("tags", "ociUpdateVirtualCircuitTags", { oci, virtualCircuitId: located.virtualCircuit.id, tags, removed: [] });
      tagged = true;
    });

    const granted = request.grant;
    const resources: InterconnectResources = {
      ...(links.vnet.id ? { virtualNetworkId: links.vnet.id } : {}),
      ...(links.vnet.gatewaySubnetId ? { gatewaySubnetId: links.vnet.gatewaySubnetId } : {}),
      ...(links.gateway.id ? { gatewayId: links.gateway.id } : {}),
      circuitId: located.circuit.id,
      drgId,
      ...(ociLinks.attachment.id ? { drgAttachmentId: ociLinks.attachment.id } : {}),
      virtualCircuitId: located.virtualCircuit.id,
      ...(ociLinks.vcn.routeTableId ? { routeTableId: ociLinks.vcn.routeTableId } : {}),
      routedPrefixes: links.vnet.addressPrefixes ?? [],
      owned: { gatewaySubnet: granted.includes("gateway-subnet"), gateway: granted.includes("gateway"), drg: false, drgAttachment: false },
      names: run.op.names ?? {},
      granted: [...granted],
    };
    yield* run.step("record", "the record: active, owning only what was granted", () =>
      run.call("record", "recordAdopt", {
        name: request.name,
        spec: spec as unknown as Record<string, unknown>,
        bgpPlan: bgpPlan as unknown as Record<string, unknown>,
        resources,
      }),
    );
    yield* run.step("activate", "the health watch", () => startHealthWatch(run, request.name));
    return { state: "active", problems: [] };
  } catch (error) {
    const failure = summarize(error, run.currentStatus().step);
    throw workflowFailed(
      `adoption of ${request.name} failed at ${failure.step}: ${failure.code}: ${failure.message}; ${tagged ? "only the service's tags were added" : "nothing was changed"}`,
    );
  }
}

function planOf(peering: AdoptionFacts["circuit"]["peering"]) {
  const a = parseCidr(peering?.primaryPeerAddressPrefix ?? "");
  const b = parseCidr(peering?.secondaryPeerAddressPrefix ?? "");
  return a && b ? { primary: bgpSession(a), secondary: bgpSession(b) } : undefined;
}

function refused(step: string, message: string, code = "NOT_FOUND"): WorkflowStepError {
  return new WorkflowStepError(step, permanent(code, message));
}
