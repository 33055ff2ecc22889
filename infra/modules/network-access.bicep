// Grants the service's user-assigned identity the network role on ONE target resource group: the one
// holding the VNet (gateway, GatewaySubnet, connection) and the ExpressRoute circuit. Deployed by
// main.bicep once per entry of `networkResourceGroups`, possibly in other subscriptions. The role is
// the custom one of network-role.bicep (the ARM operations in src/clouds/azure/rbac-actions.json) or
// the built-in Network Contributor.
targetScope = 'resourceGroup'

@description('Resource id of the user-assigned managed identity (names the assignment deterministically).')
param identityResourceId string

@description('Principal id (object id) of that identity.')
param principalId string

@description('Role definition GUID: the custom network role, or built-in Network Contributor.')
param roleDefinitionGuid string

resource networkRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, identityResourceId, roleDefinitionGuid)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output roleAssignmentId string = networkRole.id
