import example from "../../examples/erp-prod.json";
import { parseInterconnectSpec, type InterconnectSpec } from "../../src/domain/spec";

/**
 * The public example, examples/erp-prod.json (the README's spec), for every test that needs a valid
 * spec: one source, so the example and the tests cannot drift apart. Variations stay in the tests.
 */
export type ExampleSpecBody = typeof example;

/** The example as a client sends it (a fresh copy), optionally under another name. */
export function exampleSpecBody(name = "erp-prod"): ExampleSpecBody {
  return { ...structuredClone(example), name };
}

/** The example as parseInterconnectSpec accepts it (defaults filled in). */
export function exampleSpec(name = "erp-prod"): InterconnectSpec {
  return parseInterconnectSpec(exampleSpecBody(name));
}
