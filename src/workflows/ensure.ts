import { permanent } from "../contracts";
import { WorkflowStepError } from "./failure";
import { pollUntil, type PollSpec } from "./poll";
import type { Flow, WorkflowRun } from "./run";

type Found<O> = O & { found: true };

export interface EnsureThenAwait<O extends { found: boolean }> {
  step: string;
  /** Get-or-create; absent when an existing resource named in the spec is used. */
  ensure?: () => Flow<O>;
  /** The existing resource, when the spec names one: its id and whether it is ready already. */
  existing?: { id: string; ready: boolean };
  what: string;
  idOf: (found: Found<O>) => string;
  ready: (observed: O) => boolean;
  /** The wait until ready, observing the resource by its id. */
  until: Omit<PollSpec<O>, "step" | "observe" | "done" | "startedAt"> & { observe: (id: string) => Flow<O> };
}

/**
 * The shape of most provisioning steps: get-or-create (or take the existing one), and if it is not
 * ready yet, poll it until it is, counted from before the create. Returns its id.
 */
export function* ensureThenAwait<O extends { found: boolean }>(run: WorkflowRun, spec: EnsureThenAwait<O>): Flow<string> {
  const startedAt = run.now();
  let id: string;
  if (spec.existing !== undefined) {
    id = spec.existing.id;
    if (spec.existing.ready) return id;
  } else {
    const created = found(spec.step, spec.what, yield* spec.ensure!());
    id = spec.idOf(created);
    if (spec.ready(created)) return id;
  }
  yield* pollUntil(run, { ...spec.until, step: spec.step, startedAt, observe: () => spec.until.observe(id), done: spec.ready });
  return id;
}

/** What a get-or-create returned, which must be there: it was just created. */
export function found<O extends { found: boolean }>(step: string, what: string, observed: O): Found<O> {
  if (!observed.found) throw new WorkflowStepError(step, permanent("NOT_FOUND", `the ${what} was not found right after it was created`));
  return observed as Found<O>;
}
