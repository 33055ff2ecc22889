import type { Operation } from "./api";
import {
  createDrg,
  createDrgAttachment,
  deleteDrg,
  deleteDrgAttachment,
  getDrg,
  getDrgAttachment,
  listDrgAttachments,
  listDrgs,
} from "./drgs";
import {
  createVirtualCircuit,
  deleteVirtualCircuit,
  getProviderService,
  getProviderServiceKey,
  getVirtualCircuit,
  listBandwidthShapes,
  listProviderServices,
  listVirtualCircuits,
  updateVirtualCircuit,
} from "./fastconnect";
import { createRouteTable, getRouteTable, getVcn, listRouteTables, listVcns, updateRouteTable } from "./network";
import { listDrgRouteRules } from "./drg-route-rules";

/** The Core API (20160918) subset this emulator serves; "*" is one path parameter. */
const ROUTES: { method: string; pattern: string[]; op: Operation }[] = [
  { method: "GET", pattern: ["vcns"], op: listVcns },
  { method: "GET", pattern: ["vcns", "*"], op: getVcn },
  { method: "POST", pattern: ["routeTables"], op: createRouteTable },
  { method: "GET", pattern: ["routeTables"], op: listRouteTables },
  { method: "GET", pattern: ["routeTables", "*"], op: getRouteTable },
  { method: "PUT", pattern: ["routeTables", "*"], op: updateRouteTable },
  { method: "POST", pattern: ["drgs"], op: createDrg },
  { method: "GET", pattern: ["drgs"], op: listDrgs },
  { method: "GET", pattern: ["drgs", "*"], op: getDrg },
  { method: "DELETE", pattern: ["drgs", "*"], op: deleteDrg },
  { method: "POST", pattern: ["drgAttachments"], op: createDrgAttachment },
  { method: "GET", pattern: ["drgAttachments"], op: listDrgAttachments },
  { method: "GET", pattern: ["drgAttachments", "*"], op: getDrgAttachment },
  { method: "DELETE", pattern: ["drgAttachments", "*"], op: deleteDrgAttachment },
  { method: "GET", pattern: ["drgRouteTables", "*", "drgRouteRules"], op: listDrgRouteRules },
  { method: "GET", pattern: ["fastConnectProviderServices"], op: listProviderServices },
  { method: "GET", pattern: ["fastConnectProviderServices", "*"], op: getProviderService },
  { method: "GET", pattern: ["fastConnectProviderServices", "*", "virtualCircuitBandwidthShapes"], op: listBandwidthShapes },
  { method: "GET", pattern: ["fastConnectProviderServices", "*", "providerServiceKeys", "*"], op: getProviderServiceKey },
  { method: "POST", pattern: ["virtualCircuits"], op: createVirtualCircuit },
  { method: "GET", pattern: ["virtualCircuits"], op: listVirtualCircuits },
  { method: "GET", pattern: ["virtualCircuits", "*"], op: getVirtualCircuit },
  { method: "PUT", pattern: ["virtualCircuits", "*"], op: updateVirtualCircuit },
  { method: "DELETE", pattern: ["virtualCircuits", "*"], op: deleteVirtualCircuit },
];

const matches = (pattern: string[], segments: string[]): boolean =>
  pattern.length === segments.length && pattern.every((p, i) => p === "*" || p === segments[i]);

export type RouteMatch = { kind: "found"; op: Operation } | { kind: "method-not-allowed" } | { kind: "not-found" };

export function findRoute(method: string, segments: string[]): RouteMatch {
  const candidates = ROUTES.filter((r) => matches(r.pattern, segments));
  const route = candidates.find((r) => r.method === method);
  if (route) return { kind: "found", op: route.op };
  return candidates.length ? { kind: "method-not-allowed" } : { kind: "not-found" };
}
