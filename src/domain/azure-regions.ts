import regionNames from "./azure-regions.json";

/**
 * Azure region names as ARM writes them in `location` (public cloud, US Government, China). A data
 * file, so a region Azure opens later is one line to add.
 */
export const AZURE_REGIONS: readonly string[] = regionNames;

/** ARM accepts a region's display name too ("East US"): compared lowercased, without spaces. */
export function normalizeAzureRegion(location: string): string {
  return location.toLowerCase().replace(/\s+/g, "");
}

export function isAzureRegion(location: string): boolean {
  return AZURE_REGIONS.includes(normalizeAzureRegion(location));
}

export function sameAzureRegion(a: string, b: string): boolean {
  return normalizeAzureRegion(a) === normalizeAzureRegion(b);
}
