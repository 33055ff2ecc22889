import { spawnSync } from "node:child_process";
import { DEFAULT_SIM_SPEED } from "../../src/local/clock/virtual-clock";

/** The line a one-speed child prints its result on (the parent strips it from the output it passes on). */
const RESULT = "BENCH_RESULT ";

/** BENCH_SPEEDS (comma-separated), default npm start's default speed first (what a newcomer watches), then x60. */
export function benchSpeeds(): number[] {
  const speeds = (process.env.BENCH_SPEEDS ?? `${DEFAULT_SIM_SPEED},60`).split(",").map((v) => Number(v.trim()));
  for (const speed of speeds)
    if (!(speed > 0)) throw new Error(`BENCH_SPEEDS must be positive numbers separated by commas, got "${process.env.BENCH_SPEEDS}"`);
  return speeds;
}

/** In a one-speed child (BENCH_ONE_SPEED set): that speed. */
export function oneSpeed(): number | undefined {
  return process.env.BENCH_ONE_SPEED === undefined ? undefined : Number(process.env.BENCH_ONE_SPEED);
}

export function printResult(result: unknown): void {
  console.log(`${RESULT}${JSON.stringify(result)}`);
}

/**
 * Runs `file` once per speed, each in a process of its own (with BENCH_ONE_SPEED): a fresh stack per
 * run, nothing shared between the runs but the printed figures. Passes their output on and returns
 * each run's result, or `failed(speed, exit status)` for a run that printed none.
 */
export function runPerSpeed<T>(file: string, speeds: number[], failed: (speed: number, status: number | null) => T): T[] {
  return speeds.map((speed) => {
    const child = spawnSync(process.execPath, [file], {
      env: { ...process.env, BENCH_ONE_SPEED: String(speed) },
      encoding: "utf8",
      maxBuffer: 16 * 1024 * 1024,
    });
    const out = child.stdout ?? "";
    process.stdout.write(
      out
        .split("\n")
        .filter((l) => !l.startsWith(RESULT))
        .join("\n"),
    );
    process.stderr.write(child.stderr ?? "");
    const line = out.split("\n").find((l) => l.startsWith(RESULT));
    return line ? (JSON.parse(line.slice(RESULT.length)) as T) : failed(speed, child.status);
  });
}
