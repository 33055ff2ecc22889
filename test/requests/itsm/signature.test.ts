import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signBody, verifySignature } from "../../../src/requests/itsm/signature";

const SECRET = "a-shared-secret-of-some-length";
const BODY = Buffer.from('{"number":"CHG0031234","note":"ünïcode"}', "utf8");
const NOW = 1_800_000_000_000;

function headers(values: Record<string, string>) {
  return { get: (name: string) => values[name.toLowerCase()] ?? null };
}

function verify(values: Record<string, string>, allowHubSignature = false) {
  return () => verifySignature({ secret: SECRET, rawBody: BODY, headers: headers(values), nowMs: NOW, allowHubSignature });
}

describe("ITSM event signatures", () => {
  it("accepts sha256=<hex HMAC of '<ts>.<raw body>'> within five minutes either way", () => {
    expect(verify(signBody(SECRET, BODY, NOW / 1000))()).toBe("itsm");
    expect(verify(signBody(SECRET, BODY, NOW / 1000 - 299))()).toBe("itsm");
    expect(verify(signBody(SECRET, BODY, NOW / 1000 + 299))()).toBe("itsm");
  });

  it("refuses a stale or future timestamp, another secret, another body, a missing signature", () => {
    expect(verify(signBody(SECRET, BODY, NOW / 1000 - 301))).toThrow(/301 s away/);
    expect(verify(signBody(SECRET, BODY, NOW / 1000 + 400))).toThrow(/400 s away/);
    expect(verify(signBody("another-secret-entirely", BODY, NOW / 1000))).toThrow(/does not match/);
    expect(verify(signBody(SECRET, Buffer.from("{}"), NOW / 1000))).toThrow(/does not match/);
    expect(verify({})).toThrow(/no signature/);
    const { "x-itsm-timestamp": _ts, ...noTimestamp } = signBody(SECRET, BODY, NOW / 1000);
    expect(verify(noTimestamp)).toThrow(/x-itsm-timestamp is missing/);
    expect(verify({ ...signBody(SECRET, BODY, NOW / 1000), "x-itsm-signature": "sha256=abc" })).toThrow(/does not match/);
  });

  it("takes a Jira X-Hub-Signature over the raw body only where allowed", () => {
    const hub = { "x-hub-signature": `sha256=${createHmac("sha256", SECRET).update(BODY).digest("hex")}` };
    expect(verify(hub, true)()).toBe("hub");
    expect(verify(hub, false)).toThrow(/no signature/);
    expect(verify({ "x-hub-signature": "sha256=00" }, true)).toThrow(/X-Hub-Signature does not match/);
  });

  it("never puts the secret or the expected signature into its error", () => {
    const expected = signBody(SECRET, BODY, NOW / 1000)["x-itsm-signature"];
    try {
      verify({ ...signBody(SECRET, BODY, NOW / 1000), "x-itsm-signature": "sha256=00" })();
    } catch (err) {
      expect(String((err as Error).message)).not.toContain(SECRET);
      expect(String((err as Error).message)).not.toContain(expected.slice(7));
    }
  });
});
