// Grants the service's user-assigned identity what it needs on ONE target resource group: the one
// holding the VNet (gateway, GatewaySubnet, connection) and the ExpressRoute circuit. Deployed by
// main.bicep once per entry of `networkResourceGroups`, possibly in other subscriptions.
targetScope = 'resourceGroup'

@description('Principal id (object id) of the user-assigned managed identity.')
param principalId string

@description('Role definition GUID. Default: built-in Network Contributor. Replace with a custom role limited to the actions in peers-and-conventions.md §4 if policy requires.')
param roleDefinitionGuid string = '4d97b98b-1d4f-4787-a291-c67834d212e7'

resource networkRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, roleDefinitionGuid)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output roleAssignmentId string = networkRole.id
