import { readFileSync } from "node:fs";
import { z } from "zod";
import { DomainError, ErrorCodes } from "./errors";
import defaultRows from "./peering-locations.json";
import { issuesFromZod, requiredOr, strictObject } from "./zod-issues";

/**
 * Which ExpressRoute peering locations serve which OCI region for the Oracle interconnect
 * (interconnect-apis.md §5). Oracle's page spells Amsterdam's location "Amersterdam2"; the
 * catalog uses Azure's spelling "Amsterdam2" because that string goes into the circuit.
 */
const rowSchema = strictObject(
  {
    ociRegion: z
      .string({ error: requiredOr("an OCI region id such as us-ashburn-1") })
      .regex(/^[a-z]{2,}-[a-z]+-\d+$/, "must be an OCI region id such as us-ashburn-1"),
    ociRegionKey: z
      .string({ error: requiredOr("the 3-letter OCI region key such as IAD") })
      .regex(/^[A-Z]{3}$/, "must be the 3-letter OCI region key such as IAD"),
    ociRegionName: z.string({ error: requiredOr("a display name") }).min(1, "must not be empty"),
    peeringLocations: z
      .array(z.string({ error: requiredOr("an ExpressRoute peering location name") }).min(1, "must not be empty"), {
        error: requiredOr("a list of ExpressRoute peering locations"),
      })
      .min(1, "must list at least one ExpressRoute peering location"),
    azureRegion: z
      .string({ error: requiredOr("an Azure region name such as eastus") })
      .regex(/^[a-z][a-z0-9]*$/, "must be a lowercase Azure region name such as eastus"),
  },
  "a catalog row {ociRegion, ociRegionKey, ociRegionName, peeringLocations, azureRegion}",
);

const catalogSchema = z
  .array(rowSchema, { error: requiredOr("a JSON array of catalog rows") })
  .min(1, "must contain at least one row")
  .superRefine((rows, ctx) => {
    const seen = new Set<string>();
    rows.forEach((row, index) => {
      if (seen.has(row.ociRegion))
        ctx.addIssue({
          code: "custom",
          path: [index, "ociRegion"],
          message: `duplicate OCI region ${row.ociRegion}; each region appears once`,
        });
      seen.add(row.ociRegion);
    });
  });

export type PeeringLocationRow = z.infer<typeof rowSchema>;
export type PeeringLocationCatalog = readonly PeeringLocationRow[];

export interface Pairing {
  ociRegion: string;
  ociRegionKey: string;
  peeringLocation: string;
  azureRegion: string;
}

export function parsePeeringLocationCatalog(input: unknown, source = "peering-location catalog"): PeeringLocationCatalog {
  const result = catalogSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = issuesFromZod(result.error);
  throw new DomainError(
    ErrorCodes.CATALOG_INVALID,
    `${source} is not valid: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`,
    {
      status: 500,
      details: issues,
    },
  );
}

export const DEFAULT_PEERING_LOCATION_CATALOG: PeeringLocationCatalog = parsePeeringLocationCatalog(
  defaultRows,
  "built-in peering-locations.json",
);

/** The catalog from PEERING_LOCATIONS_FILE when set, otherwise the built-in one. */
export function loadPeeringLocationCatalog(file?: string): PeeringLocationCatalog {
  if (file === undefined || file === "") return DEFAULT_PEERING_LOCATION_CATALOG;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new DomainError(ErrorCodes.CATALOG_INVALID, `Cannot read the peering-location catalog file ${file} (PEERING_LOCATIONS_FILE).`, {
      status: 500,
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new DomainError(
      ErrorCodes.CATALOG_INVALID,
      `The peering-location catalog file ${file} (PEERING_LOCATIONS_FILE) is not valid JSON.`,
      { status: 500, cause },
    );
  }
  return parsePeeringLocationCatalog(json, `The peering-location catalog file ${file} (PEERING_LOCATIONS_FILE)`);
}

export function findCatalogRow(catalog: PeeringLocationCatalog, ociRegion: string): PeeringLocationRow | undefined {
  return catalog.find((row) => row.ociRegion === ociRegion);
}

/** The supported pair, or undefined when that peering location does not serve that OCI region. */
export function findPairing(catalog: PeeringLocationCatalog, ociRegion: string, peeringLocation: string): Pairing | undefined {
  const row = findCatalogRow(catalog, ociRegion);
  if (row === undefined || !row.peeringLocations.includes(peeringLocation)) return undefined;
  return { ociRegion: row.ociRegion, ociRegionKey: row.ociRegionKey, peeringLocation, azureRegion: row.azureRegion };
}
