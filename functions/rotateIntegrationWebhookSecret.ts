import { defineHttp } from "./http/defineHttp.js";
import { renderSecret } from "./http/secretAnswer.js";
import { RotatedWebhookSecret } from "../shared/webhooks/schemas.js";
import { rotateCrmSecret } from "../shared/webhooks/crmEndpoint.js";

export const rotateIntegrationWebhookSecret = defineHttp({
  name: "rotateIntegrationWebhookSecret",
  method: "POST",
  route: "v1/integration/webhooks/endpoint/rotate-secret",
  auth: "integration",
  summary: "A new signing secret for the CRM endpoint; for 24 hours deliveries and look-ups carry signatures with both the new and the previous one.",
  tags: ["Integration"],
  success: { status: 200, description: "The new secret (shown once: `Cache-Control: no-store`, and never replayed for an `Idempotency-Key`).", schema: RotatedWebhookSecret },
  render: renderSecret,
  idempotency: "optional",
  errors: ["unauthenticated", "not_found", "conflict"],
  handler: ({ caller }, services) => rotateCrmSecret(services, caller.tenantId),
});
