import { z } from "zod";
import { defineHttp } from "./http/defineHttp.js";
import { Delivery, DeliveryId } from "../shared/webhooks/schemas.js";
import { getCrmDelivery } from "../shared/webhooks/crmEndpoint.js";

export const getIntegrationWebhookDelivery = defineHttp({
  name: "getIntegrationWebhookDelivery",
  method: "GET",
  route: "v1/integration/webhooks/deliveries/{deliveryId}",
  auth: "integration",
  summary: "One delivery to the CRM endpoint: its status, every attempt and the next attempt time.",
  tags: ["Integration"],
  params: z.object({ deliveryId: DeliveryId }),
  success: { status: 200, description: "The delivery.", schema: Delivery },
  errors: ["unauthenticated", "not_found"],
  handler: ({ params, caller }, services) => getCrmDelivery(services, caller.tenantId, params.deliveryId),
});
