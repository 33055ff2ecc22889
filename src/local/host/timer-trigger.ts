import { randomUUID } from "node:crypto";
import { CronExpressionParser } from "cron-parser";
import type { VirtualClock } from "../clock/virtual-clock";
import type { HttpTriggers } from "./http-trigger";
import type { HostLogger } from "./log";
import type { RegisteredFunction } from "./registry";

/**
 * Timer triggers as the Functions timer extension runs them: a six-field NCRONTAB schedule (with
 * seconds; "%SETTING%" reads it from an app setting), evaluated in UTC on the stack's virtual clock,
 * so a schedule means the same time the orchestrations and the emulators see. One invocation at a
 * time per function (as the extension's singleton lock); an occurrence missed meanwhile runs once,
 * late, with isPastDue.
 */
export class TimerTriggerListener {
  private readonly schedule: string;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private last: Date;

  constructor(
    private readonly fn: RegisteredFunction,
    private readonly clock: VirtualClock,
    private readonly http: HttpTriggers,
    private readonly origin: () => string,
    private readonly logger: HostLogger,
  ) {
    this.schedule = resolveSchedule(fn);
    this.last = clock.nowDate();
    this.next(this.last);
  }

  start(): void {
    this.arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private next(after: Date): Date {
    return CronExpressionParser.parse(this.schedule, { currentDate: after, tz: "UTC" }).next().toDate();
  }

  private arm(): void {
    if (this.stopped) return;
    const due = this.next(this.last);
    this.timer = setTimeout(() => {
      this.running = this.fire(due).finally(() => {
        this.running = undefined;
        this.arm();
      });
    }, this.clock.realDelayUntil(due.getTime()));
  }

  private async fire(due: Date): Promise<void> {
    const now = this.clock.nowDate();
    const next = this.next(now);
    const isPastDue = this.next(due).getTime() <= now.getTime();
    this.last = now;
    const invocationId = randomUUID();
    const context = this.http.context(this.fn, invocationId, this.origin(), "timerTrigger");
    const timer = {
      isPastDue,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: due.toISOString(), next: next.toISOString(), lastUpdated: now.toISOString() },
    };
    try {
      await this.fn.callback(timer, context);
    } catch (e) {
      this.logger.error(`Executed 'Functions.${this.fn.name}' (Failed, Id=${invocationId}): ${(e as Error)?.message ?? String(e)}`);
    }
  }
}

function resolveSchedule(fn: RegisteredFunction): string {
  const raw = fn.trigger.schedule;
  if (typeof raw !== "string" || raw === "") throw new Error(`timer trigger '${fn.name}': no schedule`);
  const setting = /^%([^%]+)%$/.exec(raw)?.[1];
  const schedule = setting === undefined ? raw : process.env[setting];
  if (!schedule) throw new Error(`timer trigger '${fn.name}': app setting "${setting}" (its schedule) is not set`);
  if (schedule.trim().split(/\s+/).length !== 6)
    throw new Error(
      `timer trigger '${fn.name}': schedule "${schedule}" is not a six-field NCRONTAB expression (second minute hour day month day-of-week)`,
    );
  try {
    CronExpressionParser.parse(schedule, { tz: "UTC" });
  } catch (e) {
    throw new Error(`timer trigger '${fn.name}': schedule "${schedule}" is invalid: ${(e as Error).message}`);
  }
  return schedule;
}
