// @ts-check
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", ".local/**"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: "readonly", process: "readonly", require: "readonly", module: "writable", __dirname: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", URL: "readonly", fetch: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-imports": "off",
    },
  },
  {
    // Plain CommonJS scripts (scripts/, the host test fixture app) load modules with require().
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The fixture app's orchestrators include a deliberately yield-less one (completes in its first episode).
    files: ["test/fixtures/**/*.js"],
    rules: { "require-yield": "off" },
  },
  {
    // Layering (shared/DESIGN.md): the cloud SDKs are imported only under src/clouds; app code never imports src/local.
    files: ["src/domain/**/*.ts", "src/store/**/*.ts", "src/workflows/**/*.ts", "src/activities/**/*.ts", "src/functions/**/*.ts", "src/config/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["@azure/arm-network", "@azure/identity", "oci-core", "oci-common"], message: "Cloud SDKs are imported only in src/clouds (DESIGN.md layering)." },
        { group: ["**/local/**"], message: "App code never imports src/local (DESIGN.md layering)." },
      ] }],
    },
  },
  {
    // The emulators are the other side of the wire: they import nothing of the app.
    files: ["src/local/emulators/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["**/domain/**", "**/store/**", "**/clouds/**", "**/activities/**", "**/workflows/**", "**/functions/**", "**/config/**", "**/host/**"], message: "Emulators import no app code." },
      ] }],
    },
  },
);
