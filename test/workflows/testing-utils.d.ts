// durable-functions ships no typings for its test helpers (durable-local-host.md §1.6).
declare module "durable-functions/lib/src/util/testingUtils" {
  import type { InvocationContext } from "@azure/functions";
  export function createOrchestrator(
    fn: (context: never) => Generator<unknown, unknown, unknown>,
  ): (trigger: unknown, context: InvocationContext) => Promise<unknown>;
}
