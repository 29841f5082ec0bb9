import { odata } from "@azure/data-tables";
import { WebCtiError } from "../errors.js";
import { parseRow } from "../storage/parseRow.js";
import type { Services } from "../services.js";
import { ConversationEvent } from "../schemas/conversationEvent.js";
import type { Conversation } from "../schemas/conversation.js";
import { foldConversation } from "./conversationState.js";
import { conversationPartition, type EventRow } from "./ingestEvent.js";

/** Every stored event of one conversation, in storage order (the fold does not depend on it). */
export async function readConversationEvents(
  tables: Pick<Services["tables"], "conversations">,
  tenantId: string,
  providerId: string,
  conversationId: string,
): Promise<ConversationEvent[]> {
  const events: ConversationEvent[] = [];
  const rows = tables.conversations.listEntities<Pick<EventRow, "body">>({
    queryOptions: {
      filter: odata`PartitionKey eq ${conversationPartition(tenantId, providerId, conversationId)} and RowKey ge 'event|' and RowKey lt 'event}'`,
      select: ["PartitionKey", "RowKey", "body"],
    },
  });
  for await (const row of rows) events.push(parseRow(tables.conversations, row, () => ConversationEvent.parse(JSON.parse(row.body))));
  return events;
}

/**
 * A conversation's state, folded from its stored events on every read: the events are the record, the
 * state a pure function of their set (docs/conversations.md), so there is no second copy to keep in step.
 */
export async function getConversation(
  services: Pick<Services, "tables">,
  partner: { tenantId: string; providerId: string },
  conversationId: string,
): Promise<Conversation> {
  const events = await readConversationEvents(services.tables, partner.tenantId, partner.providerId, conversationId);
  if (events.length === 0) {
    throw new WebCtiError("not_found", `Conversation '${conversationId}' does not exist.`);
  }
  return foldConversation(conversationId, events);
}
