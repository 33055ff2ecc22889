import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_PEERING_LOCATION_CATALOG,
  findPairing,
  loadPeeringLocationCatalog,
  parsePeeringLocationCatalog,
} from "../../src/domain/catalog";
import type { DomainError } from "../../src/domain/errors";

const dir = mkdtempSync(join(tmpdir(), "catalog-"));

describe("built-in peering-location catalog", () => {
  it("has the 12 pairs of interconnect-apis.md §5", () => {
    expect(DEFAULT_PEERING_LOCATION_CATALOG).toHaveLength(12);
    const byRegion = Object.fromEntries(DEFAULT_PEERING_LOCATION_CATALOG.map((r) => [r.ociRegion, r.peeringLocations]));
    expect(byRegion).toEqual({
      "ap-tokyo-1": ["Tokyo"],
      "ap-singapore-1": ["Singapore"],
      "ap-seoul-1": ["Seoul"],
      "eu-frankfurt-1": ["Frankfurt", "Frankfurt2"],
      "eu-amsterdam-1": ["Amsterdam2"],
      "uk-london-1": ["London"],
      "af-johannesburg-1": ["Johannesburg"],
      "sa-vinhedo-1": ["Campinas"],
      "ca-toronto-1": ["Toronto", "Toronto2"],
      "us-ashburn-1": ["Washington DC", "Washington DC2"],
      "us-phoenix-1": ["Phoenix"],
      "us-sanjose-1": ["Silicon Valley"],
    });
  });

  it("finds supported pairs and refuses others", () => {
    expect(findPairing(DEFAULT_PEERING_LOCATION_CATALOG, "us-ashburn-1", "Washington DC2")).toEqual({
      ociRegion: "us-ashburn-1",
      ociRegionKey: "IAD",
      peeringLocation: "Washington DC2",
      azureRegion: "eastus",
    });
    expect(findPairing(DEFAULT_PEERING_LOCATION_CATALOG, "us-ashburn-1", "London")).toBeUndefined();
    expect(findPairing(DEFAULT_PEERING_LOCATION_CATALOG, "sa-saopaulo-1", "Sao Paulo")).toBeUndefined();
    expect(findPairing(DEFAULT_PEERING_LOCATION_CATALOG, "eu-amsterdam-1", "Amersterdam2")).toBeUndefined();
  });
});

describe("catalog override (PEERING_LOCATIONS_FILE)", () => {
  it("loads a valid file", () => {
    const file = join(dir, "ok.json");
    writeFileSync(
      file,
      JSON.stringify([
        {
          ociRegion: "eu-zurich-1",
          ociRegionKey: "ZRH",
          ociRegionName: "Switzerland North (Zurich)",
          peeringLocations: ["Zurich"],
          azureRegion: "switzerlandnorth",
        },
      ]),
    );
    const catalog = loadPeeringLocationCatalog(file);
    expect(findPairing(catalog, "eu-zurich-1", "Zurich")?.azureRegion).toBe("switzerlandnorth");
    expect(findPairing(catalog, "us-ashburn-1", "Washington DC")).toBeUndefined();
  });

  it("uses the built-in catalog when no file is set", () => {
    expect(loadPeeringLocationCatalog(undefined)).toBe(DEFAULT_PEERING_LOCATION_CATALOG);
    expect(loadPeeringLocationCatalog("")).toBe(DEFAULT_PEERING_LOCATION_CATALOG);
  });

  it("names the file and every bad field", () => {
    const file = join(dir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify([
        { ociRegion: "Ashburn", ociRegionKey: "IAD", ociRegionName: "x", peeringLocations: [], azureRegion: "eastus", extra: 1 },
      ]),
    );
    let err: DomainError | undefined;
    try {
      loadPeeringLocationCatalog(file);
    } catch (e) {
      err = e as DomainError;
    }
    expect(err?.code).toBe("CATALOG_INVALID");
    expect(err?.message).toContain(file);
    expect(err?.message).toContain("[0].ociRegion");
    expect(err?.message).toContain("[0].peeringLocations");
    expect(err?.message).toContain("[0].extra: unknown field");
  });

  it("rejects duplicate regions, missing files and broken JSON", () => {
    const row = {
      ociRegion: "us-ashburn-1",
      ociRegionKey: "IAD",
      ociRegionName: "x",
      peeringLocations: ["Washington DC"],
      azureRegion: "eastus",
    };
    expect(() => parsePeeringLocationCatalog([row, row])).toThrow(/\[1\]\.ociRegion: duplicate OCI region/);
    expect(() => parsePeeringLocationCatalog([])).toThrow(/at least one row/);
    expect(() => loadPeeringLocationCatalog(join(dir, "missing.json"))).toThrow(/Cannot read/);
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "[{");
    expect(() => loadPeeringLocationCatalog(broken)).toThrow(/not valid JSON/);
  });
});
