// Alert rules and the action group they notify (issue 16, items 7 and "Operators"). What each one means and
// what to do: docs/operations.md, "Alerts". test/infra/alerts.test.ts checks every rule against that table.
// Metric alerts read the platform's metrics (Web PubSub, Table storage); log alerts query the app's
// Application Insights (requests: the functions' invocations; traces: the timers' log lines).
param location string
param tags object
param webPubSubName string
param storageAccountName string
param appInsightsName string
@description('Email address the action group notifies; empty = an action group with no receiver.')
param alertEmail string = ''

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' existing = {
  name: webPubSubName
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' existing = {
  parent: storageAccount
  name: 'default'
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-webcti-operators'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'webcti'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [{ name: 'operators', emailAddress: alertEmail, useCommonAlertSchema: true }]
  }
}

// Platform metrics: one static threshold each, evaluated every minute over the last 5 minutes.
var metricRules = [
  {
    name: 'webcti-push-connections-near-limit'
    description: 'Web PubSub connections at 80% or more of the units\' quota (ConnectionCount against 1,000 per unit, 20 on Free_F1): new agents will be refused. Raise the unit count.'
    severity: 2
    scope: webPubSub.id
    metricNamespace: 'Microsoft.SignalRService/WebPubSub'
    metricName: 'ConnectionQuotaUtilization'
    timeAggregation: 'Maximum'
    operator: 'GreaterThanOrEqual'
    threshold: 80
    dimensions: []
  }
  {
    name: 'webcti-push-connection-drops'
    description: 'More than 50 Web PubSub connections closed abnormally (throttled, slow client, service error) in 5 minutes: agents are reconnecting and catching up.'
    severity: 2
    scope: webPubSub.id
    metricNamespace: 'Microsoft.SignalRService/WebPubSub'
    metricName: 'ConnectionCloseCount'
    timeAggregation: 'Total'
    operator: 'GreaterThan'
    threshold: 50
    dimensions: [{ name: 'ConnectionCloseCategory', operator: 'Include', values: ['Throttled', 'SlowClient', 'ServiceTransientError'] }]
  }
  {
    name: 'webcti-storage-availability'
    description: 'Table storage availability under 99% over 5 minutes: requests answer 503 storage_unavailable.'
    severity: 1
    scope: tableService.id
    metricNamespace: 'Microsoft.Storage/storageAccounts/tableServices'
    metricName: 'Availability'
    timeAggregation: 'Average'
    operator: 'LessThan'
    threshold: 99
    dimensions: []
  }
  {
    name: 'webcti-storage-throttling'
    description: 'More than 100 Table storage transactions throttled or refused as busy in 5 minutes: the account or a partition is over its scale target.'
    severity: 2
    scope: tableService.id
    metricNamespace: 'Microsoft.Storage/storageAccounts/tableServices'
    metricName: 'Transactions'
    timeAggregation: 'Total'
    operator: 'GreaterThan'
    threshold: 100
    dimensions: [
      {
        name: 'ResponseType'
        operator: 'Include'
        values: ['ClientThrottlingError', 'ServerBusyError', 'ClientAccountRequestThrottlingError', 'ClientAccountBandwidthThrottlingError']
      }
    ]
  }
]

resource metricAlerts 'Microsoft.Insights/metricAlerts@2018-03-01' = [
  for rule in metricRules: {
    name: rule.name
    location: 'global'
    tags: tags
    properties: {
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [rule.scope]
      evaluationFrequency: 'PT1M'
      windowSize: 'PT5M'
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion'
            name: rule.metricName
            metricNamespace: rule.metricNamespace
            metricName: rule.metricName
            timeAggregation: rule.timeAggregation
            operator: rule.operator
            threshold: rule.threshold
            dimensions: rule.dimensions
          }
        ]
      }
      actions: [{ actionGroupId: actionGroup.id }]
    }
  }
]

// Log alerts on Application Insights. `requests` rows with a URL are HTTP invocations; the timers' rows have
// none. The app's own request spans carry the problem code as customDimensions["webcti.error_code"]
// (shared/telemetry/tracing.ts), the Functions host's rows do not (their code is empty).
var logRules = [
  {
    name: 'webcti-http-5xx-rate'
    description: 'More than 5% of HTTP requests answered 5xx over 5 minutes (at least 20 requests).'
    severity: 2
    windowSize: 'PT5M'
    query: 'requests | where isnotempty(url) | summarize total = count(), failed = countif(toint(resultCode) >= 500) | where total >= 20 | extend failedPercent = 100.0 * failed / total'
    timeAggregation: 'Maximum'
    metricMeasureColumn: 'failedPercent'
    operator: 'GreaterThan'
    threshold: 5
    dimensions: []
  }
  {
    name: 'webcti-http-503-by-code'
    description: 'More than 20 answers 503 of one code (storage_unavailable, push_unavailable) in 5 minutes: a backing service is down or throttling.'
    severity: 1
    windowSize: 'PT5M'
    query: 'requests | where isnotempty(url) and resultCode == "503" | extend code = tostring(customDimensions["webcti.error_code"])'
    timeAggregation: 'Count'
    metricMeasureColumn: ''
    operator: 'GreaterThan'
    threshold: 20
    dimensions: [{ name: 'code', operator: 'Include', values: ['*'] }]
  }
  {
    name: 'webcti-idempotency-conflicts'
    description: 'More than 50 answers 409 idempotency_key_in_use in 5 minutes: retries arrive while their first request still runs, or keys are not freed.'
    severity: 3
    windowSize: 'PT5M'
    query: 'requests | where isnotempty(url) and resultCode == "409" and tostring(customDimensions["webcti.error_code"]) == "idempotency_key_in_use"'
    timeAggregation: 'Count'
    metricMeasureColumn: ''
    operator: 'GreaterThan'
    threshold: 50
    dimensions: []
  }
  {
    name: 'webcti-timers-failing'
    description: 'A timer (runKpiProjection, runWebhookRetries, purgeAgentTokens) failed more than 5 times in 15 minutes: KPIs lag, retries wait or expired tokens stay.'
    severity: 2
    windowSize: 'PT15M'
    query: 'requests | where isempty(url) and name in ("runKpiProjection", "runWebhookRetries", "purgeAgentTokens") and success == false'
    timeAggregation: 'Count'
    metricMeasureColumn: ''
    operator: 'GreaterThan'
    threshold: 5
    dimensions: [{ name: 'name', operator: 'Include', values: ['*'] }]
  }
  {
    name: 'webcti-projection-not-running'
    description: 'No successful runKpiProjection invocation in 15 minutes (it runs every 2 seconds): KPI figures stop following.'
    severity: 2
    windowSize: 'PT15M'
    query: 'requests | where isempty(url) and name == "runKpiProjection" and success == true'
    timeAggregation: 'Count'
    metricMeasureColumn: ''
    operator: 'LessThan'
    threshold: 1
    dimensions: []
  }
  {
    name: 'webcti-webhooks-given-up'
    description: 'Webhook deliveries given up (every attempt failed) in the last 15 minutes: a partner endpoint is down or refusing.'
    severity: 3
    windowSize: 'PT15M'
    query: 'traces | where message startswith "webhook retries:" | extend givenUp = toint(extract(@"(\\d+) given up", 1, message)) | summarize givenUp = sum(givenUp)'
    timeAggregation: 'Total'
    metricMeasureColumn: 'givenUp'
    operator: 'GreaterThan'
    threshold: 0
    dimensions: []
  }  {
    name: 'webcti-pops-not-acknowledged'
    description: 'More than 20 screen pops stored 5 to 30 minutes ago that no agent desktop acknowledged: pops are not reaching desktops (push down, clients failing), so agents are left to search by hand.'
    severity: 2
    windowSize: 'PT30M'
    query: 'let acked = dependencies | where name == "webcti.pop.ack" | extend popId = tostring(customDimensions["webcti.pop_id"]); dependencies | where name == "webcti.pop.store" and timestamp < ago(5m) | extend popId = tostring(customDimensions["webcti.pop_id"]) | join kind=leftanti acked on popId | summarize unacknowledged = count()'
    timeAggregation: 'Total'
    metricMeasureColumn: 'unacknowledged'
    operator: 'GreaterThan'
    threshold: 20
    dimensions: []
  }
  {
    name: 'webcti-items-parked'
    description: 'KPI projection items or webhook retries parked (8 tries failed) in the last 15 minutes: KPIs leave them out, deliveries wait, until an operator unparks them.'
    severity: 2
    windowSize: 'PT15M'
    query: 'traces | where message startswith "kpis:" or message startswith "webhook retries:" | extend parked = toint(extract(@"(\\d+) parked", 1, message)) | summarize parked = sum(parked)'
    timeAggregation: 'Total'
    metricMeasureColumn: 'parked'
    operator: 'GreaterThan'
    threshold: 0
    dimensions: []
  }
]

resource logAlerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in logRules: {
    name: rule.name
    location: location
    tags: tags
    properties: {
      displayName: rule.name
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [appInsights.id]
      evaluationFrequency: 'PT5M'
      windowSize: rule.windowSize
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: rule.timeAggregation
            metricMeasureColumn: empty(rule.metricMeasureColumn) ? null : rule.metricMeasureColumn
            operator: rule.operator
            threshold: rule.threshold
            dimensions: rule.dimensions
            failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
          }
        ]
      }
      actions: { actionGroups: [actionGroup.id] }
    }
  }
]

output actionGroupId string = actionGroup.id
