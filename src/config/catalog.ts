import { type PeeringLocationCatalog, loadPeeringLocationCatalog } from "../domain/catalog";
import { settings } from "./settings";

let cached: { file: string | undefined; catalog: PeeringLocationCatalog } | undefined;

/** The peering-location catalog in force: PEERING_LOCATIONS_FILE when set, else the built-in one. Read once. */
export function peeringLocationCatalog(): PeeringLocationCatalog {
  const file = settings().peeringLocationsFile;
  if (cached === undefined || cached.file !== file) cached = { file, catalog: loadPeeringLocationCatalog(file) };
  return cached.catalog;
}
