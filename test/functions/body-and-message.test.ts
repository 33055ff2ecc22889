import { HttpRequest } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { DomainError, ValidationError } from "../../src/domain/errors";
import { callerFromHeaders } from "../../src/functions/caller";
import { readJsonBody } from "../../src/functions/http/json-body";
import { jsonErrorOffset } from "../../src/functions/http/json-error-offset";
import { parseTeardownMessage } from "../../src/functions/teardown-message";

function post(body: string, headers: Record<string, string> = { "content-type": "application/json" }): HttpRequest {
  return new HttpRequest({ method: "POST", url: "http://127.0.0.1:7071/api/interconnects", headers, body: { string: body } });
}

async function failure(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe("readJsonBody", () => {
  it("parses JSON and accepts +json media types with parameters", async () => {
    expect(await readJsonBody(post('{"a":1}'))).toEqual({ a: 1 });
    expect(await readJsonBody(post("[1]", { "content-type": "application/merge-patch+json; charset=utf-8" }))).toEqual([1]);
  });

  it("answers 415 for a non-JSON content type, naming what it got", async () => {
    const err = await failure(readJsonBody(post('{"a":1}', { "content-type": "text/plain" })));
    expect(err.status).toBe(415);
    expect(err.message).toContain('"text/plain"');
    expect((await failure(readJsonBody(post('{"a":1}', {})))).status).toBe(415);
  });

  it("answers 413 for a body over the limit, with or without a truthful Content-Length", async () => {
    expect((await failure(readJsonBody(post(`"${"x".repeat(2000)}"`), 1000))).status).toBe(413);
    const lying = post(`"${"x".repeat(2000)}"`, { "content-type": "application/json", "content-length": "10" });
    expect((await failure(readJsonBody(lying, 1000))).status).toBe(413);
  });

  it("reports where the JSON breaks as line, column and position", async () => {
    const err = await failure(readJsonBody(post('{\n  "name": "x",\n  "bandwidthGbps": 1,\n}')));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.status).toBe(400);
    expect((err as ValidationError).issues[0]?.message).toMatch(/line 4, column 1 \(position 39\)/);
    const trailing = await failure(readJsonBody(post("[1,\n2,]")));
    expect((trailing as ValidationError).issues[0]?.message).toMatch(/line 2, column 3 \(position 6\)/);
    const empty = await failure(readJsonBody(post("   ")));
    expect((empty as ValidationError).issues[0]?.message).toMatch(/empty/);
  });
});

describe("jsonErrorOffset", () => {
  it("agrees with JSON.parse on validity and points at the first bad character", () => {
    const cases: [string, number | undefined][] = [
      ['{"a":[1,2,{"b":null}],"c":"\\u00e9"}', undefined],
      ["[1,2,]", 5],
      ['{"a" 1}', 5],
      ["tru", 3],
      ['"abc', 4],
      ["01", 1],
      ['{"a":1}x', 7],
    ];
    for (const [text, offset] of cases) {
      expect(jsonErrorOffset(text), text).toBe(offset);
      expect(() => JSON.parse(text)).toSatisfy((parse: () => unknown) => {
        try {
          parse();
          return offset === undefined;
        } catch {
          return offset !== undefined;
        }
      });
    }
  });
});

describe("deep JSON", () => {
  it('the scanner does not recurse: 30,000 unclosed arrays and {"":[ × 6000 get an offset, not a stack overflow', () => {
    const arrays = "[".repeat(30_000);
    expect(jsonErrorOffset(arrays)).toBe(30_000);
    const members = '{"":['.repeat(6000);
    expect(jsonErrorOffset(members)).toBe(members.length);
    const deepValid = `${"[".repeat(20_000)}1${"]".repeat(20_000)}`;
    expect(jsonErrorOffset(deepValid)).toBeUndefined();
    expect(jsonErrorOffset(`${"[".repeat(20_000)}1${"]".repeat(19_999)},`)).toBe(40_001);
  });

  it("a body nested deeper than the limit is a 400 that says so, with the limit and where", async () => {
    for (const body of ["[".repeat(30_000), '{"":['.repeat(6000), `{"azure":${"[".repeat(100)}${"]".repeat(100)}}`]) {
      const err = await failure(readJsonBody(post(body)));
      expect(err.status).toBe(400);
      expect((err as ValidationError).issues[0]?.message).toMatch(
        /nested too deeply: more than 64 levels of arrays and objects \(at line 1, column \d+\)/,
      );
    }
    // Brackets inside strings are text, not nesting.
    expect(await readJsonBody(post(JSON.stringify({ note: "[".repeat(500) })))).toEqual({ note: "[".repeat(500) });
  });
});

describe("callerFromHeaders", () => {
  const headers = (h: Record<string, string>) => new Headers(h);
  const trusted = { trustPrincipalHeader: true };
  it("takes the EasyAuth principal, else anonymous", () => {
    expect(callerFromHeaders(headers({ "x-ms-client-principal-name": "ana@contoso.com" }), trusted)).toEqual({ actor: "ana@contoso.com" });
    expect(callerFromHeaders(headers({}), trusted)).toEqual({ actor: "anonymous" });
  });
  it("ignores the principal header when the deployment does not make it trustworthy: the function key is the caller", () => {
    const untrusted = { trustPrincipalHeader: false };
    expect(callerFromHeaders(headers({ "x-ms-client-principal-name": "ceo@contoso.com", "x-functions-key": "k" }), untrusted)).toEqual({
      actor: "function-key",
    });
    expect(
      callerFromHeaders(headers({ "x-ms-client-principal-name": "ceo@contoso.com" }), {
        ...untrusted,
        query: new URLSearchParams("code=k"),
      }),
    ).toEqual({ actor: "function-key" });
    expect(callerFromHeaders(headers({ "x-ms-client-principal-name": "ceo@contoso.com" }), untrusted)).toEqual({ actor: "anonymous" });
  });
  it("validates the ticket reference and names the header", () => {
    expect(callerFromHeaders(headers({ "x-ticket-ref": "CHG0031234" }), trusted).ticketRef).toBe("CHG0031234");
    for (const bad of ["", "a".repeat(65), "CHG 1", "x;drop"]) {
      let err: unknown;
      try {
        callerFromHeaders({ get: (n) => (n === "x-ticket-ref" ? bad : null) }, trusted);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues[0]?.path).toBe("header x-ticket-ref");
    }
  });
});

describe("parseTeardownMessage", () => {
  const issues = (raw: unknown) => {
    try {
      parseTeardownMessage(raw);
    } catch (e) {
      return (e as ValidationError).issues;
    }
    throw new Error("expected a ValidationError");
  };
  it("accepts the contract, as an object or as a JSON string", () => {
    const msg = { name: "erp-prod", reason: "expired", requestedBy: "itsm", ticketRef: "CHG1" };
    expect(parseTeardownMessage(msg)).toEqual(msg);
    expect(parseTeardownMessage(JSON.stringify(msg))).toEqual(msg);
  });
  it("names every bad field, unknown fields included", () => {
    expect(issues("not json")[0]?.message).toMatch(/not JSON/);
    const found = issues({ name: "Bad Name", requestedBy: "", extra: 1, ticketRef: "a b" })
      .map((i) => i.path)
      .sort();
    expect(found).toEqual(["extra", "name", "reason", "requestedBy", "ticketRef"]);
  });
});
