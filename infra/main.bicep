// The interconnect orchestrator, deployed by `azd up` (or `az deployment sub create`): one resource
// group holding the Function App and what it needs (modules/app.bicep), the least-privilege network
// role built from the operations the adapters call (src/clouds/azure/rbac-actions.json), and its
// assignment on each resource group that holds target VNets and ExpressRoute circuits.
// Subscription scope, as azd templates are: `azd down` then removes the whole group.
targetScope = 'subscription'

@description('Name of the azd environment; used in resource names and the azd-env-name tag.')
@minLength(2)
@maxLength(12)
param environmentName string

@description('Region of the app. Must offer Flex Consumption (and the Durable Task Scheduler when selected).')
param location string

@description('Resource group of the app. Default: rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of the deploying user (azd sets AZURE_PRINCIPAL_ID). When set, that user may rotate the OCI key secret (Key Vault Secrets Officer on the vault). Empty: no grant.')
param principalId string = ''

@description('Resource groups that hold the target VNets and ExpressRoute circuits, comma-separated, each "<resourceGroup>" (this subscription) or "<subscriptionId>/<resourceGroup>".')
param networkResourceGroups string = ''

@description('Role the app\'s identity gets on each network resource group: "custom" (a role built from exactly the ARM operations the app calls) or "NetworkContributor" (built-in, broader; for tenants where the deployer may not create role definitions).')
@allowed([
  'custom'
  'NetworkContributor'
])
param networkRole string = 'custom'

@description('OCI tenancy OCID (ocid1.tenancy.oc1..).')
@minLength(1)
param ociTenancyOcid string

@description('OCI user OCID of the service user whose API key signs requests (see infra/oci-policy.txt).')
@minLength(1)
param ociUserOcid string

@description('Fingerprint of that API key (aa:bb:..). Empty: the app derives it from the key.')
param ociFingerprint string = ''

@description('The OCI API private key, PEM (newlines may be written as \\n). Stored only as a Key Vault secret.')
@secure()
@minLength(1)
param ociPrivateKey string

@description('Passphrase of the OCI API private key; empty when the key is not encrypted.')
@secure()
param ociPrivateKeyPassphrase string = ''

@description('Pool the BGP /30 blocks are allocated from when a spec gives none.')
param bgpAddressPool string = '192.168.100.0/24'

@description('Task hub backend: AzureStorage (default; tables, queues and blobs of the app\'s storage account) or DurableTaskScheduler (a managed Durable Task Scheduler, for many concurrent interconnects).')
@allowed([
  'AzureStorage'
  'DurableTaskScheduler'
])
param durableBackend string = 'AzureStorage'

@description('Key Vault create mode. The vault has purge protection: after its resource group was deleted, its name stays taken for 90 days by the soft-deleted vault; "recover" brings that vault back (with its secrets) instead of failing.')
@allowed([
  'default'
  'recover'
])
param keyVaultCreateMode string = 'default'

@description('E-mail address that alert notifications go to. Empty: the alert rules fire without an action group (visible in Azure Monitor only).')
param alertEmail string = ''

@description('Flex Consumption scale limits.')
param maximumInstanceCount int = 40
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Client (application) id of an Entra app registration. When set, App Service authentication (EasyAuth, Microsoft Entra ID) is put in front of the HTTP API: callers then need an Entra token for it as well as the function key, and the audit records them by name. Empty: function keys only.')
param easyAuthClientId string = ''

var tags = { 'azd-env-name': environmentName, workload: 'azure-oci-interconnect' }
var groupName = empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName

var targets = map(filter(split(networkResourceGroups, ','), entry => !empty(trim(entry))), entry => contains(entry, '/')
  ? { subscriptionId: trim(split(entry, '/')[0]), resourceGroup: trim(split(entry, '/')[1]) }
  : { subscriptionId: subscription().subscriptionId, resourceGroup: trim(entry) })

// Names derive from this token, so they are the same on every redeploy of the environment.
var resourceToken = toLower(uniqueString(subscription().id, groupName, environmentName))
var identityName = 'id-${environmentName}-${resourceToken}'

var customRoleGuid = guid(subscription().id, resourceToken, 'interconnect-network-operator')
var networkContributor = '4d97b98b-1d4f-4787-a291-c67834d212e7'
var useCustomRole = networkRole == 'custom' && !empty(targets)

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: groupName
  location: location
  tags: tags
}

module app 'modules/app.bicep' = {
  name: 'app'
  scope: group
  params: {
    environmentName: environmentName
    resourceToken: resourceToken
    identityName: identityName
    location: location
    tags: tags
    principalId: principalId
    ociTenancyOcid: ociTenancyOcid
    ociUserOcid: ociUserOcid
    ociFingerprint: ociFingerprint
    ociPrivateKey: ociPrivateKey
    ociPrivateKeyPassphrase: ociPrivateKeyPassphrase
    bgpAddressPool: bgpAddressPool
    durableBackend: durableBackend
    keyVaultCreateMode: keyVaultCreateMode
    alertEmail: alertEmail
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    easyAuthClientId: easyAuthClientId
  }
}

module customRole 'modules/network-role.bicep' = if (useCustomRole) {
  name: 'network-role'
  params: {
    environmentName: environmentName
    roleDefinitionGuid: customRoleGuid
    assignableScopes: map(targets, t => '/subscriptions/${t.subscriptionId}/resourceGroups/${t.resourceGroup}')
  }
}

module networkAccess 'modules/network-access.bicep' = [
  for (target, i) in targets: {
    name: 'network-access-${i}'
    scope: resourceGroup(target.subscriptionId, target.resourceGroup)
    params: {
      identityResourceId: resourceId(subscription().subscriptionId, groupName, 'Microsoft.ManagedIdentity/userAssignedIdentities', identityName)
      principalId: app.outputs.identityPrincipalId
      roleDefinitionGuid: useCustomRole ? customRoleGuid : networkContributor
    }
    // The assignment names the role by GUID, so the role must exist first.
    dependsOn: [
      customRole
    ]
  }
]

output AZURE_RESOURCE_GROUP string = group.name
output AZURE_FUNCTION_APP_NAME string = app.outputs.functionAppName
output API_BASE_URL string = app.outputs.apiBaseUrl
@description('Prints the default function key, which every HTTP call sends as x-functions-key (or ?code=).')
output FUNCTION_KEY_COMMAND string = 'az functionapp keys list -g ${group.name} -n ${app.outputs.functionAppName} --query functionKeys.default -o tsv'
output AZURE_KEY_VAULT_NAME string = app.outputs.keyVaultName
output AZURE_STORAGE_ACCOUNT_NAME string = app.outputs.storageAccountName
output IDENTITY_CLIENT_ID string = app.outputs.identityClientId
output NETWORK_ROLE_DEFINITION_ID string = useCustomRole ? customRole!.outputs.roleDefinitionId : subscriptionResourceId('Microsoft.Authorization/roleDefinitions', networkContributor)
