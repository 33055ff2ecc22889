// @ts-check
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

const CLOUD_SDKS = ["@azure/arm-network", "@azure/identity", "oci-core", "oci-common"];
// The app's own storage account is reached with an identity too (store/storage-account.ts).
const CLOUD_SDKS_BUT_IDENTITY = CLOUD_SDKS.filter((p) => p !== "@azure/identity");
const STORAGE_SDKS = ["@azure/data-tables", "@azure/storage-queue"];

/** One layer's import rule: the sibling layers it must not reach, the SDKs it must not load, and never src/local or src/cli. */
function layer(folder, siblings, { sdks }) {
  // The CLI is a client of the REST API: nothing of the app imports it.
  const forbidden = [...siblings, "cli"];
  return [
    {
      files: [`${folder}/**/*.ts`],
      rules: {
        "no-restricted-imports": [
          "error",
          {
            patterns: [
              ...(sdks.length > 0
                ? [
                    {
                      group: sdks,
                      message: `${folder} may not import ${sdks.join(", ")}: cloud SDKs live in src/clouds, storage SDKs in src/store (DESIGN.md layering).`,
                    },
                  ]
                : []),
              {
                regex: `^(\\.\\./)+(${forbidden.join("|")})(/|$)`,
                message: `${folder} may not import src/{${forbidden.join(",")}} (DESIGN.md layering).`,
              },
              { group: ["**/local/**"], message: "App code never imports src/local (DESIGN.md layering)." },
            ],
          },
        ],
      },
    },
  ];
}

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", ".local/**"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: "readonly",
        process: "readonly",
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        Buffer: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        URL: "readonly",
        fetch: "readonly",
      },
    },
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
  // Layering (shared/DESIGN.md), one block per folder: what each layer may not import, so a break fails lint.
  // functions -> requests -> workflows/activities -> clouds/store -> contracts -> domain; nothing imports functions or local.
  ...layer("src/domain", ["contracts", "store", "clouds", "config", "activities", "workflows", "requests", "functions"], {
    sdks: [...CLOUD_SDKS, ...STORAGE_SDKS, "durable-functions", "@azure/functions"],
  }),
  ...layer("src/contracts", ["store", "clouds", "config", "activities", "workflows", "requests", "functions"], {
    sdks: [...CLOUD_SDKS, ...STORAGE_SDKS, "durable-functions", "@azure/functions"],
  }),
  ...layer("src/store", ["clouds", "config", "activities", "workflows", "requests", "functions"], { sdks: CLOUD_SDKS_BUT_IDENTITY }),
  ...layer("src/clouds", ["store", "config", "activities", "workflows", "requests", "functions"], { sdks: STORAGE_SDKS }),
  ...layer("src/config", ["clouds", "activities", "workflows", "requests", "functions"], { sdks: [...CLOUD_SDKS, ...STORAGE_SDKS] }),
  ...layer("src/workflows", ["store", "clouds", "config", "activities", "requests", "functions"], {
    sdks: [...CLOUD_SDKS, ...STORAGE_SDKS],
  }),
  ...layer("src/activities", ["workflows", "requests", "functions"], { sdks: [...CLOUD_SDKS, ...STORAGE_SDKS] }),
  ...layer("src/requests", ["clouds", "functions"], { sdks: [...CLOUD_SDKS, ...STORAGE_SDKS] }),
  ...layer("src/functions", ["clouds"], { sdks: [...CLOUD_SDKS, ...STORAGE_SDKS] }),
  // The console's built files, read from disk: nothing of the app, no SDK.
  ...layer("src/console", ["domain", "contracts", "store", "clouds", "config", "activities", "workflows", "requests", "functions"], {
    sdks: [...CLOUD_SDKS, ...STORAGE_SDKS, "durable-functions", "@azure/functions"],
  }),
  // The `interconnect` CLI talks to the service over HTTP only; @azure/identity gets its --entra token.
  ...layer("src/cli", ["contracts", "store", "clouds", "config", "activities", "workflows", "requests", "functions"], {
    sdks: [...CLOUD_SDKS_BUT_IDENTITY, ...STORAGE_SDKS, "durable-functions", "@azure/functions"],
  }),
  {
    // The emulators are the other side of the wire: they import nothing of the app.
    files: ["src/local/emulators/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "**/domain/**",
                "**/store/**",
                "**/clouds/**",
                "**/activities/**",
                "**/workflows/**",
                "**/functions/**",
                "**/config/**",
                "**/host/**",
              ],
              message: "Emulators import no app code.",
            },
          ],
        },
      ],
    },
  },
);
