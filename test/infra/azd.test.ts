import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2019 from "ajv/dist/2019";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { compiledMain, only, moduleTemplate, root } from "./support/template";

/**
 * The rules of azd's schema for azure.yaml that this file relies on, written out by hand from
 * Azure/azure-dev `schemas/v1.0/azure.yaml.json` (JSON Schema 2019-09): the required name and its
 * pattern; services as objects that require `host`; the typed service properties used here; the
 * "traditional hosts" rule (appservice, function, springapp, staticwebapp require `project` and
 * reject image, docker, k8s, apiVersion and env); `remoteBuild` only with host function; and the
 * service hook names. The schema itself is not vendored (it is not shipped in a registry package).
 */
const hook = {
  anyOf: [{ $ref: "#/definitions/hook" }, { type: "array", items: { $ref: "#/definitions/hook" } }],
};
const azdSchemaSubset = {
  $schema: "https://json-schema.org/draft/2019-09/schema",
  type: "object",
  required: ["name"],
  additionalProperties: true,
  properties: {
    name: { type: "string", minLength: 2, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" },
    resourceGroup: { type: "string", minLength: 3, maxLength: 64 },
    metadata: { type: "object", properties: { template: { type: "string" } } },
    infra: {
      type: "object",
      properties: { provider: { type: "string", pattern: "^[a-z0-9.]+$" }, path: { type: "string" }, module: { type: "string" } },
    },
    services: {
      type: "object",
      minProperties: 1,
      additionalProperties: {
        type: "object",
        additionalProperties: true,
        required: ["host"],
        properties: {
          resourceGroup: { type: "string" },
          resourceName: { type: "string" },
          project: { type: "string" },
          image: { type: "string" },
          host: { type: "string" },
          language: { type: "string" },
          module: { type: "string" },
          dist: { type: "string" },
          remoteBuild: { type: "boolean" },
          env: { type: "object", additionalProperties: { type: "string" } },
          hooks: {
            type: "object",
            additionalProperties: false,
            properties: Object.fromEntries(
              [
                "predeploy",
                "postdeploy",
                "prerestore",
                "postrestore",
                "prebuild",
                "postbuild",
                "prepackage",
                "postpackage",
                "prepublish",
                "postpublish",
              ].map((h) => [h, hook]),
            ),
          },
        },
        allOf: [
          {
            if: { properties: { host: { enum: ["appservice", "function", "springapp", "staticwebapp"] } } },
            then: { required: ["project"], properties: { image: false, docker: false, k8s: false, apiVersion: false, env: false } },
          },
          { if: { properties: { host: { not: { const: "function" } } } }, then: { properties: { remoteBuild: false } } },
        ],
      },
    },
  },
  definitions: {
    hook: {
      type: "object",
      additionalProperties: false,
      properties: {
        shell: { type: "string", enum: ["sh", "pwsh"] },
        run: { type: "string" },
        continueOnError: { type: "boolean" },
        interactive: { type: "boolean" },
      },
    },
  },
};

const validate = new Ajv2019({ allErrors: true, strict: true, strictRequired: false }).compile(azdSchemaSubset);
const azureYaml = parse(readFileSync(join(root, "azure.yaml"), "utf8")) as {
  name: string;
  services: Record<string, { host: string; language: string; project: string; dist: string; remoteBuild: boolean }>;
};

describe("azure.yaml", () => {
  it("is valid against azd's schema rules", () => {
    expect(validate(azureYaml), JSON.stringify(validate.errors)).toBe(true);
  });

  it("and the rules can fail: a function service without project, or remoteBuild on another host", () => {
    expect(validate({ name: "x-app", services: { api: { host: "function", language: "ts" } } })).toBe(false);
    expect(validate({ name: "x-app", services: { web: { host: "appservice", project: ".", remoteBuild: false } } })).toBe(false);
    expect(validate({ name: "Bad_Name", services: { api: { host: "function", project: "." } } })).toBe(false);
  });

  it("deploys the api service as a TypeScript function from the package dist/package, without a remote build", () => {
    expect(Object.keys(azureYaml.services)).toEqual(["api"]);
    expect(azureYaml.services.api).toMatchObject({
      host: "function",
      language: "ts",
      project: ".",
      dist: "dist/package",
      remoteBuild: false,
    });
    // azd runs `npm run package` (which writes dist/package) and finds the app by its azd-service-name tag.
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.package).toBe("node scripts/package.js");
    expect(readFileSync(join(root, "scripts", "package.js"), "utf8")).toContain('join(root, "dist", "package")');
    const site = only(moduleTemplate(compiledMain(), "app"), "Microsoft.Web/sites");
    expect(String(site.tags)).toContain("'azd-service-name', 'api'");
  });
});

describe("infra/main.parameters.json", () => {
  const file = JSON.parse(readFileSync(join(root, "infra", "main.parameters.json"), "utf8")) as {
    parameters: Record<string, { value: unknown }>;
  };
  const main = compiledMain();

  it("passes only parameters main.bicep declares, and every one without a default", () => {
    const declared = Object.keys(main.parameters);
    expect(Object.keys(file.parameters).filter((p) => !declared.includes(p))).toEqual([]);
    const required = Object.entries(main.parameters)
      .filter(([, p]) => p.defaultValue === undefined)
      .map(([name]) => name);
    expect(required.filter((p) => !(p in file.parameters))).toEqual([]);
  });

  it("takes every value from the azd environment, as a string parameter, with a default where main.bicep has one", () => {
    for (const [name, { value }] of Object.entries(file.parameters)) {
      const match = /^\$\{([A-Z][A-Z0-9_]*)(=([^}]*))?\}$/.exec(String(value));
      expect(match, `${name}: ${String(value)}`).not.toBeNull();
      expect(["string", "securestring"], name).toContain(main.parameters[name]?.type);
      const allowed = main.parameters[name]?.allowedValues;
      if (allowed && match?.[3] !== undefined) expect(allowed, name).toContain(match[3]);
    }
    expect(file.parameters.environmentName?.value).toBe("${AZURE_ENV_NAME}");
    expect(file.parameters.location?.value).toBe("${AZURE_LOCATION}");
    expect(file.parameters.principalId?.value).toBe("${AZURE_PRINCIPAL_ID}");
    expect(file.parameters.ociPrivateKey?.value).toBe("${OCI_PRIVATE_KEY}");
  });
});
