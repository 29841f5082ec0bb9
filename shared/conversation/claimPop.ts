import type { TableClient } from "@azure/data-tables";
import { isEntityAlreadyExists } from "../errors.js";
import { key } from "../storage/tables.js";

/** Who holds a call's pop: the event that claimed it first, and the pop id it planned. */
export interface PopClaim {
  popId: string;
  eventId: string;
  /** This request inserted the marker (false: it was there, claimed by this event before or by another). */
  inserted: boolean;
}

type MarkerRow = { popId?: string; eventId?: string };

/**
 * One side pops, never both. The partner's server and the provider's widget (`POST /v1/agent/conversations/events`)
 * may both report the same call, under different event ids. The first event of a conversation that would pop
 * at an agent on a trigger inserts a marker row in the conversation's partition (`pop|<trigger>|<agentId>`);
 * the others find it and pop nothing. The insert is conditional, so it holds under concurrency: Table storage
 * accepts exactly one insert of a key. One write per popping event, none for the others.
 *
 * A retry of the winning event finds its own marker (same event id) and finishes the same pop.
 */
export async function claimPop(
  conversations: TableClient,
  partitionKey: string,
  trigger: string,
  agentId: string,
  eventId: string,
  popId: string,
): Promise<PopClaim> {
  const rowKey = popMarkerRowKey(trigger, agentId);
  try {
    await conversations.createEntity({ partitionKey, rowKey, popId, eventId });
    return { popId, eventId, inserted: true };
  } catch (error) {
    if (!isEntityAlreadyExists(error)) throw error;
    const existing = await conversations.getEntity<MarkerRow>(partitionKey, rowKey);
    return { popId: String(existing.popId ?? ""), eventId: String(existing.eventId ?? ""), inserted: false };
  }
}

/** The marker's row key: one pop per conversation, trigger and agent (a transfer to another agent pops there). */
export function popMarkerRowKey(trigger: string, agentId: string): string {
  return key("pop", trigger, agentId);
}
