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
  /** The speed to resume at, while paused (the anchor's speed is 0 then). */
  private pausedSpeed: number | undefined;

  constructor(anchor: Partial<ClockAnchor> = {}) {
    const realMs = anchor.realMs ?? Date.now();
    const speed = anchor.speed ?? 1;
    assertSpeed(speed);
    this.anchor = { realMs, virtualMs: anchor.virtualMs ?? realMs, speed };
  }

  /** Virtual ms per real ms; while paused, the speed it resumes at. */
  get speed(): number {
    return this.pausedSpeed ?? this.anchor.speed;
  }

  get paused(): boolean {
    return this.pausedSpeed !== undefined;
  }

  /**
   * Stops virtual time until resume(); advance() still moves it. For tests that must observe a state
   * that lasts a few simulated seconds (a resource still deleting) whatever the machine's load: at a
   * high speed, real time between two steps of a test is simulated minutes. Timers armed meanwhile
   * (real delays computed at the resume speed) wake early and find their time not come yet.
   */
  pause(): void {
    if (this.pausedSpeed !== undefined) return;
    const speed = this.anchor.speed;
    this.anchor = { realMs: Date.now(), virtualMs: this.now(), speed: 0 };
    this.pausedSpeed = speed;
  }

  resume(): void {
    const speed = this.pausedSpeed;
    if (speed === undefined) return;
    this.pausedSpeed = undefined;
    this.anchor = { realMs: Date.now(), virtualMs: this.now(), speed };
  }

  getAnchor(): ClockAnchor {
    return { ...this.anchor, speed: this.speed };
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
    return Math.max(0, Math.ceil((virtualMs - this.now()) / this.speed));
  }

  /** Resolves after `virtualMs` of virtual time. */
  async sleep(virtualMs: number): Promise<void> {
    const until = this.now() + virtualMs;
    do
      await new Promise((resolve) =>
        setTimeout(resolve, this.paused ? Math.max(10, this.realDelayUntil(until)) : this.realDelayUntil(until)),
      );
    while (this.now() < until);
  }

  /** Changes the speed from now on without a jump in virtual time. */
  setSpeed(speed: number): void {
    assertSpeed(speed);
    if (this.pausedSpeed !== undefined) this.pausedSpeed = speed;
    else this.anchor = { realMs: Date.now(), virtualMs: this.now(), speed };
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
