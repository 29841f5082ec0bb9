// The availability test on the readiness endpoint (GET /api/health: storage and push reachable, no auth,
// no tenant data; docs/operations.md) and the alert when it fails from two locations or more.
param appInsightsName string
param location string
param tags object
// https://<function app host>: the endpoint's URL is `${appUrl}/api/health`.
param appUrl string
@description('Action group the alert notifies (infra/modules/alerts.bicep).')
param actionGroupId string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

var testName = 'webcti-health'

resource healthTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: '${testName}-${appInsightsName}'
  location: location
  // A web test must name its Application Insights resource in this hidden tag.
  tags: union(tags, { 'hidden-link:${appInsights.id}': 'Resource' })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: testName
    Name: 'WebCTI readiness (GET /api/health)'
    Enabled: true
    Kind: 'standard'
    Frequency: 300
    Timeout: 30
    RetryEnabled: true
    Locations: [
      { Id: 'us-va-ash-azr' }
      { Id: 'emea-nl-ams-azr' }
      { Id: 'apac-sg-sin-azr' }
    ]
    Request: {
      RequestUrl: '${appUrl}/api/health'
      HttpVerb: 'GET'
      ParseDependentRequests: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}

resource healthAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'webcti-health-failing'
  location: 'global'
  tags: tags
  properties: {
    description: 'GET /api/health fails from two test locations or more: storage or push unreachable (docs/operations.md, runbook).'
    severity: 1
    enabled: true
    scopes: [healthTest.id, appInsights.id]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: healthTest.id
      componentId: appInsights.id
      failedLocationCount: 2
    }
    actions: [{ actionGroupId: actionGroupId }]
  }
}

output webTestName string = healthTest.name
