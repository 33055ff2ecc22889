import { sharingView, usageRefsOf, type SharingView } from "../domain/sharing";
import type { Store, StoredInterconnect } from "../store";

/**
 * What the record view says about sharing: for each resource the record names, whether another live
 * interconnect uses it and which, and who of this service created it. Read from the usage rows; a
 * resource with no row (a record written before usage rows existed) is listed as not shared.
 */
export async function readSharing(store: Pick<Store, "usage">, record: StoredInterconnect): Promise<SharingView[]> {
  if (record.state === "deleted") return [];
  const spec = record.spec as { oci?: { vcnId?: string } } | undefined;
  const refs = usageRefsOf(record.resources, spec?.oci?.vcnId);
  const rows = await Promise.all(refs.map((ref) => store.usage.get(ref)));
  return refs.map((ref, i) => {
    const row = rows[i];
    return row ? sharingView(row, record.name) : { ...ref, shared: false, sharedWith: [], createdBy: null };
  });
}
