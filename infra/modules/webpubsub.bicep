// Azure Web PubSub with the hub WebCTI pushes screen pops on. Access keys are off: the app signs client
// tokens and sends messages with its identity (Web PubSub Service Owner). No event handlers: clients only listen.
param name string
param location string
param tags object
param sku string
param hubName string
param principalId string
param roleDefinitionIds string[]

resource service 'Microsoft.SignalRService/webPubSub@2024-03-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
    capacity: 1
  }
  properties: {
    disableLocalAuth: true
    disableAadAuth: false
    publicNetworkAccess: 'Enabled'
    tls: { clientCertEnabled: false }
  }
}

resource hub 'Microsoft.SignalRService/webPubSub/hubs@2024-03-01' = {
  parent: service
  name: hubName
  properties: {
    // Clients connect only with a token from negotiate.
    anonymousConnectPolicy: 'deny'
    eventHandlers: []
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
output hub string = hub.name
output name string = service.name
