import { generateKeyPairSync } from "node:crypto";
import { statSync } from "node:fs";
import * as common from "oci-common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureOciApiKey } from "../../../../src/local/emulators/oci";
import { clientFor, ociError, startHarness, type Harness } from "./harness";

/** A user of the emulated tenancy (by default its own), signing with `privateKeyPem` (the registered key, or another). */
function userAuth(h: Harness, privateKeyPem: string, userId = h.emu.userId): common.SimpleAuthenticationDetailsProvider {
  return new common.SimpleAuthenticationDetailsProvider(
    h.emu.tenancyId,
    userId,
    h.emu.fingerprint,
    privateKeyPem,
    null,
    common.Region.US_ASHBURN_1,
  );
}

/** Signs a request exactly as the SDK does, so that a test can then tamper with what is sent. */
async function signedHeaders(h: Harness, privateKeyPem: string, method: common.Method, path: string, body?: string): Promise<Headers> {
  const auth = userAuth(h, privateKeyPem);
  const headers = new Headers({ "content-type": "application/json" });
  await new common.DefaultRequestSigner(auth).signHttpRequest({
    method,
    uri: `${h.emu.url}${path}`,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  return headers;
}

describe("OCI emulator: request signatures", () => {
  let h: Harness;
  let privateKeyPem: string;
  beforeAll(async () => {
    h = await startHarness();
    privateKeyPem = (await import("node:fs")).readFileSync(h.emu.privateKeyPath, "utf8");
  });
  afterAll(async () => h.close());

  it("keeps one RSA key pair per key folder, private file mode 0600, with OCI's MD5 fingerprint", () => {
    const again = ensureOciApiKey(h.keyDir);
    expect(again.fingerprint).toBe(h.emu.fingerprint);
    expect(h.emu.fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    expect(statSync(h.emu.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(again.publicKeyPem).toContain("BEGIN PUBLIC KEY");
  });

  it("accepts the SDK's signed GET, POST and PUT", async () => {
    const vcns = await h.client.listVcns({ compartmentId: h.emu.seed.compartmentId });
    expect(vcns.items.map((v) => v.id)).toEqual([h.emu.seed.vcnId]);
    expect(vcns.opcRequestId).toBeTruthy();
    const drg = await h.client.createDrg({ createDrgDetails: { compartmentId: h.emu.seed.compartmentId } });
    expect(drg.drg.lifecycleState).toBe("PROVISIONING");
  });

  it("answers an unsigned request 401 NotAuthenticated with an opc-request-id, echoing the client's", async () => {
    const res = await fetch(`${h.emu.url}/20160918/vcns/${h.emu.seed.vcnId}`, { headers: { "opc-request-id": "client-req-1" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("opc-request-id")).toBe("client-req-1");
    expect(await res.json()).toMatchObject({ code: "NotAuthenticated" });
  });

  it("rejects a request signed with another key under the same keyId", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const impostor = clientFor(h.emu, other);
    const err = await ociError(() => impostor.getVcn({ vcnId: h.emu.seed.vcnId }));
    impostor.close();
    expect(err.statusCode).toBe(401);
    expect(err.serviceCode).toBe("NotAuthenticated");
    expect(err.message).toMatch(/signature does not verify/);
  });

  it("rejects a body that differs from the signed x-content-sha256", async () => {
    const body = JSON.stringify({ compartmentId: h.emu.seed.compartmentId, displayName: "signed" });
    const headers = await signedHeaders(h, privateKeyPem, "POST", "/20160918/drgs", body);
    const tampered = body.replace("signed", "evil!!");
    expect(tampered.length).toBe(body.length);
    const res = await fetch(`${h.emu.url}/20160918/drgs`, { method: "POST", headers, body: tampered });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "NotAuthenticated", message: expect.stringMatching(/x-content-sha256/) });

    const untampered = await fetch(`${h.emu.url}/20160918/drgs`, {
      method: "POST",
      headers: await signedHeaders(h, privateKeyPem, "POST", "/20160918/drgs", body),
      body,
    });
    expect(untampered.status).toBe(200);
    expect(untampered.headers.get("etag")).toBeTruthy();
  });

  it("rejects a signature over another path, and a date more than 5 minutes off", async () => {
    const headers = await signedHeaders(h, privateKeyPem, "GET", `/20160918/vcns/${h.emu.seed.vcnId}`);
    const elsewhere = await fetch(`${h.emu.url}/20160918/routeTables/${h.emu.seed.routeTableId}`, { headers });
    expect(elsewhere.status).toBe(401);

    const stale = new Headers({ "x-date": new Date(Date.now() - 10 * 60_000).toUTCString() });
    const auth = userAuth(h, privateKeyPem);
    await new common.DefaultRequestSigner(auth).signHttpRequest({
      method: "GET",
      uri: `${h.emu.url}/20160918/vcns/${h.emu.seed.vcnId}`,
      headers: stale,
    });
    const res = await fetch(`${h.emu.url}/20160918/vcns/${h.emu.seed.vcnId}`, { headers: stale });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: expect.stringMatching(/more than 5 minutes/) });
  });

  it("rejects an unknown keyId", async () => {
    const auth = userAuth(h, privateKeyPem, "ocid1.user.oc1..someoneelse");
    const headers = new Headers();
    await new common.DefaultRequestSigner(auth).signHttpRequest({
      method: "GET",
      uri: `${h.emu.url}/20160918/vcns/${h.emu.seed.vcnId}`,
      headers,
    });
    const res = await fetch(`${h.emu.url}/20160918/vcns/${h.emu.seed.vcnId}`, { headers });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: expect.stringMatching(/keyId/) });
  });
});
