#!/usr/bin/env node
// The web console's build: type-check and compile web/src to ES modules in dist/console, then copy the
// static files and the example spec beside them. No bundler: the browser loads the modules as they are.
"use strict";
const { spawnSync } = require("node:child_process");
const { cpSync, mkdirSync, rmSync } = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const out = path.join(root, "dist/console");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "web/tsconfig.json")], {
  stdio: "inherit",
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
cpSync(path.join(root, "web/static"), out, { recursive: true });
cpSync(path.join(root, "examples/erp-prod.json"), path.join(out, "example-spec.json"));
