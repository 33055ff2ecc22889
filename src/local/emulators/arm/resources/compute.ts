import { ArmError } from "../errors";
import type { ArmNetwork, Reply, Scope } from "../network";
import { key } from "../state";
import { type Ctx, page } from "./common";

/**
 * The little of Microsoft.Compute the end-to-end probe reads (api-version 2026-04-01, what
 * @azure/arm-compute 25 sends): a VM (its location) and its extensions (the Network Watcher agent).
 * VMs are seeded, not created: the service never creates one.
 */
export const COMPUTE = "Microsoft.Compute";
export const COMPUTE_API_VERSION = "2026-04-01";
export const VIRTUAL_MACHINE_TYPE = "Microsoft.Compute/virtualMachines";
export const EXTENSION_TYPE = "Microsoft.Compute/virtualMachines/extensions";

export interface VirtualMachineSeed {
  name: string;
  location: string;
  /** The Network Watcher agent extension, as `az vm extension set` installs it. */
  networkWatcherAgent: boolean;
}

export function virtualMachineId(scope: Scope, name: string): string {
  return `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}/providers/${COMPUTE}/virtualMachines/${name}`;
}

export function virtualMachineById(net: ArmNetwork, id: string): boolean {
  return net.get(id)?.type === VIRTUAL_MACHINE_TYPE;
}

export function seedVirtualMachine(net: ArmNetwork, scope: Scope, seed: VirtualMachineSeed): string {
  const id = virtualMachineId(scope, seed.name);
  net.put({
    id,
    name: seed.name,
    type: VIRTUAL_MACHINE_TYPE,
    location: seed.location,
    etag: "",
    properties: {
      vmId: `00000000-0000-4000-8000-${String(seed.name.length).padStart(12, "0")}`,
      hardwareProfile: { vmSize: "Standard_B1s" },
      provisioningState: "Succeeded",
    },
  });
  if (seed.networkWatcherAgent) {
    net.put({
      id: `${id}/extensions/AzureNetworkWatcherExtension`,
      name: "AzureNetworkWatcherExtension",
      type: EXTENSION_TYPE,
      location: seed.location,
      etag: "",
      properties: {
        publisher: "Microsoft.Azure.NetworkWatcher",
        type: "NetworkWatcherAgentLinux",
        typeHandlerVersion: "1.4",
        autoUpgradeMinorVersion: true,
        provisioningState: "Succeeded",
      },
    });
  }
  return id;
}

function requireVm(ctx: Ctx): string {
  const id = virtualMachineId({ ...ctx.scope, resourceGroup: ctx.net.ensureScope(ctx.scope).resourceGroupName }, ctx.names[0] as string);
  if (!virtualMachineById(ctx.net, id)) {
    throw new ArmError(
      404,
      "ResourceNotFound",
      `The Resource '${VIRTUAL_MACHINE_TYPE}/${ctx.names[0] as string}' under resource group '${ctx.scope.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  }
  return id;
}

/** Compute renders without an etag, as the Compute RP does for VMs and extensions. */
function render(r: { name: string; id: string; type: string; location?: string; properties: Record<string, unknown> }) {
  return { name: r.name, id: r.id, type: r.type, location: r.location, properties: r.properties };
}

export function getVirtualMachine(ctx: Ctx): Reply {
  return { status: 200, body: render(ctx.net.get(requireVm(ctx))!) };
}

export function listExtensions(ctx: Ctx): Reply {
  const vm = requireVm(ctx);
  const prefix = `${key(vm)}/extensions/`;
  // VirtualMachineExtensionsListResult is one page: { value } without nextLink.
  return page(ctx, ctx.net.list((r) => r.type === EXTENSION_TYPE && key(r.id).startsWith(prefix)).map(render));
}

export function getExtension(ctx: Ctx): Reply {
  const vm = requireVm(ctx);
  const r = ctx.net.get(`${vm}/extensions/${ctx.names[1] as string}`);
  if (!r) throw new ArmError(404, "NotFound", `The entity was not found in this Azure location.`);
  return { status: 200, body: render(r) };
}
