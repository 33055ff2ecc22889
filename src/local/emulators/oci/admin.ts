/**
 * /admin/faults on the OCI server (unsigned, like the ARM emulator's /admin): the faults of OCI's API
 * ("oci:<METHOD> <resource>", "*" = every OCI operation) and of Oracle's side of the circuit
 * (providerNeverProvisions, bgpStaysDown). GET shows them, PUT replaces them, PATCH merges.
 */
import type { ApiResponse } from "./api";
import { OciApiError } from "./errors";
import type { FaultConfig, FaultInjector } from "../shared/faults";

export function ociAdmin(faults: FaultInjector, method: string, pathname: string, rawBody: Buffer): ApiResponse | undefined {
  if (pathname.replace(/\/+$/, "") !== "/admin/faults") return undefined;
  if (method === "GET") return { status: 200, body: faults.sideOf("oci") };
  if (method !== "PUT" && method !== "PATCH") throw new OciApiError(405, "MethodNotAllowed", `${method} is not supported on /admin/faults`);
  let body: unknown;
  try {
    body = rawBody.length ? JSON.parse(rawBody.toString("utf8")) : {};
  } catch {
    throw new OciApiError(400, "InvalidParameter", "the body must be a JSON object");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new OciApiError(400, "InvalidParameter", "the body must be a JSON object");
  try {
    faults.setSide("oci", body as FaultConfig, method === "PATCH");
  } catch (e) {
    throw new OciApiError(400, "InvalidParameter", (e as Error).message);
  }
  return { status: 200, body: faults.sideOf("oci") };
}
