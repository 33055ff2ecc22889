import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import azureList from "../../src/clouds/azure/rbac-actions.json";
import ociList from "../../src/clouds/oci/iam-permissions.json";
import { type ArmTemplate, compiledMain, moduleTemplate, resources, root } from "./support/template";

/**
 * Least privilege, derived from the code: the SDK calls the adapters make are read from their source
 * (TypeScript's own parser), and each must be in the one list that the custom Azure role and the OCI
 * policy are built from. Adding a call without its permission fails here, before it fails in a tenancy.
 */

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/**
 * Files under src/ that import the SDK package, also for its types only: an adapter handed a client it did
 * not construct (monitoring.ts) imports only the client's type and still calls it.
 */
function filesImporting(sdk: string): string[] {
  return sourceFiles(join(root, "src")).filter((file) => {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    return source.statements.some((s) => ts.isImportDeclaration(s) && (s.moduleSpecifier as ts.StringLiteral).text === sdk);
  });
}

/**
 * Every call whose callee is a property chain through an identifier or property named `client`
 * (`this.client.subnets.beginDelete(...)`, `client.getVcn(...)`): the chain after `client`, dot-joined.
 */
function clientCalls(file: string): { call: string; line: number }[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const calls: { call: string; line: number }[] = [];
  const chain = (e: ts.Expression): string[] | undefined => {
    if (ts.isPropertyAccessExpression(e)) {
      if (e.name.text === "client" || (ts.isIdentifier(e.expression) && e.expression.text === "client"))
        return e.name.text === "client" ? [] : [e.name.text];
      const head = chain(e.expression);
      return head === undefined ? undefined : [...head, e.name.text];
    }
    return undefined;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const parts = chain(node.expression);
      if (parts !== undefined && parts.length > 0)
        calls.push({ call: parts.join("."), line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return calls;
}

function callsOf(sdk: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of filesImporting(sdk))
    for (const { call, line } of clientCalls(file)) found.set(call, `${relative(root, file)}:${line}`);
  return found;
}

describe("the Azure custom network role", () => {
  let main: ArmTemplate;
  beforeAll(() => {
    main = compiledMain();
  });

  it("lists every @azure/arm-network, @azure/arm-compute and @azure/arm-monitor operation the adapters call, and no other", () => {
    const calls = new Map([...callsOf("@azure/arm-network"), ...callsOf("@azure/arm-compute"), ...callsOf("@azure/arm-monitor")]);
    expect(calls.size).toBeGreaterThan(15);
    const listed = Object.keys(azureList.operations);
    const unlisted = [...calls].filter(([call]) => !listed.includes(call)).map(([call, where]) => `${call} (${where})`);
    expect(unlisted, "add these to src/clouds/azure/rbac-actions.json with their RBAC actions").toEqual([]);
    expect(
      listed.filter((op) => !calls.has(op)),
      "listed but no longer called",
    ).toEqual([]);
  });

  it("names only Microsoft.Network actions of the documented shape (and the probe's VM and metrics reads)", () => {
    for (const [op, entry] of Object.entries(azureList.operations)) {
      expect(entry.actions.length, op).toBeGreaterThan(0);
      for (const action of entry.actions)
        expect(action, op).toMatch(
          /^Microsoft\.Network\/[A-Za-z]+(\/[A-Za-z]+)*\/(read|write|delete|action)$|^Microsoft\.Compute\/virtualMachines(\/extensions)?\/read$|^Microsoft\.Insights\/metrics\/read$/,
        );
    }
    // A connection joins the gateway and the circuit; a gateway joins its subnet and public IP.
    expect(azureList.operations["virtualNetworkGatewayConnections.beginCreateOrUpdate"].actions).toEqual(
      expect.arrayContaining([
        "Microsoft.Network/virtualNetworkGateways/join/action",
        "Microsoft.Network/expressRouteCircuits/join/action",
      ]),
    );
    expect(azureList.operations["virtualNetworkGateways.beginCreateOrUpdate"].actions).toEqual(
      expect.arrayContaining(["Microsoft.Network/virtualNetworks/subnets/join/action", "Microsoft.Network/publicIPAddresses/join/action"]),
    );
  });

  it("is what the compiled template builds the role from, assigned on each network group, Network Contributor only as the fallback", () => {
    const roleTemplate = moduleTemplate(main, "network-role");
    const [role] = resources(roleTemplate, "Microsoft.Authorization/roleDefinitions");
    expect(String((role?.properties as { permissions: { actions: string }[] }).permissions[0]?.actions)).toBe("[variables('actions')]");
    expect(roleTemplate.variables?.actions).toBe(
      "[union(flatten(map(items(variables('operations')), lambda('operation', lambdaVariables('operation').value.actions))), createArray())]",
    );
    // loadJsonContent inlines the list: the compiled copy must be today's file.
    const operationsVar = /^\[variables\('(.+)'\)\.operations\]$/.exec(String(roleTemplate.variables?.operations))?.[1] ?? "";
    expect((roleTemplate.variables?.[operationsVar] as typeof azureList).operations).toEqual(azureList.operations);
    expect(main.parameters.networkRole).toMatchObject({ defaultValue: "custom", allowedValues: ["custom", "NetworkContributor"] });
    expect(main.variables?.networkContributor).toBe("4d97b98b-1d4f-4787-a291-c67834d212e7");
    const access = resources(main, "Microsoft.Resources/deployments").find((d) => String(d.name).includes("network-access"));
    expect(access?.copy).toBeDefined();
    expect((access?.properties as { parameters: { roleDefinitionGuid: unknown } }).parameters.roleDefinitionGuid).toBe(
      "[if(variables('useCustomRole'), createObject('value', variables('customRoleGuid')), createObject('value', variables('networkContributor')))]",
    );
  });
});

const VERBS = ["inspect", "read", "use", "manage"] as const;

/** The policy statements (non-comment lines) of infra/oci-policy.txt. */
function policyStatements(): string[] {
  return readFileSync(join(root, "infra", "oci-policy.txt"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

describe("the OCI policy", () => {
  it("lists every oci-core call the adapters make, each with known permissions", () => {
    const calls = callsOf("oci-core");
    expect(calls.size).toBeGreaterThan(10);
    const listed = Object.keys(ociList.operations);
    const unlisted = [...calls].filter(([call]) => !listed.includes(call)).map(([call, where]) => `${call} (${where})`);
    expect(unlisted, "add these to src/clouds/oci/iam-permissions.json with their IAM permissions").toEqual([]);
    expect(
      listed.filter((op) => !calls.has(op)),
      "listed but no longer called",
    ).toEqual([]);
    const permissions = ociList.permissions as Record<string, { resourceType: string; verb: string }>;
    for (const [op, entry] of Object.entries(ociList.operations))
      for (const p of entry.permissions) expect(permissions[p], `${op}: ${p}`).toBeDefined();
    for (const p of Object.values(permissions)) expect(VERBS).toContain(p.verb);
  });

  it("holds exactly the statements the calls imply: the highest verb per resource type, in the spec's compartment", () => {
    const permissions = ociList.permissions as Record<string, { resourceType: string; verb: (typeof VERBS)[number] }>;
    const needed = new Map<string, (typeof VERBS)[number]>();
    for (const entry of Object.values(ociList.operations)) {
      for (const p of entry.permissions) {
        const { resourceType, verb } = permissions[p] as { resourceType: string; verb: (typeof VERBS)[number] };
        const had = needed.get(resourceType);
        if (had === undefined || VERBS.indexOf(verb) > VERBS.indexOf(had)) needed.set(resourceType, verb);
      }
    }
    const expected = [...needed].map(([type, verb]) => `Allow group <group> to ${verb} ${type} in compartment <compartment>`).sort();
    expect(policyStatements().sort()).toEqual(expected);
  });
});
