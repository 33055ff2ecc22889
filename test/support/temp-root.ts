import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * vitest globalSetup: every temporary file of the run (test folders, Azurite's, the emulators' keys
 * and certificates, the host children's) goes under one folder, removed when the run ends, passed or
 * failed. TMPDIR set here is what os.tmpdir() answers in the test workers and every process they
 * start, so a test that forgets to clean up (or dies before it can) still leaves /tmp as it found it.
 */
export default function setup(): () => void {
  const before = process.env.TMPDIR;
  const root = mkdtempSync(path.join(tmpdir(), "interconnect-tests-"));
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true });
  };
}
