import { z } from "zod";
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from "zod-openapi";
import { ActivityCreatedEvent, ActivityUpdatedEvent, ClickToActRequestedEvent, PresenceChangedEvent, type WebhookEventType } from "./schemas.js";
import { CustomerLookupAnswer, CustomerLookupRequest, lookupTimeoutMs } from "../schemas/directoryLookup.js";

/** The Standard Webhooks headers every delivery carries. */
const headers = z.object({
  "webhook-id": z.string().describe("The delivery id (`msg_…`): the same on every retry; deduplicate on it."),
  "webhook-timestamp": z.string().regex(/^\d+$/).describe("This attempt's time, in seconds since the epoch. Reject ones far from your clock."),
  "webhook-signature": z
    .string()
    .describe("`v1,<base64 HMAC-SHA256 of \"id.timestamp.body\">`, space-separated; two during a secret rotation. Accept if any matches."),
});

function operation(type: WebhookEventType, operationId: string, summary: string, schema: z.ZodType): ZodOpenApiOperationObject {
  const receiver = type.startsWith("activity.") ? "the tenant's CRM webhook endpoint" : "the provider's webhook endpoint";
  return {
    operationId,
    summary,
    tags: ["Webhooks"],
    description: `POSTed to ${receiver} when subscribed to \`${type}\`. See docs/webhooks.md.`,
    requestParams: { header: headers },
    requestBody: { required: true, content: { "application/json": { schema } } },
    responses: {
      "2XX": { description: "Received: the delivery is `delivered`." },
      "410": { description: "Gone: WebCTI disables the endpoint and stops sending to it until it is PUT again." },
      default: { description: "Anything else (or no answer within 5 s): the delivery is retried with backoff." },
    },
  };
}

/** The OpenAPI 3.1 `webhooks` section: what WebCTI POSTs to partners, keyed by event type. */
export const webhookDocumentation: ZodOpenApiPathsObject = {
  "clickToAct.requested": {
    post: operation(
      "clickToAct.requested",
      "clickToActRequested",
      "An agent clicked a phone number or email address for this provider.",
      ClickToActRequestedEvent,
    ),
  },
  "presence.changed": {
    post: operation("presence.changed", "presenceChanged", "An agent's presence changed.", PresenceChangedEvent),
  },
  "activity.created": {
    post: operation("activity.created", "activityCreated", "An activity was stored (by a partner's server or an agent's desktop).", ActivityCreatedEvent),
  },
  "activity.updated": {
    post: operation("activity.updated", "activityUpdated", "A stored activity changed.", ActivityUpdatedEvent),
  },
  "customer.lookup": {
    post: {
      operationId: "customerLookup",
      summary: "Who is calling? Asked at ringing time when the tenant's `crm.records` is `webhook`.",
      tags: ["Webhooks"],
      description:
        "POSTed to the tenant's `crm.lookupWebhook.url`, signed with the CRM webhook endpoint's secret (same headers as every delivery). Not retried: a slow, failed, malformed or too large answer leads to `lookupWebhook.fallback`. See docs/webhooks.md.",
      requestParams: { header: headers },
      requestBody: { required: true, content: { "application/json": { schema: CustomerLookupRequest } } },
      responses: {
        "200": { description: `The matches, within ${lookupTimeoutMs} ms.`, content: { "application/json": { schema: CustomerLookupAnswer } } },
        default: { description: "Anything else, or no answer in time: the fallback (the directory, or a search pop)." },
      },
    },
  },
};
