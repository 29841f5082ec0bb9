// Log Analytics + workspace-based Application Insights: the host's logs and the app's OpenTelemetry traces.
param logAnalyticsName string
param appInsightsName string
param location string
param tags object
param disableLocalAuth bool
param principalId string
param roleDefinitionIds string[]

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: disableLocalAuth
  }
}

resource roles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in roleDefinitionIds: {
    scope: appInsights
    name: guid(appInsights.id, principalId, roleId)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// The connection string names the ingestion endpoint and instrumentation key; it grants no read access.
output connectionString string = appInsights.properties.ConnectionString
output name string = appInsights.name
