import { z } from "zod";
import { defineHttp } from "./http/defineHttp.js";
import { ConversationId } from "../shared/schemas/ids.js";
import { Conversation } from "../shared/schemas/conversation.js";
import { getConversation as readConversation } from "../shared/conversation/conversationStore.js";

export const getConversation = defineHttp({
  name: "getConversation",
  method: "GET",
  route: "v1/conversations/{conversationId}",
  auth: "partner",
  summary: "Read a conversation's legs, states, outcomes and durations, as folded from every event stored for it.",
  tags: ["Conversations"],
  params: z.object({ conversationId: ConversationId }),
  success: { status: 200, description: "The conversation (docs/conversations.md says how it is derived).", schema: Conversation },
  errors: ["invalid_request", "not_found"],
  handler: ({ params, caller }, services) => readConversation(services, caller, params.conversationId),
});
