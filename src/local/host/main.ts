import { VirtualClock } from "../clock/virtual-clock";
import { startHost } from "./host";
import { consoleLogger, hostLogLevel, silentLogger } from "./log";

/**
 * Runs the host as its own process (what `npm start` spawns, and what the crash tests kill -9).
 * Configuration comes from the environment: the app settings themselves, plus
 *   HOST_APP_DIR (default: cwd), HOST_PORT (default 7071), HOST_CLOCK_FILE (shared clock anchor),
 *   SIM_SPEED (default 1), HOST_LEASE_SECONDS, HOST_FUNCTION_KEYS (comma-separated: enforce keys),
 *   HOST_LOG (info | verbose: also every function execution), HOST_QUIET=1.
 */
async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env.HOST_PORT ?? 7071);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`HOST_PORT must be a port number, got "${env.HOST_PORT}"`);
  const speed = Number(env.SIM_SPEED ?? 1);
  if (!(speed > 0)) throw new Error(`SIM_SPEED must be a positive number, got "${env.SIM_SPEED}"`);
  const lease = env.HOST_LEASE_SECONDS === undefined ? undefined : Number(env.HOST_LEASE_SECONDS);
  if (lease !== undefined && !(Number.isInteger(lease) && lease >= 1))
    throw new Error(`HOST_LEASE_SECONDS must be a whole number >= 1, got "${env.HOST_LEASE_SECONDS}"`);
  const clock = env.HOST_CLOCK_FILE ? VirtualClock.persistent(env.HOST_CLOCK_FILE, speed) : new VirtualClock({ speed });
  const host = await startHost({
    appDir: env.HOST_APP_DIR ?? process.cwd(),
    port,
    clock,
    logger: env.HOST_QUIET === "1" ? silentLogger : consoleLogger(hostLogLevel(env.HOST_LOG)),
    functionKeys: env.HOST_FUNCTION_KEYS
      ? env.HOST_FUNCTION_KEYS.split(",")
          .map((k) => k.trim())
          .filter(Boolean)
      : undefined,
    leaseSeconds: lease,
    maxPollingIntervalMs: env.HOST_MAX_POLL_MS ? Number(env.HOST_MAX_POLL_MS) : undefined,
  });
  // The parent (npm start, tests) waits for this exact line.
  process.stdout.write(`HOST READY ${host.url}\n`);
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    void host.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`HOST FAILED ${(e as Error)?.message ?? e}\n`);
  process.exit(1);
});
