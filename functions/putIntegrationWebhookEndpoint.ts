import { defineHttp } from "./http/defineHttp.js";
import { CrmWebhookEndpoint, CrmWebhookEndpointInput } from "../shared/webhooks/schemas.js";
import { putCrmEndpoint } from "../shared/webhooks/crmEndpoint.js";

export const putIntegrationWebhookEndpoint = defineHttp({
  name: "putIntegrationWebhookEndpoint",
  method: "PUT",
  route: "v1/integration/webhooks/endpoint",
  auth: "integration",
  summary:
    "Create or replace the tenant's CRM webhook endpoint (activity events); its secret, returned only when it is created, also signs the look-ups of `crm.records` = `webhook`.",
  tags: ["Integration"],
  body: CrmWebhookEndpointInput,
  success: { status: 200, description: "The endpoint (with `secret` if this request created it).", schema: CrmWebhookEndpoint },
  errors: ["unauthenticated", "invalid_request", "conflict"],
  handler: ({ body, caller }, services) => putCrmEndpoint(services, caller.tenantId, body),
});
