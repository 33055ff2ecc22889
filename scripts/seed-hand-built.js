#!/usr/bin/env node
// npm run seed:hand-built -- [name] [--omit-route-rule] [--body file.json]
// Builds an interconnect by hand in the running local stack's emulators (POST /admin/seed/handBuiltInterconnects
// on the ARM emulator, which drives both clouds), prints its ids, and writes the adoption request to
// .local/adoption-<name>.json for POST /api/interconnects/adoptions.
"use strict";
const fs = require("node:fs");
const https = require("node:https");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const local = path.resolve(root, process.env.LOCAL_STACK_DIR || ".local");

function fail(message) {
  process.stderr.write(`seed:hand-built: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const body = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--omit-route-rule") body.omitRouteRule = true;
    else if (arg === "--body") {
      const file = argv[++i];
      if (!file) fail("--body needs a JSON file");
      Object.assign(body, JSON.parse(fs.readFileSync(file, "utf8")));
    } else if (arg.startsWith("-")) fail(`unknown option ${arg} (known: --omit-route-rule, --body <file.json>)`);
    else body.name = arg;
  }
  body.name ??= "legacy";
  return body;
}

function post(url, ca, body) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: "POST", ca, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode, json: text ? JSON.parse(text) : {} }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

async function main() {
  const factsFile = path.join(local, "stack.json");
  if (!fs.existsSync(factsFile)) fail(`no ${path.relative(root, factsFile)}: start the local stack first (npm start)`);
  const facts = JSON.parse(fs.readFileSync(factsFile, "utf8"));
  if (!facts.emulators) fail("the local stack runs against real clouds (AZURE_CREDENTIAL=default): there are no emulators to seed");
  const body = parseArgs(process.argv.slice(2));
  const res = await post(
    `${facts.emulators.arm.url}/admin/seed/handBuiltInterconnects`,
    fs.readFileSync(facts.emulators.arm.caCertPath),
    body,
  ).catch((e) => fail(`the ARM emulator at ${facts.emulators.arm.url} did not answer (${e.message}); is npm start running?`));
  if (res.status !== 201) fail(`${res.status} ${res.json.error?.message ?? JSON.stringify(res.json)}`);
  const out = path.join(local, `adoption-${body.name}.json`);
  fs.writeFileSync(out, JSON.stringify(res.json.adoption, null, 2) + "\n");
  const { azure, oci } = res.json;
  process.stdout.write(
    [
      `Built by hand: ${body.name}`,
      `  circuit          ${azure.circuitId}  (service key ${azure.serviceKey})`,
      `  gateway          ${azure.gatewayId}`,
      `  connection       ${azure.connectionId}`,
      `  virtual circuit  ${oci.virtualCircuitId}`,
      `  DRG              ${oci.drgId}  (attachment ${oci.drgAttachmentId})`,
      `  route rules      ${oci.routeRules.map((r) => r.destination).join(", ") || "none"}${oci.omittedRouteRule ? `  (left out: ${oci.omittedRouteRule})` : ""}`,
      "",
      `Adoption request: ${path.relative(root, out)}. Adopt it with`,
      `  curl -si -X POST ${facts.api}/interconnects/adoptions -H 'content-type: application/json' --data @${path.relative(root, out)}`,
      "",
    ].join("\n"),
  );
}

main().catch((e) => fail(e.stack || String(e)));
