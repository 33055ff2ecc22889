// npm run package: the self-contained deployment package of the Function App.
//   dist/package/         what runs in Azure: the compiled app (dist/ without the local host, tests,
//                         scripts and infra), production dependencies installed from the lock,
//                         host.json, a package.json without scripts or dev dependencies, .funcignore
//   dist/package.zip      the same folder zipped, for `az functionapp deployment source config-zip`
// azd (azure.yaml `dist: dist/package`, remoteBuild false) runs this script and uploads the folder.
// Usage: node scripts/package.js [--out <folder>]   (the zip goes next to the folder)
const { execFileSync } = require("node:child_process");
const { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } = require("node:fs");
const { join, relative, resolve, sep } = require("node:path");
const AdmZip = require("adm-zip");

const root = join(__dirname, "..");
const outIndex = process.argv.indexOf("--out");
const out = outIndex > 0 ? resolve(process.argv[outIndex + 1] ?? "") : join(root, "dist", "package");
const zipFile = `${out}.zip`;

/** Compiled output that never runs in Azure: the local host and emulators, the tests, tooling, the package itself. */
const EXCLUDED = [
  "dist/src/local",
  "dist/test",
  "dist/scripts",
  "dist/bench",
  "dist/infra",
  "dist/package",
  "dist/package.zip",
  "dist/.e2e-build-lock",
];

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const main = join(root, pkg.main);
if (!existsSync(main)) throw new Error(`${relative(root, main)} is missing: run npm run build first`);

rmSync(out, { recursive: true, force: true });
rmSync(zipFile, { force: true });
mkdirSync(out, { recursive: true });

const excluded = EXCLUDED.map((p) => join(root, p));
const keep = (src) => !excluded.some((x) => src === x || src.startsWith(x + sep)) && src !== out && !src.startsWith(out + sep);
// Entry by entry: the default output folder lives inside dist/ itself.
for (const entry of readdirSync(join(root, "dist"))) {
  const src = join(root, "dist", entry);
  if (keep(src)) cpSync(src, join(out, "dist", entry), { recursive: true, filter: keep });
}
for (const file of ["host.json", ".funcignore"]) cpSync(join(root, file), join(out, file));

// Production dependencies exactly as locked. npm ci needs package.json and the lock in step, so the
// trimmed package.json replaces the full one only after the install.
cpSync(join(root, "package.json"), join(out, "package.json"));
cpSync(join(root, "package-lock.json"), join(out, "package-lock.json"));
execFileSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], {
  cwd: out,
  stdio: "inherit",
});
rmSync(join(out, "package-lock.json"));
rmSync(join(out, "node_modules", ".package-lock.json"), { force: true });
pruneForNode(join(out, "node_modules"));
const { name, version, description, license, main: entry, engines, dependencies } = pkg;
writeFileSync(
  join(out, "package.json"),
  `${JSON.stringify({ name, version, description, private: true, license, main: entry, engines, dependencies }, null, 2)}\n`,
);

/**
 * Drops what Node never loads: type declarations, source maps, and the browser and react-native builds
 * of dual-build packages (the Azure SDK ships dist/{commonjs,esm,browser,react-native}; Node resolves
 * only the first two). Halves the package; the package test runs the result.
 */
function pruneForNode(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if ((e.name === "browser" || e.name === "react-native") && existsSync(join(dir, "commonjs"))) rmSync(p, { recursive: true });
      else pruneForNode(p);
    } else if (/\.(map|d\.ts|d\.mts|d\.cts)$/.test(e.name)) {
      rmSync(p);
    }
  }
}

const zip = new AdmZip();
zip.addLocalFolder(out);
zip.writeZip(zipFile);

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const du = (p) => {
  const s = statSync(p);
  if (!s.isDirectory()) return s.size;
  return readdirSync(p).reduce((sum, e) => sum + du(join(p, e)), 0);
};
console.log(
  `package: ${relative(root, zipFile) || zipFile} ${mb(statSync(zipFile).size)} (unpacked ${mb(du(out))}, of which node_modules ${mb(du(join(out, "node_modules")))})`,
);
