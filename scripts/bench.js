#!/usr/bin/env node
// npm run bench: compile, then run every dist/bench/*.js in name order, each in its own process.
"use strict";
const { spawnSync } = require("node:child_process");
const { existsSync, readdirSync } = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "tsconfig.json")], {
  stdio: "inherit",
});
if (tsc.status !== 0) console.warn("TypeScript reported errors (above); running the emitted benchmarks anyway.");
const dir = path.join(root, "dist/bench");
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith(".js"))
      .sort()
  : [];
if (files.length === 0) {
  console.error("No benchmark found in dist/bench (bench/*.ts).");
  process.exit(1);
}
// Figures depend on the machine: say which one, and when.
const os = require("node:os");
const cpu = os.cpus()[0];
console.log(
  `Benchmark run ${new Date().toISOString()} on ${os.hostname()}: ${os.cpus().length} x ${cpu ? cpu.model.trim() : "unknown CPU"}, ` +
    `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
);
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, [path.join(dir, f)], { stdio: "inherit", cwd: root });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
