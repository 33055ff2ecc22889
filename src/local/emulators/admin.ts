import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import type { VirtualClock } from "../clock/virtual-clock";
import type { RunningArmEmulator, AdminHandler } from "./arm/server";
import type { Reply } from "./arm/network";
import { ArmError } from "./arm/errors";
import type { OciEmulator } from "./oci";
import type { FaultConfig, FaultInjector } from "./shared/faults";
import { seedHandBuilt } from "./hand-built/build";
import { ARM_INCIDENT_KINDS, OCI_INCIDENT_KINDS, armIncidentSchema, ociIncidentSchema } from "./shared/incidents";

/**
 * /admin on the ARM server (loopback only, no token): inspect and steer both emulators (OCI's faults
 * are on the OCI server's own /admin/faults, oci/admin.ts). Every
 * change answers the new state, and clock changes are written to the anchor file so that the local
 * host, which follows the same file, sees the same time.
 */
export interface AdminTargets {
  arm: () => RunningArmEmulator;
  oci: () => OciEmulator;
  clock: VirtualClock;
  faults: FaultInjector;
  clockFile?: string;
}

export function adminHandler(t: AdminTargets): AdminHandler {
  const clockState = (): Reply => ({
    status: 200,
    body: { now: new Date(t.clock.now()).toISOString(), nowMs: t.clock.now(), speed: t.clock.speed },
  });

  return async (method, url, body) => {
    const route = `${method} ${url.pathname.replace(/\/+$/, "")}`;
    switch (route) {
      case "GET /admin/state":
        return {
          status: 200,
          body: { clock: clockState().body, faults: t.faults.current, arm: t.arm().snapshot(), oci: t.oci().snapshot() },
        };
      case "POST /admin/reset":
        t.arm().reset();
        t.oci().reset();
        return { status: 200, body: { reset: true } };
      // ARM's own faults; the OCI emulator's /admin/faults has OCI's (GET /admin/state shows both).
      case "GET /admin/faults":
        return { status: 200, body: t.faults.sideOf("arm") };
      case "PUT /admin/faults":
      case "PATCH /admin/faults": {
        const config = asObject(body ?? {}, "body") as FaultConfig;
        try {
          t.faults.setSide("arm", config, method === "PATCH");
        } catch (e) {
          throw new ArmError(400, "InvalidFaults", (e as Error).message);
        }
        return { status: 200, body: t.faults.sideOf("arm") };
      }
      case "POST /admin/incidents":
        return { status: 200, body: applyIncident(t, body) };
      case "GET /admin/clock":
        return clockState();
      case "POST /admin/clock": {
        const o = asObject(body ?? {}, "body");
        try {
          if (o.speed !== undefined) t.clock.setSpeed(Number(o.speed));
          if (o.advanceMs !== undefined) t.clock.advance(Number(o.advanceMs));
        } catch (e) {
          throw new ArmError(400, "InvalidClockChange", (e as Error).message);
        }
        if (t.clockFile) writeAnchor(t.clockFile, t.clock);
        return clockState();
      }
      case "POST /admin/seed/virtualNetworks": {
        const o = asObject(body, "body");
        const name = requireString(o.name, "name");
        const resourceGroup = typeof o.resourceGroup === "string" ? o.resourceGroup : t.arm().resourceGroup;
        const addressPrefixes = requireStrings(o.addressPrefixes, "addressPrefixes");
        const subnets =
          o.subnets === undefined
            ? []
            : requireArray(o.subnets, "subnets").map((s, i) => {
                const so = asObject(s, `subnets[${i}]`);
                return {
                  name: requireString(so.name, `subnets[${i}].name`),
                  addressPrefix: requireString(so.addressPrefix, `subnets[${i}].addressPrefix`),
                };
              });
        const location = typeof o.location === "string" ? o.location : t.arm().location;
        return { status: 201, body: t.arm().seedVirtualNetwork(resourceGroup, { name, location, addressPrefixes, subnets }) };
      }
      case "POST /admin/seed/vcns": {
        const o = asObject(body, "body");
        try {
          const vcn = t.oci().createVcn({
            displayName: requireString(o.displayName, "displayName"),
            cidrBlocks: requireStrings(o.cidrBlocks, "cidrBlocks"),
            compartmentId: typeof o.compartmentId === "string" ? o.compartmentId : undefined,
          });
          return { status: 201, body: vcn };
        } catch (e) {
          if (e instanceof ArmError) throw e;
          throw new ArmError(400, "InvalidVcn", (e as Error).message);
        }
      }
      case "POST /admin/seed/handBuiltInterconnects":
        return { status: 201, body: seedHandBuilt(t.arm(), t.oci(), body) };
      default:
        return undefined;
    }
  };
}

/** An incident's kind picks the cloud it happens in; the rest of the body is checked by that cloud's schema. */
function applyIncident(t: AdminTargets, body: unknown): unknown {
  const kind = String(asObject(body ?? {}, "body").kind);
  try {
    if (ARM_INCIDENT_KINDS.includes(kind)) return t.arm().applyIncident(parseIncident(armIncidentSchema, body));
    if (OCI_INCIDENT_KINDS.includes(kind)) return t.oci().applyIncident(parseIncident(ociIncidentSchema, body));
  } catch (e) {
    if (e instanceof ArmError) throw e;
    const notFound = (e as { status?: number }).status === 404;
    throw new ArmError(notFound ? 404 : 400, notFound ? "NotFound" : "InvalidIncident", (e as Error).message);
  }
  throw new ArmError(
    400,
    "InvalidIncident",
    `kind must be one of ${[...ARM_INCIDENT_KINDS, ...OCI_INCIDENT_KINDS].join(", ")}; got ${JSON.stringify(kind)}`,
  );
}

function parseIncident<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new ArmError(400, "InvalidIncident", parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
}

function writeAnchor(file: string, clock: VirtualClock): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(clock.getAnchor()));
  renameSync(tmp, file);
}

function asObject(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new ArmError(400, "InvalidRequestFormat", `${field} must be a JSON object`);
  return v as Record<string, unknown>;
}

function requireString(v: unknown, field: string): string {
  if (typeof v !== "string" || !v) throw new ArmError(400, "InvalidRequestFormat", `${field} is required (a non-empty string)`);
  return v;
}

function requireArray(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw new ArmError(400, "InvalidRequestFormat", `${field} must be an array`);
  return v;
}

function requireStrings(v: unknown, field: string): string[] {
  const a = requireArray(v, field);
  if (!a.length) throw new ArmError(400, "InvalidRequestFormat", `${field} needs at least one entry`);
  return a.map((x, i) => requireString(x, `${field}[${i}]`));
}
