import { exampleSpecBody, type ExampleSpecBody } from "../../support/example-spec";

export type Spec = ExampleSpecBody & { keepResourcesOnFailure?: boolean };

/** The README's example spec, optionally renamed and without its BGP blocks (then allocated from the pool). */
export function spec(name = "erp-prod", options: { allocateBgp?: boolean } = {}): Spec {
  const copy = exampleSpecBody(name) as Omit<Spec, "bgp"> & { bgp?: Spec["bgp"] };
  if (options.allocateBgp) delete copy.bgp;
  return copy as Spec;
}
