/**
 * How long the triggers wait on each other and on the task hub. The values hang together:
 * - a request that writes a record and then starts its orchestration normally does both within a
 *   second or two; stalledStartMs is the grace after which a repeated request may conclude that the
 *   starter died in between and start (or report) the orchestration itself. Shorter, and the loser of a
 *   race could start the winner's instance a second time; longer, and a real stall goes unnoticed for
 *   that long (the record shows "requested" meanwhile, nothing is lost).
 * - raceRetries bounds how often a request re-reads a record that concurrent requests keep changing.
 *   Waiting for a concurrent creator to claim its record backs off by raceBackoffMs(round): the
 *   rounds add up to about 4 s, well past a normal claim, well short of an HTTP client's timeout.
 * - terminateWaitMs is how long a DELETE waits for a provisioning it stopped to become terminal
 *   before it starts the teardown anyway; the teardown itself then waits for that instance
 *   (TeardownInput.stoppedProvisioning), so this wait only makes the common case tidy.
 */
export interface RequestTiming {
  stalledStartMs: number;
  raceRetries: number;
  terminateWaitMs: number;
  /** Between two status reads while waiting for a terminated instance. */
  terminatePollMs: number;
}

export const REQUEST_TIMING: RequestTiming = {
  stalledStartMs: 15_000,
  raceRetries: 6,
  terminateWaitMs: 5_000,
  terminatePollMs: 100,
};

/** 250 ms, 500 ms, …: the rounds before the last wait 3.75 s in all. */
export function raceBackoffMs(round: number): number {
  return 250 * round;
}
