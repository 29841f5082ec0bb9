import { defineHttp } from "./http/defineHttp.js";
import { WebhookEndpoint, WebhookEndpointInput } from "../shared/webhooks/schemas.js";
import { putEndpoint } from "../shared/webhooks/endpointStore.js";

export const putWebhookEndpoint = defineHttp({
  name: "putWebhookEndpoint",
  method: "PUT",
  route: "v1/webhooks/endpoint",
  auth: "partner",
  summary: "Create or replace the calling provider's webhook endpoint; the signing secret is returned only when it is created.",
  tags: ["Webhooks"],
  body: WebhookEndpointInput,
  success: { status: 200, description: "The endpoint (with `secret` if this request created it).", schema: WebhookEndpoint },
  errors: ["unauthenticated", "invalid_request", "conflict"],
  handler: ({ body, caller }, services) => putEndpoint(services, caller.tenantId, caller.providerId, body),
});
