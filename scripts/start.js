#!/usr/bin/env node
// npm start: build when dist is missing or older than the sources, then run the local stack.
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const { existsSync, readdirSync, statSync } = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const entry = path.join(root, "dist/src/local/stack.js");

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(ts|json|html|css)$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`npm start needs Node.js 20.19 or newer; this is ${process.version}.`);
  process.exit(1);
}
if (!existsSync(path.join(root, "node_modules/durable-functions"))) {
  console.error("Dependencies are missing: run npm install first.");
  process.exit(1);
}
const consoleIndex = path.join(root, "dist/console/index.html");
const stale = !existsSync(entry) || statSync(entry).mtimeMs < newestSource(path.join(root, "src"));
const consoleStale = !existsSync(consoleIndex) || statSync(consoleIndex).mtimeMs < newestSource(path.join(root, "web"));
if (stale) {
  console.log(existsSync(entry) ? "The build is older than src/: rebuilding (npm run build)…" : "No build yet: building (npm run build)…");
  const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "tsconfig.json")], {
    stdio: "inherit",
  });
  if (!existsSync(entry)) {
    console.error("The build did not produce dist/src/local/stack.js. Fix the TypeScript errors above and run npm start again.");
    process.exit(1);
  }
  if (tsc.status !== 0) console.warn("TypeScript reported errors (above); starting with the JavaScript it emitted anyway.");
}
if (stale || consoleStale) {
  const web = spawnSync(process.execPath, [path.join(root, "scripts/build-console.js")], { stdio: "inherit" });
  if (web.status !== 0)
    console.warn("The web console did not build (errors above); the API works, /api/console answers 503 until it builds.");
}
// The stack runs as a child so that a signal sent to this process alone (a process manager, `kill`)
// still reaches it; a terminal's Ctrl-C reaches both, and the stack stops once.
const stack = spawn(process.execPath, [entry], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (stack.exitCode === null) stack.kill(signal);
  });
}
stack.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
