import { defineHttp } from "./http/defineHttp.js";
import { CrmWebhookEndpoint } from "../shared/webhooks/schemas.js";
import { getCrmEndpoint } from "../shared/webhooks/crmEndpoint.js";

export const getIntegrationWebhookEndpoint = defineHttp({
  name: "getIntegrationWebhookEndpoint",
  method: "GET",
  route: "v1/integration/webhooks/endpoint",
  auth: "integration",
  summary: "The tenant's CRM webhook endpoint (never its secret).",
  tags: ["Integration"],
  success: { status: 200, description: "The endpoint.", schema: CrmWebhookEndpoint },
  errors: ["unauthenticated", "not_found"],
  handler: ({ caller }, services) => getCrmEndpoint(services, caller.tenantId),
});
