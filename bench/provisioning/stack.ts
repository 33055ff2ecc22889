import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startAzurite, type RunningAzurite } from "../../src/local/azurite";
import { startEmulators, type RunningEmulators } from "../../src/local/emulators";
import { emulatorAppSettings } from "../../src/local/settings";
import { startChildHost, type ChildHost } from "./child-host";
import { RequestCounter } from "./request-counter";

export interface BenchStack {
  emulators: RunningEmulators;
  host: ChildHost;
  counter: RequestCounter;
  armPort: number;
  ociPort: number;
  close(): Promise<void>;
}

/** The benchmarks run the compiled app. */
export function assertBuilt(root: string): void {
  for (const built of ["dist/src/functions/index.js", "dist/src/local/host/main.js"]) {
    if (!existsSync(path.join(root, built))) throw new Error(`${built} is missing: run npm run build (npm run bench does it)`);
  }
}

/** A fresh local stack at this clock speed: Azurite, both emulators, the compiled app in a child host, and a counter of cloud requests. */
export async function startBenchStack(root: string, speed: number, settings: Record<string, string> = {}): Promise<BenchStack> {
  const azurite: RunningAzurite = await startAzurite();
  const emulators = await startEmulators({ speed, armPort: 0, ociPort: 0 });
  const armPort = Number(new URL(emulators.arm.url).port);
  const ociPort = Number(new URL(emulators.oci.url).port);
  const counter = new RequestCounter([armPort, ociPort]);
  const clockDir = mkdtempSync(path.join(tmpdir(), "bench-clock-"));
  const close = async (host?: ChildHost) => {
    counter.close();
    await host?.close();
    await emulators.close();
    await azurite.stop();
    rmSync(clockDir, { recursive: true, force: true });
  };
  try {
    const clockFile = path.join(clockDir, "clock.json");
    writeFileSync(clockFile, JSON.stringify(emulators.clock.getAnchor()));
    const sample = (JSON.parse(readFileSync(path.join(root, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string> })
      .Values;
    const host = await startChildHost(root, {
      ...sample,
      ...emulatorAppSettings(azurite, emulators),
      SIM_SPEED: String(speed),
      HOST_APP_DIR: root,
      HOST_CLOCK_FILE: clockFile,
      HOST_MAX_POLL_MS: "50",
      HOST_QUIET: "1",
      ...settings,
    });
    return { emulators, host, counter, armPort, ociPort, close: () => close(host) };
  } catch (error) {
    await close();
    throw error;
  }
}
