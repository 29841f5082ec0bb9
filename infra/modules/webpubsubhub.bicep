// The hub WebCTI pushes on, with its one event handler: the app's POST /api/v1/push/events gets the system
// events connect (blocking: it refuses a connection past WEBCTI_MAX_CONNECTIONS_PER_AGENT) and disconnected
// (docs/push-protocol.md, "Connection"). A module of its own, deployed after the Web PubSub resource and the
// Function App: the handler's URL needs the app's host name, and the app's settings need the service's endpoint.
param webPubSubName string
param hubName string
@description('The event handler\'s URL: https://<function app host>/api/v1/push/events.')
param eventHandlerUrl string
@description('The audience of the token the service sends each event with (upstream auth ManagedIdentity): the app registration\'s client id.')
param eventHandlerAudience string

resource service 'Microsoft.SignalRService/webPubSub@2024-03-01' existing = {
  name: webPubSubName
}

resource hub 'Microsoft.SignalRService/webPubSub/hubs@2024-03-01' = {
  parent: service
  name: hubName
  properties: {
    // Clients connect only with a token from negotiate.
    anonymousConnectPolicy: 'deny'
    eventHandlers: [
      {
        urlTemplate: eventHandlerUrl
        systemEvents: ['connect', 'disconnected']
        // The service has no access key to sign events with (local auth is off): it gets an Entra access token
        // for this audience with its managed identity and sends it as Authorization: Bearer on every event;
        // the app checks it (WEBCTI_PUSH_EVENTS_*, shared/realtime/eventCaller.ts).
        auth: {
          type: 'ManagedIdentity'
          managedIdentity: {
            resource: eventHandlerAudience
          }
        }
      }
    ]
  }
}

output hub string = hub.name
