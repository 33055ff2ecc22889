#!/usr/bin/env node
// Starts the ARM and OCI emulators for the local stack (state, clock, keys and certificates under
// .local/emulators, git-ignored), prints one JSON line describing them, and closes cleanly on Ctrl-C.
"use strict";

const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const entry = path.join(root, "dist", "src", "local", "emulators", "index.js");

/** Newest modification time of the .ts files the emulators are built from. */
function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function buildIfStale() {
  const stale = !fs.existsSync(entry) || fs.statSync(entry).mtimeMs < newestSource(path.join(root, "src", "local"));
  if (!stale) return;
  process.stderr.write("emulators: compiling (dist is missing or older than src/local)...\n");
  const tsc = require.resolve("typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.json")], { stdio: ["ignore", "inherit", "inherit"] });
  // tsc still emits when other parts of the app have type errors; only a missing output is fatal here.
  if (!fs.existsSync(entry)) {
    process.stderr.write(`emulators: build failed (exit ${result.status}); ${entry} was not produced\n`);
    process.exit(1);
  }
}

/** Settings (SIM_SPEED, the ports, AZURE_EMULATOR_TOKEN…): the environment wins over local.settings.json, then the sample's defaults. */
function setting(name, fallback) {
  if (process.env[name]) return process.env[name];
  for (const file of ["local.settings.json", "local.settings.sample.json"]) {
    try {
      const values = JSON.parse(fs.readFileSync(path.join(root, file), "utf8")).Values || {};
      if (values[name]) return String(values[name]);
    } catch {
      // missing or unreadable settings file: try the next one
    }
  }
  return fallback;
}

function portOf(url, fallback) {
  try {
    return Number(new URL(url).port) || fallback;
  } catch {
    return fallback;
  }
}

/** A port from ARM_EMULATOR_PORT / OCI_EMULATOR_PORT (as npm start reads them), else the endpoint setting's port. */
function port(name, endpointSetting, fallback) {
  const raw = setting(name, "");
  if (raw === "") return portOf(setting(endpointSetting, ""), fallback);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name} must be a port number from 1 to 65535, got "${raw}"`);
  return n;
}

async function main() {
  buildIfStale();
  const { startEmulators } = require(entry);
  const { DEFAULT_SIM_SPEED } = require(path.join(root, "dist/src/local/clock/virtual-clock.js"));
  const speed = Number(setting("SIM_SPEED", String(DEFAULT_SIM_SPEED)));
  if (!Number.isFinite(speed) || speed <= 0) throw new Error(`SIM_SPEED must be a positive number, got ${setting("SIM_SPEED", "")}`);
  const emulators = await startEmulators({
    speed,
    // LOCAL_STACK_DIR: where the local stack keeps its state (default .local in the checkout), as npm start.
    dataDir: path.join(path.resolve(root, setting("LOCAL_STACK_DIR", ".local")), "emulators"),
    armPort: port("ARM_EMULATOR_PORT", "AZURE_ARM_ENDPOINT", 8443),
    ociPort: port("OCI_EMULATOR_PORT", "OCI_ENDPOINT", 8444),
    token: setting("AZURE_EMULATOR_TOKEN", "local-emulator-token"),
  });
  process.stdout.write(
    JSON.stringify({
      arm: emulators.arm,
      oci: emulators.oci,
      admin: `${emulators.arm.url}/admin`,
      clock: { speed: emulators.clock.speed, now: emulators.clock.nowDate().toISOString(), anchorFile: emulators.clockFile },
      env: { NODE_EXTRA_CA_CERTS: emulators.arm.caCertPath },
    }) + "\n",
  );

  let closing = false;
  const stop = async (signal) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`emulators: ${signal}, closing\n`);
    await emulators.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err) => {
  process.stderr.write(`emulators: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
