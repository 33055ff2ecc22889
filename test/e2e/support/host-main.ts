/**
 * The local Functions host as its own process, so that an end-to-end test can kill it (-9) and start
 * it again on the same Azurite. Compiled to dist/test/e2e/support/host-main.js; configured by env:
 * E2E_APP_DIR (folder of package.json + host.json), E2E_PORT, E2E_CLOCK_FILE (the emulators' clock
 * anchor), plus the app settings themselves.
 */
import { VirtualClock } from "../../../src/local/clock/virtual-clock";
import { startHost } from "../../../src/local/host/host";

async function main(): Promise<void> {
  const appDir = required("E2E_APP_DIR");
  const clock = VirtualClock.fromFile(required("E2E_CLOCK_FILE"));
  const host = await startHost({ appDir, port: Number(required("E2E_PORT")), clock, maxPollingIntervalMs: 100 });
  // The parent waits for exactly this line.
  process.stdout.write(`E2E_HOST_READY ${host.url}\n`);
  const stop = () => void host.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

main().catch((err: unknown) => {
  process.stderr.write(`E2E_HOST_FAILED ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
