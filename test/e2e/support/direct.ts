/**
 * The clouds as someone outside the service sees them: ARM and OCI calls made directly against the
 * emulators (as a user in the portal or the CLI would), for what the service must notice and respect.
 */
import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import * as common from "oci-common";
import * as core from "oci-core";
import type { E2eStack, Json } from "./stack";

const API_VERSION = "2025-05-01";

function armCall(
  stack: E2eStack,
  method: string,
  url: URL,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, string>; json: Json }> {
  const ca = readFileSync(stack.emulators.arm.caCertPath);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        ca,
        headers: {
          authorization: `Bearer ${stack.emulators.arm.token}`,
          ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : { "content-length": 0 }),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, json: text ? JSON.parse(text) : null }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** The private peering's ARP or route table of a circuit on one device path, as `az network express-route list-arp-tables` reads it. */
export async function peeringTable(
  stack: E2eStack,
  circuitId: string,
  table: "arpTables" | "routeTables",
  devicePath: "primary" | "secondary",
): Promise<Json[]> {
  const url = new URL(
    `${circuitId}/peerings/AzurePrivatePeering/${table}/${devicePath}?api-version=${API_VERSION}`,
    stack.emulators.arm.url,
  );
  const started = await armCall(stack, "POST", url);
  if (started.status === 200) return started.json.value as Json[];
  if (started.status !== 202) throw new Error(`POST ${table}: ${started.status} ${JSON.stringify(started.json)}`);
  const until = Date.now() + 30_000;
  for (;;) {
    const polled = await armCall(stack, "GET", new URL(started.headers.location!));
    if (polled.status === 200) return polled.json.value as Json[];
    if (Date.now() > until) throw new Error(`${table} of ${circuitId} never finished: ${polled.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An OCI client signed as the service's user: for what a person changes by hand in the console. */
export function ociClient(stack: E2eStack): core.VirtualNetworkClient {
  const oci = stack.emulators.oci;
  const auth = new common.SimpleAuthenticationDetailsProvider(
    oci.tenancyId,
    oci.userId,
    oci.fingerprint,
    readFileSync(oci.privateKeyPath, "utf8"),
    null,
    common.Region.US_ASHBURN_1,
  );
  const client = new core.VirtualNetworkClient(
    { authenticationDetailsProvider: auth },
    { retryConfiguration: common.NoRetryConfigurationDetails },
  );
  client.endpoint = oci.url;
  return client;
}

/** Changes the route table's rules by hand as a person would: GET, edit, PUT with if-match. */
async function editRouteRulesByHand(
  stack: E2eStack,
  routeTableId: string,
  edit: (rules: core.models.RouteRule[]) => core.models.RouteRule[],
): Promise<void> {
  const client = ociClient(stack);
  try {
    const { routeTable, etag } = await client.getRouteTable({ rtId: routeTableId });
    await client.updateRouteTable({
      rtId: routeTableId,
      ifMatch: etag,
      updateRouteTableDetails: { routeRules: edit(routeTable.routeRules ?? []) },
    });
  } finally {
    client.close();
  }
}

/**
 * Creates a route table by hand in the VCN (as for a subnet of its own) with one rule `destination` →
 * `drgId`, as someone routing another subnet's traffic through the DRG would. Returns its OCID.
 */
export async function createRouteTableByHand(
  stack: E2eStack,
  vcnId: string,
  displayName: string,
  destination: string,
  drgId: string,
): Promise<string> {
  const client = ociClient(stack);
  try {
    const vcn = (await client.getVcn({ vcnId })).vcn;
    const { routeTable } = await client.createRouteTable({
      createRouteTableDetails: {
        compartmentId: vcn.compartmentId,
        vcnId,
        displayName,
        routeRules: [
          {
            destination,
            destinationType: core.models.RouteRule.DestinationType.CidrBlock,
            networkEntityId: drgId,
            description: "added by hand",
          },
        ],
      },
    });
    return routeTable.id;
  } finally {
    client.close();
  }
}

/** Adds a route rule by hand, as someone routing another prefix to the DRG would. */
export async function addRouteRuleByHand(stack: E2eStack, routeTableId: string, destination: string, drgId: string): Promise<void> {
  await editRouteRulesByHand(stack, routeTableId, (rules) => [
    ...rules,
    { destination, destinationType: core.models.RouteRule.DestinationType.CidrBlock, networkEntityId: drgId, description: "added by hand" },
  ]);
}

/** Removes by hand the rules for `destination`. */
export async function removeRouteRuleByHand(stack: E2eStack, routeTableId: string, destination: string): Promise<void> {
  await editRouteRulesByHand(stack, routeTableId, (rules) => rules.filter((r) => r.destination !== destination));
}
