// Lets a child process run the host's TypeScript sources directly: each .ts file is transpiled
// (no type check) with the project's own compiler settings when Node requires it.
const ts = require("typescript");
const { readFileSync } = require("node:fs");
require.extensions[".ts"] = (module, filename) => {
  const out = ts.transpileModule(readFileSync(filename, "utf8"), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
    fileName: filename,
  });
  module._compile(out.outputText, filename);
};
