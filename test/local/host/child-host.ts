import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { FIXTURE_APP } from "./support";

export interface ChildHost {
  url: string;
  process: ChildProcess;
  output: () => string;
  kill9(): Promise<void>;
}

/** The host as a separate process, so a test can kill -9 it the way a crash would. */
export async function spawnHost(env: Record<string, string>): Promise<ChildHost> {
  const child = spawn(
    process.execPath,
    ["-r", path.join(__dirname, "ts-register.cjs"), path.resolve(__dirname, "../../../src/local/host/main.ts")],
    {
      env: {
        ...process.env,
        HOST_APP_DIR: FIXTURE_APP,
        HOST_PORT: "0",
        HOST_QUIET: "1",
        HOST_LEASE_SECONDS: "1",
        HOST_MAX_POLL_MS: "200",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /HOST READY (\S+)/.exec(out);
      if (m) resolve(m[1] as string);
      if (/HOST FAILED/.test(out)) reject(new Error(out));
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`host exited (${code}) before ready:\n${out}`)));
  });
  return {
    url,
    process: child,
    output: () => out,
    kill9: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}
