import example from "../../../examples/erp-prod.json";

export type Spec = typeof example & { keepResourcesOnFailure?: boolean };

/** The README's example spec, optionally renamed and without its BGP blocks (then allocated from the pool). */
export function spec(name = "erp-prod", options: { allocateBgp?: boolean } = {}): Spec {
  const copy = structuredClone(example) as Omit<Spec, "bgp"> & { bgp?: Spec["bgp"] };
  copy.name = name;
  if (options.allocateBgp) delete copy.bgp;
  return copy as Spec;
}
