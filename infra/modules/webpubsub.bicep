// Azure Web PubSub, which WebCTI pushes screen pops on. Access keys are off: the app signs client tokens and
// sends messages with its identity (Web PubSub Service Owner). The hub and its event handler are in
// webpubsubhub.bicep (deployed after the Function App, whose host name the handler's URL needs).
param name string
param location string
param tags object
param sku string
param principalId string
param roleDefinitionIds string[]
@description('Resource id of the user-assigned identity the service gets its event handler\'s tokens with (upstream auth).')
param serviceIdentityId string

resource service 'Microsoft.SignalRService/webPubSub@2024-03-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
    capacity: 1
  }
  // Its own identity, not the app's: the service needs no role anywhere, only tokens that prove to the app
  // that an event comes from it (the app's identity holds data roles the service must not have).
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${serviceIdentityId}': {}
    }
  }
  properties: {
    disableLocalAuth: true
    disableAadAuth: false
    publicNetworkAccess: 'Enabled'
    tls: { clientCertEnabled: false }
  }
}

resource roles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in roleDefinitionIds: {
    scope: service
    name: guid(service.id, principalId, roleId)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

output endpoint string = 'https://${service.properties.hostName}'
output name string = service.name
