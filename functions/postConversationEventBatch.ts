import { resolvePartnerUsers } from "../shared/tenancy/partnerUsers.js";
import { defineHttp } from "./http/defineHttp.js";
import { ConversationEventBatch, EventBatchAccepted } from "../shared/schemas/conversationEvent.js";
import { ingestConversationEvents } from "../shared/conversation/ingestBatch.js";
import { problemOf } from "./http/problem.js";

const route = "v1/conversations/events/batch";

export const postConversationEventBatch = defineHttp({
  name: "postConversationEventBatch",
  method: "POST",
  route,
  auth: "partner",
  summary: "Send up to 100 conversation events of any conversations, in any order; one result per event.",
  tags: ["Conversations"],
  body: ConversationEventBatch,
  maxBodyBytes: 1024 * 1024,
  idempotency: "optional",
  success: { status: 200, description: "Each event stored (or already stored) or rejected, in the order sent.", schema: EventBatchAccepted },
  errors: ["invalid_request", "not_found", "payload_too_large", "unsupported_media_type"],
  handler: async ({ body, caller }, services) => {
    // An agent may be named by the provider's own id of it (PUT /v1/agents/{agentId}/partner-user).
    const results = await ingestConversationEvents(services, caller, await resolvePartnerUsers(services, caller, body.events));
    return {
      results: results.map((r) =>
        r.ok
          ? { status: "accepted" as const, ...r.accepted }
          : { status: "rejected" as const, eventId: r.eventId, conversationId: r.conversationId, problem: problemOf(r.error, `/api/${route}`) },
      ),
    };
  },
});
