/**
 * For activities that touch only the store and the task hub: real Azurite tables and the Durable HTTP
 * API stand-in, with activity deps built as in the app. No cloud is called: the clouds' clients are
 * built lazily and point nowhere.
 */
import { afterAll, beforeAll } from "vitest";
import { createActivityDeps, setActivityDeps } from "../../src/activities/deps";
import { startFakeDurableApi, type FakeDurableApi } from "../functions/support/fake-durable-api";
import { useAzurite } from "../support/azurite";

export function useStoreAndTaskHub(tables: { interconnects: string; audit: string }): () => FakeDurableApi {
  const storage = useAzurite();
  let durable: FakeDurableApi | undefined;
  beforeAll(async () => {
    durable = await startFakeDurableApi();
    setActivityDeps(
      createActivityDeps({
        azure: { credential: "emulator", armEndpoint: "https://127.0.0.1:9", emulatorToken: "unused" },
        oci: {
          endpoint: "http://127.0.0.1:9",
          tenancyId: "ocid1.tenancy.oc1..unused",
          userId: "ocid1.user.oc1..unused",
          fingerprint: "00",
          privateKey: "unused",
        },
        storage: { connectionString: storage.connectionString },
        tables,
      }),
    );
  });
  afterAll(async () => {
    setActivityDeps(undefined);
    await durable?.close();
  });
  return () => {
    if (!durable) throw new Error("the task hub stand-in is not started yet (call from a test or a hook)");
    return durable;
  };
}
