// The Function App on Flex Consumption (Node 22), running as the user-assigned identity, with App Service
// Authentication (Microsoft Entra ID) in front. It serves the API, the browser bundles and the agent desktop.
param name string
param planName string
param location string
param tags object
@description('Resource id of the user-assigned identity the app runs as.')
param identityId string
@description('Blob container URL the deployment package is uploaded to (Flex Consumption).')
param deploymentContainerUrl string
param maximumInstanceCount int
param authClientId string
param authTenantId string
@description('App settings as name: value; main.bicep decides them.')
param appSettings object
@description('Subnet the app integrates with for its outbound traffic (infra/modules/egress.bicep); empty = none.')
param virtualNetworkSubnetId string = ''

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Outbound traffic through the egress subnet, whose network security group refuses private destinations.
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // The platform's CORS stays off (no allowed origins): when on, it answers preflights and replaces the
      // app's Access-Control-* headers. The app answers CORS itself, per tenant, for the CRM origins tenants
      // list in their settings (functions/http/cors.ts), which a deployment-wide list could not express.
      cors: {
        allowedOrigins: []
        supportCredentials: false
      }
      appSettings: [for setting in items(appSettings): { name: setting.key, value: setting.value }]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: 2048
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// App Service Authentication. Requests without a session still reach the functions (AllowAnonymous): partner
// routes authenticate with partner keys, and every agent route checks the platform's x-ms-client-principal
// header itself (shared/auth/agentPrincipal.ts) and answers 401 problem+json without it. The platform strips
// any x-ms-client-principal* header a caller sends, so the header can only come from a real sign-in.
// CRM pages on other origins send `Authorization: Bearer` instead: WebCTI agent tokens are opaque (not
// JWTs), so the platform passes them through as it does partner keys; Entra ID access tokens are checked
// by the app against the tenant's CRM settings (docs/operations.md, "Entra ID access tokens").
// No client secret: sign-in uses the ID token (enable "ID tokens" on the app registration).
resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
      runtimeVersion: '~1'
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
      forwardProxy: { convention: 'NoProxy' }
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [authClientId, 'api://${authClientId}']
        }
      }
    }
    login: {
      tokenStore: { enabled: true }
      preserveUrlFragmentsForLogins: true
    }
  }
}

output name string = site.name
output url string = 'https://${site.properties.defaultHostName}'
