// The user-assigned identity the Function App runs as: every data-plane call (tables, Web PubSub, host storage,
// telemetry) authenticates with it, so no keys or connection strings live in app settings.
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
