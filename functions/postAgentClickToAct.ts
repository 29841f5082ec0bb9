import { defineHttp } from "./http/defineHttp.js";
import { ClickToActInput, Delivery } from "../shared/webhooks/schemas.js";
import { requestClickToAct } from "../shared/webhooks/events.js";

export const postAgentClickToAct = defineHttp({
  name: "postAgentClickToAct",
  method: "POST",
  route: "v1/agent/click-to-act",
  auth: "agent",
  summary: "The agent clicked a phone number or email address: a provider without a widget gets a `clickToAct.requested` webhook.",
  tags: ["Agent"],
  body: ClickToActInput,
  success: {
    status: 202,
    description: "The webhook was sent once (`delivered`), or is `pending` and retried on the Standard Webhooks schedule.",
    schema: Delivery,
  },
  idempotency: "optional",
  errors: ["unauthenticated", "forbidden", "not_found", "invalid_request"],
  handler: ({ body, caller }, services) => requestClickToAct(services, caller, body),
});
