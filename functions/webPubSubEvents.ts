import { z } from "zod";
import type { HttpResponseInit } from "@azure/functions";
import { defineHttp } from "./http/defineHttp.js";
import { webPubSubService, type Config } from "../shared/config.js";
import { admitConnection, forgetConnection } from "../shared/realtime/connectionCap.js";
import { verifyEventCaller } from "../shared/realtime/eventCaller.js";

export const webPubSubEventsRoute = "v1/push/events";

const EventAnswer = z.object({}).describe("An empty answer: the connection is accepted as it is (`connect`), or the event is noted.");

/**
 * The hub's upstream event handler (configured by local/stack.ts and, in Azure, by infra/modules/webpubsubhub.bicep;
 * docs/push-protocol.md): Web PubSub calls it, not a partner.
 * `connect` (blocking) counts the agent's push connections and refuses one past WEBCTI_MAX_CONNECTIONS_PER_AGENT
 * with 403, which the service turns into a refused WebSocket upgrade; `disconnected` forgets the connection.
 * Every call must come from our service (shared/realtime/eventCaller.ts): in Azure the Entra access token of the
 * Web PubSub resource's managed identity, locally the `ce-signature` of its connection id with the access key.
 */
export const webPubSubEvents = defineHttp({
  name: "webPubSubEvents",
  method: "POST",
  route: webPubSubEventsRoute,
  auth: "anonymous",
  summary:
    "Web PubSub's event handler for the system events connect, connected and disconnected (CloudEvents binary " +
    "mode; in Azure with the service identity's Entra access token, locally signed with the access key). " +
    "Called by the service only; docs/push-protocol.md.",
  tags: ["Meta"],
  maxBodyBytes: 256 * 1024,
  body: z.record(z.string(), z.unknown()),
  success: { status: 200, description: "Accepted (`connect`) or noted.", schema: EventAnswer },
  errors: ["unauthenticated", "forbidden"],
  handler: async ({ headers }, services) => {
    const connectionId = await verifyEventCaller(services, headers);
    const type = headers.get("ce-type");
    const userId = headers.get("ce-userid");
    if (type === "azure.webpubsub.sys.connect") await admitConnection(services, userId, connectionId, new Date());
    else if (type === "azure.webpubsub.sys.disconnected") await forgetConnection(services, userId, connectionId);
    return {};
  },
});

/** The Web PubSub service's host name, as it sends it in `WebHook-Request-Origin`. */
function serviceOrigin(config: Config): string {
  return webPubSubService(config).host ?? "";
}

/**
 * CloudEvents abuse protection for the event handler's URL: an OPTIONS from our Web PubSub service (its host
 * in `WebHook-Request-Origin`) is answered with `WebHook-Allowed-Origin`; any other origin gets no consent.
 * Both hosts answer it before routing (functions/http/cors.ts), as no route declares OPTIONS.
 */
export function answerWebhookValidation(
  config: Config,
  request: { method: string; url: string; headers: { get(name: string): string | null } },
): HttpResponseInit | undefined {
  const origin = request.headers.get("webhook-request-origin");
  if (request.method !== "OPTIONS" || origin === null) return undefined;
  if (!new URL(request.url).pathname.toLowerCase().endsWith(`/${webPubSubEventsRoute}`)) return undefined;
  const allowed = origin.trim().toLowerCase() === serviceOrigin(config).toLowerCase();
  return { status: 200, headers: { allow: "OPTIONS, POST", ...(allowed ? { "webhook-allowed-origin": origin.trim() } : {}) } };
}
