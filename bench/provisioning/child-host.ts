import { spawn } from "node:child_process";
import path from "node:path";

export interface ChildHost {
  url: string;
  close(): Promise<void>;
}

/**
 * The compiled app in the local host as its own process, as `npm start` runs it: Node reads
 * NODE_EXTRA_CA_CERTS (the ARM emulator's CA) only at startup, so it must be a fresh process.
 */
export async function startChildHost(root: string, env: Record<string, string>): Promise<ChildHost> {
  const child = spawn(process.execPath, [path.join(root, "dist/src/local/host/main.js")], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", ...env, HOST_PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the host did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      const ready = /HOST READY (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1] as string);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the host exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}
