import { defineHttp } from "./http/defineHttp.js";
import { ConversationEvent, EventAccepted } from "../shared/schemas/conversationEvent.js";
import { ingestConversationEvent } from "../shared/conversation/ingestEvent.js";
import { resolvePartnerUsers } from "../shared/tenancy/partnerUsers.js";

export const postConversationEvent = defineHttp({
  name: "postConversationEvent",
  method: "POST",
  route: "v1/conversations/events",
  auth: "partner",
  summary: "Send one conversation event (ringing, answered, ended); may pop the customer's record.",
  tags: ["Conversations"],
  body: ConversationEvent,
  maxBodyBytes: 32 * 1024,
  idempotency: "optional",
  success: { status: 202, description: "Stored (or already stored: a retry gets the same body).", schema: EventAccepted },
  errors: ["invalid_request", "not_found", "conflict", "payload_too_large", "unsupported_media_type"],
  // An agent may be named by the provider's own id of it (PUT /v1/agents/{agentId}/partner-user).
  handler: async ({ body, caller }, services) => ingestConversationEvent(services, caller, (await resolvePartnerUsers(services, caller, [body]))[0]!),
});
