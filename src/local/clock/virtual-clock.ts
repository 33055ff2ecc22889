import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * The one clock of the local stack: real time multiplied by a speed factor, so that a 45-minute
 * gateway deployment passes in seconds. The emulators (cloud-side durations, lags) and the local host
 * (durable timers, history timestamps) read the same clock, so their notions of "now" agree even
 * across processes: each builds a VirtualClock from the same anchor.
 *
 *   virtualNow = anchor.virtualMs + (Date.now() - anchor.realMs) * anchor.speed
 */
/**
 * `npm start`'s speed when SIM_SPEED is not set. Whatever real time the local stack spends (an
 * activity's dispatch and its calls to the emulators, a checkpoint in Azurite) passes on the clock
 * multiplied by the speed, while the workflow's own waits do not grow with it: at x60 a real second of
 * host work is a simulated minute, and a provisioning came out 7-10 % over its critical path on a quiet
 * two-core machine. At x20 that overhead is a third as large (within the 5 % the bench checks) and a
 * provisioning still takes under two real minutes. Set SIM_SPEED higher for speed, lower for fidelity.
 */
export const DEFAULT_SIM_SPEED = 20;

export interface ClockAnchor {
  realMs: number;
  virtualMs: number;
  speed: number;
}

export class VirtualClock {
  private anchor: ClockAnchor;
  private lastReading = 0;

  constructor(anchor: Partial<ClockAnchor> = {}) {
    const realMs = anchor.realMs ?? Date.now();
    const speed = anchor.speed ?? 1;
    assertSpeed(speed);
    this.anchor = { realMs, virtualMs: anchor.virtualMs ?? realMs, speed };
  }

  get speed(): number {
    return this.anchor.speed;
  }

  getAnchor(): ClockAnchor {
    return { ...this.anchor };
  }

  /** Virtual epoch milliseconds. Never smaller than a previous reading of this instance. */
  now(): number {
    const t = this.anchor.virtualMs + (Date.now() - this.anchor.realMs) * this.anchor.speed;
    this.lastReading = Math.max(this.lastReading, Math.floor(t));
    return this.lastReading;
  }

  nowDate(): Date {
    return new Date(this.now());
  }

  /** Real milliseconds until the virtual time `virtualMs` is reached (0 when already past). */
  realDelayUntil(virtualMs: number): number {
    return Math.max(0, Math.ceil((virtualMs - this.now()) / this.anchor.speed));
  }

  /** Resolves after `virtualMs` of virtual time. */
  sleep(virtualMs: number): Promise<void> {
    const until = this.now() + virtualMs;
    return new Promise((resolve) => setTimeout(resolve, this.realDelayUntil(until)));
  }

  /** Changes the speed from now on without a jump in virtual time. */
  setSpeed(speed: number): void {
    assertSpeed(speed);
    this.anchor = { realMs: Date.now(), virtualMs: this.now(), speed };
  }

  /** Moves virtual time forward (tests, admin endpoints). Time never moves backwards. */
  advance(virtualMs: number): void {
    if (!(virtualMs >= 0)) throw new RangeError(`advance needs a non-negative duration, got ${virtualMs}`);
    this.anchor = { realMs: Date.now(), virtualMs: this.now() + virtualMs, speed: this.anchor.speed };
  }

  /**
   * A clock whose anchor is kept in `file`, so that every process of the local stack and every restart
   * share one timeline. While the stack is stopped the clouds' time keeps running at the old speed
   * (a real cloud does not pause either), so a restart never sees time run backwards.
   */
  static persistent(file: string, speed: number): VirtualClock {
    assertSpeed(speed);
    let clock: VirtualClock;
    if (existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, "utf8")) as ClockAnchor;
      clock = new VirtualClock(saved);
      if (saved.speed !== speed) clock.setSpeed(speed);
    } else {
      clock = new VirtualClock({ speed });
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(clock.getAnchor()));
    return clock;
  }

  /** A clock that follows an anchor file written by another process of the stack. */
  static fromFile(file: string): VirtualClock {
    return new VirtualClock(JSON.parse(readFileSync(file, "utf8")) as ClockAnchor);
  }
}

function assertSpeed(speed: number): void {
  if (!Number.isFinite(speed) || speed <= 0) {
    throw new RangeError(`clock speed must be a positive number, got ${speed}`);
  }
}
