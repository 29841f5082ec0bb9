import { z } from "zod";
import { defineHttp } from "./http/defineHttp.js";
import { DeliveryList } from "../shared/webhooks/schemas.js";
import { listDeliveries } from "../shared/webhooks/deliveryRow.js";
import { CursorQuery } from "../shared/schemas/cursor.js";

export const listWebhookDeliveries = defineHttp({
  name: "listWebhookDeliveries",
  method: "GET",
  route: "v1/webhooks/deliveries",
  auth: "partner",
  summary: "The calling provider's webhook deliveries, newest first.",
  tags: ["Webhooks"],
  query: z.object(CursorQuery),
  success: { status: 200, description: "One page; follow `nextCursor` for the next.", schema: DeliveryList },
  errors: ["unauthenticated", "invalid_request"],
  handler: async ({ query, caller }, services) => {
    const page = await listDeliveries(services, caller.tenantId, caller.providerId, query);
    return { deliveries: page.items, nextCursor: page.nextCursor };
  },
});
