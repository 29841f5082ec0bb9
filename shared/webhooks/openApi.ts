import { z } from "zod";
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from "zod-openapi";
import { ClickToActRequestedEvent, PresenceChangedEvent, type WebhookEventType } from "./schemas.js";

/** The Standard Webhooks headers every delivery carries. */
const headers = z.object({
  "webhook-id": z.string().describe("The delivery id (`msg_…`): the same on every retry; deduplicate on it."),
  "webhook-timestamp": z.string().regex(/^\d+$/).describe("This attempt's time, in seconds since the epoch. Reject ones far from your clock."),
  "webhook-signature": z
    .string()
    .describe("`v1,<base64 HMAC-SHA256 of \"id.timestamp.body\">`, space-separated; two during a secret rotation. Accept if any matches."),
});

function operation(type: WebhookEventType, operationId: string, summary: string, schema: z.ZodType): ZodOpenApiOperationObject {
  return {
    operationId,
    summary,
    tags: ["Webhooks"],
    description: `POSTed to the provider's webhook endpoint when subscribed to \`${type}\`. See docs/webhooks.md.`,
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
};
