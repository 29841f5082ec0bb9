import { z } from "zod";
import { defineHttp } from "./http/defineHttp.js";
import { Delivery, DeliveryId } from "../shared/webhooks/schemas.js";
import { getDelivery } from "../shared/webhooks/deliveryRow.js";

export const getWebhookDelivery = defineHttp({
  name: "getWebhookDelivery",
  method: "GET",
  route: "v1/webhooks/deliveries/{deliveryId}",
  auth: "partner",
  summary: "One delivery: its status, every attempt (time, HTTP status or error, duration) and the next attempt time.",
  tags: ["Webhooks"],
  params: z.object({ deliveryId: DeliveryId }),
  success: { status: 200, description: "The delivery.", schema: Delivery },
  errors: ["unauthenticated", "not_found"],
  handler: ({ params, caller }, services) => getDelivery(services, caller.tenantId, caller.providerId, params.deliveryId),
});
