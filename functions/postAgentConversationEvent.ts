import { defineHttp } from "./http/defineHttp.js";
import { AgentConversationEvent, EventAccepted } from "../shared/schemas/conversationEvent.js";
import { ingestAgentConversationEvent } from "../shared/conversation/ingestAgentEvent.js";

export const postAgentConversationEvent = defineHttp({
  name: "postAgentConversationEvent",
  method: "POST",
  route: "v1/agent/conversations/events",
  auth: "agent",
  summary:
    "A provider's widget reports one of the signed-in agent's conversation events (as a partner's server would): stored for that provider; may pop the customer's record, once per call whichever side reports it first.",
  tags: ["Agent"],
  body: AgentConversationEvent,
  maxBodyBytes: 32 * 1024,
  idempotency: "optional",
  success: { status: 202, description: "Stored (or already stored: a retry gets the same body).", schema: EventAccepted },
  errors: ["unauthenticated", "forbidden", "invalid_request", "conflict", "payload_too_large", "unsupported_media_type"],
  handler: ({ body, caller }, services) => ingestAgentConversationEvent(services, caller, body),
});
