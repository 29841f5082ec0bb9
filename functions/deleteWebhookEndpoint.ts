import { defineHttp } from "./http/defineHttp.js";
import { DeletedWebhookEndpoint } from "../shared/webhooks/schemas.js";
import { deleteEndpoint } from "../shared/webhooks/endpointStore.js";

export const deleteWebhookEndpoint = defineHttp({
  name: "deleteWebhookEndpoint",
  method: "DELETE",
  route: "v1/webhooks/endpoint",
  auth: "partner",
  summary: "Delete the calling provider's webhook endpoint; pending deliveries fail at their next attempt.",
  tags: ["Webhooks"],
  success: { status: 200, description: "Deleted.", schema: DeletedWebhookEndpoint },
  errors: ["unauthenticated", "not_found"],
  handler: ({ caller }, services) => deleteEndpoint(services, caller.tenantId, caller.providerId),
});
