// npm run infra:build: compiles every .bicep file under infra/ to dist/infra/ and lints it with
// infra/bicepconfig.json (every linter rule at level error). Any diagnostic, warning or error, fails.
const { mkdirSync, readdirSync, writeFileSync } = require("node:fs");
const { join, relative } = require("node:path");
const { bicepCommand, compile, runBicep, root } = require("./bicep");

const infra = join(root, "infra");
const out = join(root, "dist", "infra");

function bicepFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return e.name === "tools" ? [] : bicepFiles(join(dir, e.name));
    return e.name.endsWith(".bicep") ? [join(dir, e.name)] : [];
  });
}

const files = bicepFiles(infra);
if (files.length === 0) throw new Error("no .bicep files under infra/");
console.log(`bicep: ${bicepCommand().join(" ")} (${runBicep(["--version"]).output.trim()})`);
let failed = 0;
for (const file of files) {
  const name = relative(infra, file);
  try {
    const json = compile(file);
    const target = join(out, name.replace(/\.bicep$/, ".json"));
    mkdirSync(join(target, ".."), { recursive: true });
    writeFileSync(target, json);
  } catch (err) {
    failed++;
    console.error(String(err instanceof Error ? err.message : err));
    continue;
  }
  const [command] = bicepCommand();
  const lint = runBicep(command === "az" ? ["lint", "--file", file] : ["lint", file]);
  if (lint.status !== 0 || /\b(Warning|Error) /.test(lint.output)) {
    failed++;
    console.error(`bicep lint ${name} failed:\n${lint.output}`);
    continue;
  }
  console.log(`ok ${name}`);
}
if (failed > 0) {
  console.error(`${failed} of ${files.length} Bicep files failed to build or lint`);
  process.exit(1);
}
console.log(`${files.length} Bicep files built to ${relative(root, out)}/ and linted`);
