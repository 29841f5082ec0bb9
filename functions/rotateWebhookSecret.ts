import { defineHttp } from "./http/defineHttp.js";
import { renderSecret } from "./http/secretAnswer.js";
import { RotatedWebhookSecret } from "../shared/webhooks/schemas.js";
import { rotateSecret } from "../shared/webhooks/endpointStore.js";

export const rotateWebhookSecret = defineHttp({
  name: "rotateWebhookSecret",
  method: "POST",
  route: "v1/webhooks/endpoint/rotate-secret",
  auth: "partner",
  summary: "A new signing secret; for 24 hours deliveries carry signatures with both the new and the previous one.",
  tags: ["Webhooks"],
  success: { status: 200, description: "The new secret (shown once: `Cache-Control: no-store`, and never replayed for an `Idempotency-Key`).", schema: RotatedWebhookSecret },
  render: renderSecret,
  idempotency: "optional",
  errors: ["unauthenticated", "not_found", "conflict"],
  handler: ({ caller }, services) => rotateSecret(services, caller.tenantId, caller.providerId),
});
