import { defineHttp } from "./http/defineHttp.js";
import { DeletedCrmWebhookEndpoint } from "../shared/webhooks/schemas.js";
import { deleteCrmEndpoint } from "../shared/webhooks/crmEndpoint.js";

export const deleteIntegrationWebhookEndpoint = defineHttp({
  name: "deleteIntegrationWebhookEndpoint",
  method: "DELETE",
  route: "v1/integration/webhooks/endpoint",
  auth: "integration",
  summary: "Delete the tenant's CRM webhook endpoint: pending deliveries fail, and look-ups can no longer be signed (they fall back).",
  tags: ["Integration"],
  success: { status: 200, description: "Deleted.", schema: DeletedCrmWebhookEndpoint },
  errors: ["unauthenticated", "not_found"],
  handler: ({ caller }, services) => deleteCrmEndpoint(services, caller.tenantId),
});
