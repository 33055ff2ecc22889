import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { seedState, type OciState } from "./model";

const FORMAT = "oci-emulator-state/1";
const DEBOUNCE_MS = 50;

/**
 * Keeps the emulator state in memory and, when a file is given, on disk: writes are debounced (a burst
 * of changes costs one write) and atomic (temp file + rename), so a killed stack never leaves a torn
 * file and a restart finds every resource where it was — clouds do not forget.
 */
export class StateStore {
  state: OciState;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly file?: string) {
    this.state = file && existsSync(file) ? load(file) : seedState();
  }

  changed(): void {
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
    this.timer.unref();
  }

  reset(): void {
    this.state = seedState();
    this.changed();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.file) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, state: this.state }));
    renameSync(tmp, this.file);
  }
}

function load(file: string): OciState {
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { format?: unknown; state?: OciState };
  if (parsed.format !== FORMAT || !parsed.state) {
    throw new Error(`${file}: not an OCI emulator state file (expected format ${FORMAT})`);
  }
  return parsed.state;
}
