import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isMaskedServiceKey, maskSecretsInText, maskServiceKey, sanitizeForStorage } from "../../src/store";

const hex = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: n, maxLength: n });
const guid = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join("-"));

describe("service key masking", () => {
  it("keeps only the first group of any GUID, and the result is recognised as masked", () => {
    fc.assert(
      fc.property(guid, (key) => {
        const masked = maskServiceKey(key);
        expect(masked).toBe(`${key.slice(0, 8)}-****-****-****-************`);
        expect(isMaskedServiceKey(masked)).toBe(true);
        expect(masked).not.toContain(key.slice(9));
      }),
    );
  });

  it("redacts anything that is not a GUID rather than guessing", () => {
    expect(maskServiceKey("not-a-key")).toBe("[redacted]");
  });

  it("masks a key quoted in free text but leaves unrelated GUIDs readable", () => {
    fc.assert(
      fc.property(guid, guid, (key, requestId) => {
        const text = maskSecretsInText(`service key ${key} rejected; x-ms-request-id ${requestId}`);
        expect(text).not.toContain(key);
        expect(text).toContain(requestId);
      }),
    );
  });

  it("sanitizes nested objects and arrays without touching the input", () => {
    const input = { items: [{ privateKeyPassphrase: "hunter2" }, { serviceKey: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d" }], count: 2 };
    expect(sanitizeForStorage(input)).toEqual({
      items: [{ privateKeyPassphrase: "[redacted]" }, { serviceKey: "1a2b3c4d-****-****-****-************" }],
      count: 2,
    });
    expect(input.items[0]).toEqual({ privateKeyPassphrase: "hunter2" });
  });
});
