// The Function App and what it needs, in one resource group: a Node 22 Function App on Flex
// Consumption with the Durable Task engine on Azure Storage (or the Durable Task Scheduler), reached
// only through a user-assigned managed identity (no storage keys, no connection strings), the OCI
// signing key in Key Vault, telemetry and alerts in Application Insights / Log Analytics.
//
// Why Flex Consumption: orchestrations spend hours waiting on durable timers, not executing, so
// pay-per-execution with scale to zero fits; unlike the Linux Consumption (Y1) plan it runs without an
// Azure Files share, so AzureWebJobsStorage can be identity-based end to end, and its default
// functionTimeout is 30 min (unbounded allowed) versus 5/10 min. Elastic Premium would only buy warm
// instances and VNet features we do not need for ARM/OCI public endpoints.
targetScope = 'resourceGroup'

param environmentName string
@description('Suffix that makes the names unique (main.bicep derives it from subscription, group and environment).')
@minLength(13)
@maxLength(13)
param resourceToken string
@description('Name of the user-assigned identity (main.bicep names it, so that it can name role assignments on other groups).')
param identityName string
param location string
param tags object
@description('Object id of the deploying user; empty: none. Gets Key Vault Secrets Officer to rotate the OCI key.')
param principalId string

param ociTenancyOcid string
param ociUserOcid string
param ociFingerprint string
@secure()
param ociPrivateKey string
@secure()
param ociPrivateKeyPassphrase string
param bgpAddressPool string
@allowed([
  'AzureStorage'
  'DurableTaskScheduler'
])
param durableBackend string
@allowed([
  'default'
  'recover'
])
param keyVaultCreateMode string
param alertEmail string
param maximumInstanceCount int
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int
@description('Entra app registration callers request tokens for; empty: no App Service authentication.')
param easyAuthClientId string

var token = resourceToken
var deploymentContainer = 'app-package'
var interconnectsTable = 'interconnects'
var auditTable = 'interconnectaudit'

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: tags
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${environmentName}-${token}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${environmentName}-${token}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    // Only Entra-authenticated ingestion (the app's identity) is accepted.
    DisableLocalAuth: true
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${token}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainer
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// The app creates these on first use too; declaring them makes the data visible as infrastructure.
resource interconnects 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: interconnectsTable
}

resource audit 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: auditTable
}

// What the Functions host and the Durable Task Azure Storage provider need: blobs (leases, large
// messages, deployment package), queues (control and work-item queues), tables (history, instances,
// and the app's own interconnect and audit tables).
resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in [roles.storageBlobDataOwner, roles.storageQueueDataContributor, roles.storageTableDataContributor]: {
    name: guid(storage.id, identity.id, role)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${token}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    createMode: keyVaultCreateMode
  }
}

resource ociKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'oci-private-key'
  properties: {
    value: ociPrivateKey
    contentType: 'application/x-pem-file'
  }
}

resource ociPassphraseSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(ociPrivateKeyPassphrase)) {
  parent: vault
  name: 'oci-private-key-passphrase'
  properties: {
    value: ociPrivateKeyPassphrase
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The deployer may rotate the OCI key (az keyvault secret set) without Owner on the group.
resource deployerSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(vault.id, principalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    // A user locally, a service principal in a pipeline: ARM looks the type up.
    principalId: principalId
  }
}

module scheduler 'durable-task-scheduler.bicep' = if (useScheduler) {
  name: 'durable-task-scheduler'
  params: {
    name: 'dts-${environmentName}-${token}'
    location: location
    tags: tags
    identityName: identity.name
    taskHubName: hostJson.extensions.durableTask.hubName
  }
}

module alerts 'alerts.bicep' = {
  name: 'alerts'
  params: {
    environmentName: environmentName
    location: location
    tags: tags
    workspaceName: logs.name
    alertEmail: alertEmail
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${environmentName}-${token}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

// The task hub host.json names. The storage provider is chosen by app settings (the Functions host
// reads AzureFunctionsJobHost__* over host.json), so host.json, which the local host shares, keeps
// Azure Storage while a deployment may select the Durable Task Scheduler.
var hostJson = loadJsonContent('../../host.json')
var useScheduler = durableBackend == 'DurableTaskScheduler'

// Unversioned secret URIs so a rotated key is picked up without redeploying.
var ociPrivateKeyReference = '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/${ociKeySecret.name}/)'
var ociPassphraseReference = empty(ociPrivateKeyPassphrase) ? '' : '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/oci-private-key-passphrase/)'

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: 'func-${environmentName}-${token}'
  location: location
  // azd deploys the `api` service of azure.yaml to the app carrying this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity, not a system-assigned one.
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // Flex Consumption takes the runtime from functionAppConfig and rejects FUNCTIONS_WORKER_RUNTIME /
      // FUNCTIONS_EXTENSION_VERSION as app settings. Local-only settings (AZURE_EMULATOR_TOKEN,
      // OCI_PRIVATE_KEY_PATH, SIM_SPEED) are deliberately absent.
      appSettings: [
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }
        { name: 'AzureWebJobsStorage__blobServiceUri', value: storage.properties.primaryEndpoints.blob }
        { name: 'AzureWebJobsStorage__queueServiceUri', value: storage.properties.primaryEndpoints.queue }
        { name: 'AzureWebJobsStorage__tableServiceUri', value: storage.properties.primaryEndpoints.table }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsights.properties.ConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identity.properties.clientId};Authorization=AAD' }
        { name: 'AZURE_CREDENTIAL', value: 'default' }
        // DefaultAzureCredential picks the user-assigned identity by this client id.
        { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
        { name: 'AZURE_ARM_ENDPOINT', value: environment().resourceManager }
        // Empty: the OCI SDK derives the regional endpoint from the spec's oci.region.
        { name: 'OCI_ENDPOINT', value: '' }
        { name: 'OCI_TENANCY_OCID', value: ociTenancyOcid }
        { name: 'OCI_USER_OCID', value: ociUserOcid }
        { name: 'OCI_FINGERPRINT', value: ociFingerprint }
        { name: 'OCI_PRIVATE_KEY', value: ociPrivateKeyReference }
        { name: 'OCI_PRIVATE_KEY_PASSPHRASE', value: ociPassphraseReference }
        { name: 'BGP_ADDRESS_POOL', value: bgpAddressPool }
        { name: 'PEERING_LOCATIONS_FILE', value: '' }
        { name: 'POLL_INITIAL_INTERVAL_SECONDS', value: '30' }
        { name: 'POLL_MAX_INTERVAL_SECONDS', value: '300' }
        { name: 'POLL_MIN_INTERVAL_SECONDS', value: '20' }
        { name: 'GATEWAY_DEADLINE_MINUTES', value: '90' }
        { name: 'PROVIDER_DEADLINE_MINUTES', value: '60' }
        { name: 'CONNECTION_DEADLINE_MINUTES', value: '30' }
        { name: 'DEPROVISION_DEADLINE_MINUTES', value: '60' }
        { name: 'DRG_DEADLINE_MINUTES', value: '20' }
        { name: 'VERIFICATION_DEADLINE_MINUTES', value: '30' }
        { name: 'GATEWAY_SUBNET_DEADLINE_MINUTES', value: '15' }
        { name: 'QUEUE_DEADLINE_MINUTES', value: '1440' }
        { name: 'KEEP_RESOURCES_ON_FAILURE', value: 'false' }
        { name: 'INTERCONNECTS_TABLE', value: interconnectsTable }
        { name: 'AUDIT_TABLE', value: auditTable }
        // The health watch (src/workflows/health-watch.ts) and the watchdog (src/workflows/watchdog.ts), at their defaults.
        { name: 'HEALTH_CONTROL_PLANE_MINUTES', value: '5' }
        { name: 'HEALTH_ROUTES_MINUTES', value: '30' }
        { name: 'AUTO_REPAIR', value: 'false' }
        { name: 'HEALTH_KEEPER_SCHEDULE', value: '0 */15 * * * *' }
        { name: 'WATCHDOG_SCHEDULE', value: '0 */5 * * * *' }
        { name: 'WATCHDOG_MARGIN_MINUTES', value: '15' }
        // The ITSM round trip's table and outbox tuning, at their defaults. The ServiceNow and Jira
        // integrations stay off (no *_WEBHOOK_SECRET), so their event routes answer 404.
        { name: 'ITSM_TABLE', value: 'itsmtickets' }
        { name: 'ITSM_INCIDENT_ON_DOWN', value: 'false' }
        { name: 'ITSM_OUTBOX_MAX_ATTEMPTS', value: '20' }
        { name: 'ITSM_OUTBOX_FIRST_RETRY_SECONDS', value: '5' }
        { name: 'ITSM_OUTBOX_MAX_RETRY_SECONDS', value: '900' }
        { name: 'ITSM_WATCH_INTERVAL_SECONDS', value: '60' }
        {
          name: 'AzureFunctionsJobHost__extensions__durableTask__storageProvider__type'
          value: useScheduler ? 'azureManaged' : hostJson.extensions.durableTask.storageProvider.type
        }
        {
          name: 'AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName'
          value: useScheduler ? 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING' : hostJson.extensions.durableTask.storageProvider.connectionStringName
        }
        {
          name: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
          value: useScheduler ? 'Endpoint=${scheduler!.outputs.endpoint};Authentication=ManagedIdentity;ClientID=${identity.properties.clientId}' : ''
        }
      ]
    }
  }
  // The host reads its storage and secrets at start-up; without the grants in place it crash-loops.
  dependsOn: [
    storageRoles
    secretsUser
    metricsPublisher
    packageContainer
    interconnects
    audit
  ]
}

// App Service sets WEBSITE_AUTH_ENABLED=True when this is on; only then does the app trust the
// x-ms-client-principal-name header (EasyAuth strips a client-sent copy and sets its own).
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(easyAuthClientId)) {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: easyAuthClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${easyAuthClientId}'
            easyAuthClientId
          ]
        }
      }
    }
    login: {
      // An API called with bearer tokens: no sign-in sessions to keep.
      tokenStore: {
        enabled: false
      }
    }
  }
}

output functionAppName string = functionApp.name
output apiBaseUrl string = 'https://${functionApp.properties.defaultHostName}/api'
output identityClientId string = identity.properties.clientId
output identityPrincipalId string = identity.properties.principalId
output keyVaultName string = vault.name
output storageAccountName string = storage.name
