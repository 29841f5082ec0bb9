import { defineHttp } from "./http/defineHttp.js";
import { WebhookEndpoint } from "../shared/webhooks/schemas.js";
import { getEndpoint } from "../shared/webhooks/endpointStore.js";

export const getWebhookEndpoint = defineHttp({
  name: "getWebhookEndpoint",
  method: "GET",
  route: "v1/webhooks/endpoint",
  auth: "partner",
  summary: "The calling provider's webhook endpoint (never its secret).",
  tags: ["Webhooks"],
  success: { status: 200, description: "The endpoint.", schema: WebhookEndpoint },
  errors: ["unauthenticated", "not_found"],
  handler: ({ caller }, services) => getEndpoint(services, caller.tenantId, caller.providerId),
});
