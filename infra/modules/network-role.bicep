// The custom role the app's identity gets on the network resource groups: exactly the RBAC actions
// of the ARM operations the adapters call, read from the one list in src/clouds/azure (a test keeps
// that list equal to the SDK calls in src/clouds/azure/network.ts).
targetScope = 'subscription'

param environmentName string
@description('GUID of the role definition (main.bicep derives it, so the assignments can name it up front).')
param roleDefinitionGuid string

@description('Resource group ids the role may be assigned on.')
param assignableScopes string[]

var operations = loadJsonContent('../../src/clouds/azure/rbac-actions.json').operations
var actions = union(flatten(map(items(operations), operation => operation.value.actions)), [])

resource role 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: roleDefinitionGuid
  properties: {
    // Role names are unique in the tenant: the token tells environments apart.
    roleName: 'Interconnect network operator (${environmentName}, ${roleDefinitionGuid})'
    description: 'What the Azure-OCI interconnect orchestrator calls on Microsoft.Network: ExpressRoute circuits, gateways, connections, GatewaySubnet and gateway public IPs, ARP and route tables.'
    type: 'CustomRole'
    permissions: [
      {
        actions: actions
        notActions: []
      }
    ]
    assignableScopes: assignableScopes
  }
}

output roleDefinitionId string = role.id
