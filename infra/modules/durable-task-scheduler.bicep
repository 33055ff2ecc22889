// The optional task hub backend: a Durable Task Scheduler and its task hub, reached by the app's
// user-assigned identity (Durable Task Data Contributor on the scheduler; no keys). Chosen with
// durableBackend=DurableTaskScheduler; Azure Storage stays the default.
param name string
param location string
param tags object
@description('The app\'s user-assigned identity, in this resource group.')
param identityName string
@description('Task hub name: the one host.json names, so instance ids and history stay in one hub whatever the backend.')
param taskHubName string

var durableTaskDataContributor = '0ad04412-c4d5-4796-b79c-f76d14c8d402'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // Consumption: billed per dispatched action, no capacity units to size.
    sku: { name: 'Consumption' }
    // The Flex Consumption app has no fixed outbound addresses; access is by Entra identity only.
    ipAllowlist: [
      '0.0.0.0/0'
    ]
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
  properties: {}
}

resource dataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(scheduler.id, identity.id, durableTaskDataContributor)
  scope: scheduler
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

output endpoint string = scheduler.properties.endpoint
output taskHubName string = taskHub.name
