// Alert rules over the app's logs in Log Analytics (AppTraces of the workspace-based Application
// Insights): a step that failed for good, and an interconnect record that nothing moves on any more.
//
// The log shape they rely on: the app writes, for each audit row and for each orphaned record it
// finds, a trace whose fields (as customDimensions, or as the JSON object that is the whole message)
// include `phase` (the audit phase: succeeded, retrying, failed), `interconnect`, `operation`,
// `instanceId`, `step`, and `orphaned: true` for an orphaned record.
param environmentName string
param location string
param tags object
param workspaceName string
@description('E-mail for notifications; empty: no action group.')
param alertEmail string

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-${environmentName}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take('ic${environmentName}', 12)
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// Structured fields come either as trace properties or as a JSON message; both are read.
var fields = 'AppTraces | extend f = bag_merge(Properties, iff(Message startswith "{", parse_json(Message), dynamic({})))'

var rules = [
  {
    name: 'failed-step'
    description: 'A workflow step failed for good (audit phase "failed"): the interconnect needs a look, and resources may still bill.'
    severity: 1
    window: 'PT5M'
    query: '${fields} | where tostring(f.phase) == "failed" | summarize failures = count() by interconnect = tostring(f.interconnect), operation = tostring(f.operation), step = tostring(f.step)'
  }
  {
    name: 'orphaned-record'
    description: 'An interconnect record says an operation is under way but no orchestration runs it; a DELETE (teardown) moves it on.'
    severity: 2
    window: 'PT1H'
    query: '${fields} | where tostring(f.orphaned) == "true" | summarize records = count() by interconnect = tostring(f.interconnect)'
  }
]

resource alerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in rules: {
    name: 'alert-${environmentName}-${rule.name}'
    location: location
    tags: tags
    properties: {
      displayName: '${environmentName}: ${rule.name}'
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        workspace.id
      ]
      evaluationFrequency: 'PT5M'
      windowSize: rule.window
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            dimensions: [
              {
                name: 'interconnect'
                operator: 'Include'
                values: [
                  '*'
                ]
              }
            ]
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: empty(alertEmail) ? [] : [actionGroup.id]
      }
    }
  }
]

output alertRuleNames string[] = [for (rule, i) in rules: alerts[i].name]
