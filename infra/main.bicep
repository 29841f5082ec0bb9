// WebCTI on Azure: `azd up` provisions this file (subscription scope: it creates the resource group).
// What it deploys and why is in docs/operations.md; test/infra checks it against the code.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and is tagged azd-env-name on everything.')
param environmentName string

@minLength(1)
@description('Azure region for every resource (one that offers Flex Consumption and Web PubSub).')
param location string

@description('Object id of the operator running azd (azd sets AZURE_PRINCIPAL_ID): gets table access for `npm run ops`. Empty = none.')
param principalId string = ''

@minLength(1)
@description('Application (client) id of the Microsoft Entra app registration agents sign in with (AZURE_AUTH_CLIENT_ID).')
param authClientId string

@description('Directory (tenant) id of that app registration; empty = the tenant of this deployment (AZURE_AUTH_TENANT_ID).')
param authTenantId string = ''

@description('Web PubSub SKU: Free_F1 (20 connections, no SLA) for trials, Standard_S1 for production.')
@allowed(['Free_F1', 'Standard_S1', 'Premium_P1'])
param webPubSubSku string = 'Standard_S1'

@description('Most instances Flex Consumption scales the Function App to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Turn off instrumentation-key ingestion in Application Insights (Entra-only telemetry): the app\'s exporter and the Functions host authenticate with the identity.')
param appInsightsDisableLocalAuth bool = true

@description('Outbound restrictions (WEBCTI_EGRESS): restricted (or empty) = the app\'s outbound traffic goes through a subnet whose network security group refuses private, link-local and shared addresses (infra/modules/egress.bicep); open = no virtual network.')
@allowed(['', 'restricted', 'open'])
param egress string = ''

@description('Email address the alerts are sent to (WEBCTI_ALERT_EMAIL); empty = the alerts fire in Azure Monitor with no one notified.')
param alertEmail string = ''

var tags = { 'azd-env-name': environmentName }
var restrictEgress = egress != 'open'
var token = toLower(uniqueString(subscription().id, environmentName, location))
var hubName = 'webcti'
var tablePrefix = 'webcti'
var deploymentContainerName = 'app-package-${take(token, 8)}'

// Built-in role definition ids (docs: learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  webPubSubServiceOwner: '12cf5a90-567b-43ae-8102-96cf46c7d9b4'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-webcti-${token}'
    location: location
    tags: tags
  }
}

// The Web PubSub resource's own identity: it gets the tokens the hub's event handler calls the app with.
module webPubSubIdentity 'modules/identity.bicep' = {
  name: 'webpubsub-identity'
  scope: rg
  params: {
    name: 'id-wps-webcti-${token}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'stwebcti${take(token, 13)}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    principalId: identity.outputs.principalId
    // Tables: the code's stores read and write rows and create missing tables at start-up.
    // Blobs: Flex Consumption's host storage and the deployment package container.
    roleDefinitionIds: [roles.storageTableDataContributor, roles.storageBlobDataOwner]
    operatorPrincipalId: principalId
    operatorRoleDefinitionIds: [roles.storageTableDataContributor]
  }
}

module webPubSub 'modules/webpubsub.bicep' = {
  name: 'webpubsub'
  scope: rg
  params: {
    name: 'wps-webcti-${token}'
    location: location
    tags: tags
    sku: webPubSubSku
    serviceIdentityId: webPubSubIdentity.outputs.id
    principalId: identity.outputs.principalId
    // Sends to agents' groups and signs client access tokens (negotiate).
    roleDefinitionIds: [roles.webPubSubServiceOwner]
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-webcti-${token}'
    appInsightsName: 'appi-webcti-${token}'
    location: location
    tags: tags
    disableLocalAuth: appInsightsDisableLocalAuth
    principalId: identity.outputs.principalId
    // Entra-authenticated telemetry ingestion (APPLICATIONINSIGHTS_AUTHENTICATION_STRING below).
    roleDefinitionIds: [roles.monitoringMetricsPublisher]
  }
}

module egressNetwork 'modules/egress.bicep' = if (restrictEgress) {
  name: 'egress'
  scope: rg
  params: {
    name: 'vnet-webcti-${token}'
    location: location
    tags: tags
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: 'func-webcti-${token}'
    planName: 'plan-webcti-${token}'
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    identityId: identity.outputs.id
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainerName}'
    maximumInstanceCount: maximumInstanceCount
    authClientId: authClientId
    authTenantId: empty(authTenantId) ? tenant().tenantId : authTenantId
    virtualNetworkSubnetId: restrictEgress ? egressNetwork.outputs.subnetId : ''
    // Every setting here is either read by shared/config.ts (or @azure/identity, the telemetry exporter) or is a
    // documented platform setting; test/infra/settings.test.ts checks both ways. No keys or connection strings:
    // the identity reaches tables, Web PubSub and host storage through Entra ID.
    appSettings: {
      WEBCTI_TABLES_ENDPOINT: storage.outputs.tableEndpoint
      WEBCTI_WEBPUBSUB_ENDPOINT: webPubSub.outputs.endpoint
      WEBCTI_WEBPUBSUB_HUB: hubName
      WEBCTI_TABLE_PREFIX: tablePrefix
      WEBCTI_TELEMETRY: 'azure'
      AZURE_CLIENT_ID: identity.outputs.clientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
      AzureWebJobsStorage__accountName: storage.outputs.name
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.outputs.clientId
      // The hub's event handler accepts only the Web PubSub identity's tokens (webPubSubHub below): from this
      // directory, for the app registration's client id, of that identity's principal.
      WEBCTI_PUSH_EVENTS_TENANT_ID: tenant().tenantId
      WEBCTI_PUSH_EVENTS_AUDIENCE: authClientId
      WEBCTI_PUSH_EVENTS_CALLER_OID: webPubSubIdentity.outputs.principalId
    }
  }
}

// After the Web PubSub resource and the app: the hub's event handler calls the app (docs/push-protocol.md).
module webPubSubHub 'modules/webpubsubhub.bicep' = {
  name: 'webpubsub-hub'
  scope: rg
  params: {
    webPubSubName: webPubSub.outputs.name
    hubName: hubName
    eventHandlerUrl: '${functionApp.outputs.url}/api/v1/push/events'
    eventHandlerAudience: authClientId
  }
}

// Metric and log alert rules, and the action group every alert notifies (docs/operations.md, "Alerts").
module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    webPubSubName: webPubSub.outputs.name
    storageAccountName: storage.outputs.name
    appInsightsName: monitoring.outputs.name
    alertEmail: alertEmail
  }
}

// After the app: the availability test calls its readiness endpoint.
module availability 'modules/availability.bicep' = {
  name: 'availability'
  scope: rg
  params: {
    appInsightsName: monitoring.outputs.name
    location: location
    tags: tags
    appUrl: functionApp.outputs.url
    actionGroupId: alerts.outputs.actionGroupId
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output WEBCTI_URL string = functionApp.outputs.url
// For `npm run ops` on the operator's machine (DefaultAzureCredential, the operator's own sign-in).
output WEBCTI_TABLES_ENDPOINT string = storage.outputs.tableEndpoint
output WEBCTI_TABLE_PREFIX string = tablePrefix
output WEBCTI_WEBPUBSUB_ENDPOINT string = webPubSub.outputs.endpoint
output WEBCTI_WEBPUBSUB_HUB string = hubName
