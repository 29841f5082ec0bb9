import { z } from "zod";
import { defineHttp } from "./http/defineHttp.js";
import { DeliveryList } from "../shared/webhooks/schemas.js";
import { listCrmDeliveries } from "../shared/webhooks/crmEndpoint.js";
import { CursorQuery } from "../shared/schemas/cursor.js";

export const listIntegrationWebhookDeliveries = defineHttp({
  name: "listIntegrationWebhookDeliveries",
  method: "GET",
  route: "v1/integration/webhooks/deliveries",
  auth: "integration",
  summary: "The CRM endpoint's webhook deliveries, newest first.",
  tags: ["Integration"],
  query: z.object(CursorQuery),
  success: { status: 200, description: "One page; follow `nextCursor` for the next.", schema: DeliveryList },
  errors: ["unauthenticated", "invalid_request"],
  handler: async ({ query, caller }, services) => {
    const page = await listCrmDeliveries(services, caller.tenantId, query);
    return { deliveries: page.items, nextCursor: page.nextCursor };
  },
});
