import type { ConversationEvent, ConversationEventType } from "../schemas/conversationEvent.js";

/**
 * The one order of a conversation's events, so that its state depends on the set of events only:
 * by time, then by lifecycle rank (events at the same millisecond are read as initiated < ivr < queued
 * < ringing < answered < held < resumed < transferred < ended < wrapUpCompleted), then by event id.
 * Types WebCTI does not know rank after all known ones.
 */
const lifecycleRanks: Record<ConversationEventType, number> = {
  initiated: 0,
  ivr: 1,
  queued: 2,
  ringing: 3,
  answered: 4,
  held: 5,
  resumed: 6,
  transferred: 7,
  ended: 8,
  wrapUpCompleted: 9,
};
const unknownRank = 10;

export function lifecycleRank(type: string): number {
  return Object.hasOwn(lifecycleRanks, type) ? lifecycleRanks[type as ConversationEventType] : unknownRank;
}

export function occurredMs(event: Pick<ConversationEvent, "occurredAt">): number {
  return Date.parse(event.occurredAt);
}

export function compareEvents(a: ConversationEvent, b: ConversationEvent): number {
  return (
    occurredMs(a) - occurredMs(b) ||
    lifecycleRank(a.type) - lifecycleRank(b.type) ||
    (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0)
  );
}

/**
 * One event per eventId, in the order above. Ingestion rejects a different body under a used id, so copies
 * are equal; should two ever differ, the one first in order (then by its JSON text) is kept, whatever
 * order they came in.
 */
export function distinctEvents<E extends ConversationEvent>(events: readonly E[]): E[] {
  const byId = new Map<string, E>();
  for (const event of events) {
    const kept = byId.get(event.eventId);
    if (!kept || compareCopies(event, kept) < 0) byId.set(event.eventId, event);
  }
  return [...byId.values()].sort(compareEvents);
}

function compareCopies(a: ConversationEvent, b: ConversationEvent): number {
  const byOrder = compareEvents(a, b);
  if (byOrder !== 0) return byOrder;
  const [ja, jb] = [JSON.stringify(a), JSON.stringify(b)];
  return ja < jb ? -1 : ja > jb ? 1 : 0;
}
