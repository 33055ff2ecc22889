/** The CLI's exit codes, for scripts. */
export const EXIT = {
  /** active (up), deleted (down), a ready plan, any read that worked. */
  ok: 0,
  /** The operation failed: the step, code and reason are printed. */
  failed: 1,
  /** Bad usage or an invalid spec: every field problem is printed. */
  usage: 2,
  /** The service refused because of the current state (409). */
  conflict: 3,
  /** The service could not be reached, refused the credentials, or failed itself. */
  unreachable: 4,
  /** Ctrl-C while watching: detached, the operation goes on. */
  detached: 130,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** The problem document or body the service answered, for --json. */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = "CliError";
  }
}
