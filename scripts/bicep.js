// Finds a Bicep CLI: `az bicep` or `bicep` on PATH when present, else the one infra/tools/bicep-cli.csproj
// restores from NuGet (restoring it on first use). Used by `npm run infra:build` and test/infra.
const { execFileSync, spawnSync } = require("node:child_process");
const { chmodSync, existsSync, readFileSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const toolsProject = join(root, "infra", "tools", "bicep-cli.csproj");
const packagesDir = join(root, "infra", "tools", "packages");
const PACKAGE = "Azure.Bicep.CommandLine.linux-x64";

function works(command, args) {
  const r = spawnSync(command, args, { stdio: "ignore" });
  return r.status === 0;
}

function restoredPath() {
  const version = readFileSync(toolsProject, "utf8").match(/Include="Azure\.Bicep\.CommandLine\.linux-x64" Version="\[([^\]]+)\]"/)?.[1];
  if (!version) throw new Error(`${toolsProject}: no PackageDownload of ${PACKAGE} with an exact [version]`);
  return join(packagesDir, PACKAGE.toLowerCase(), version, "tools", "bicep");
}

/** The restored CLI, restoring it with `dotnet restore` when absent (NuGet only; the project builds nothing). */
function restoredBicep() {
  const path = restoredPath();
  if (!existsSync(path)) {
    execFileSync("dotnet", ["restore", toolsProject, "--packages", packagesDir, "--nologo", "--verbosity", "quiet"], { stdio: "inherit" });
    if (!existsSync(path)) throw new Error(`dotnet restore of ${toolsProject} did not produce ${path}`);
  }
  // NuGet extraction does not keep the executable bit on every system.
  chmodSync(path, 0o755);
  return path;
}

let found;

/** How to run `bicep <verb> ...`: [command, ...leading args]. */
function bicepCommand() {
  if (!found) {
    if (works("az", ["bicep", "version"])) found = ["az", "bicep"];
    else if (works("bicep", ["--version"])) found = ["bicep"];
    else found = [restoredBicep()];
  }
  return found;
}

/** Runs one verb; returns exit status and all output (diagnostics go to stderr). */
function runBicep(args) {
  const [command, ...lead] = bicepCommand();
  const r = spawnSync(command, [...lead, ...args], { encoding: "utf8", cwd: root });
  if (r.error) throw r.error;
  return { status: r.status ?? 1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** Compiles a .bicep file to ARM JSON text; any diagnostic (warning or error) is a failure. */
function compile(file) {
  const [command, ...lead] = bicepCommand();
  const args = command === "az" ? [...lead, "build", "--file", file, "--stdout"] : [...lead, "build", file, "--stdout"];
  const r = spawnSync(command, args, { encoding: "utf8", cwd: root, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0 || /\b(Warning|Error) /.test(r.stderr ?? "")) throw new Error(`bicep build ${file} failed:\n${r.stderr}`);
  return r.stdout;
}

module.exports = { bicepCommand, runBicep, compile, root };

// `node scripts/bicep.js build <file.bicep>`: the compiled ARM JSON on stdout (test/infra reads it).
if (require.main === module) {
  const [verb, file] = process.argv.slice(2);
  if (verb !== "build" || !file) {
    console.error("usage: node scripts/bicep.js build <file.bicep>");
    process.exit(2);
  }
  process.stdout.write(compile(file));
}
