import { isKnownEvent, type ConversationEvent, type KnownConversationEvent } from "../schemas/conversationEvent.js";
import type { Conversation, ConversationState, Leg } from "../schemas/conversation.js";
import type { CustomerRef } from "../schemas/customer.js";
import { distinctEvents, occurredMs } from "./eventOrder.js";
import { foldLeg, lastValue } from "./foldLeg.js";

/**
 * The state of one conversation from the SET of its stored events: the same set gives the same state,
 * whatever order the events arrived in and however often. Rules: docs/conversations.md.
 * `events` are that conversation's stored events (at least one); events of types WebCTI does not know
 * are counted and otherwise ignored.
 */
export function foldConversation(conversationId: string, events: readonly ConversationEvent[]): Conversation {
  if (events.length === 0) throw new RangeError(`Conversation '${conversationId}' has no events to fold.`);
  const stray = events.find((e) => e.conversationId !== conversationId);
  if (stray) throw new RangeError(`Event '${stray.eventId}' belongs to conversation '${stray.conversationId}', not '${conversationId}'.`);

  const all = distinctEvents(events);
  const known = all.filter(isKnownEvent);
  const byLeg = new Map<string, KnownConversationEvent[]>(); // insertion order = order of each leg's first event
  for (const event of known) {
    const legId = event.legId ?? conversationId;
    const legEvents = byLeg.get(legId) ?? [];
    if (legEvents.length === 0) byLeg.set(legId, legEvents);
    legEvents.push(event);
  }
  const transferParents = new Map<string, string>(); // toLegId → the leg transferred to it (the last such event)
  for (const event of known) {
    const legId = event.legId ?? conversationId;
    if (event.type === "transferred" && event.toLegId && event.toLegId !== legId) transferParents.set(event.toLegId, legId);
  }
  const legs = [...byLeg].map(([legId, legEvents]) => foldLeg(legId, legEvents, transferParents.get(legId)));
  // A leg named by a transfer but not heard from yet keeps the conversation going.
  const awaitingLeg = [...transferParents.keys()].some((legId) => !byLeg.has(legId));
  const mediaEnded = legs.length > 0 && !awaitingLeg && legs.every((leg) => leg.state === "wrapUp" || leg.state === "ended");
  const endedLast = mediaEnded ? lastToEnd(legs) : undefined;
  const state: ConversationState = !mediaEnded ? "active" : legs.every((leg) => leg.state === "ended") ? "ended" : "wrapUp";
  const timed = known.length > 0 ? known : all;

  return {
    conversationId,
    channel: known.find((e) => e.channel !== undefined)?.channel ?? "voice",
    direction: known.find((e) => e.direction !== undefined)?.direction ?? "inbound",
    customer: mergeCustomer(known),
    state,
    outcome: endedLast?.outcome ?? null,
    startedAt: new Date(occurredMs(timed[0]!)).toISOString(),
    endedAt: endedLast?.endedAt ?? null,
    lastEventAt: new Date(occurredMs(timed[timed.length - 1]!)).toISOString(),
    eventCount: all.length,
    ignoredEventCount: all.length - known.length,
    legs,
  };
}

/** The leg whose media ended last; on a tie, the one listed last. */
function lastToEnd(legs: readonly Leg[]): Leg | undefined {
  let last: Leg | undefined;
  for (const leg of legs) {
    if (leg.endedAt !== undefined && (!last || Date.parse(leg.endedAt) >= Date.parse(last.endedAt!))) last = leg;
  }
  return last;
}

/** Field by field: each from the last event (in order) that carries it. */
function mergeCustomer(events: readonly KnownConversationEvent[]): CustomerRef {
  const customer: CustomerRef = {};
  for (const field of ["phone", "email", "customerId", "name"] as const) {
    const value = lastValue(events, (e) => e.customer?.[field]);
    if (value !== undefined) customer[field] = value;
  }
  return customer;
}
