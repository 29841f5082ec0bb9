import type { KnownConversationEvent } from "../schemas/conversationEvent.js";
import type { Leg, LegState, LegTransfer } from "../schemas/conversation.js";
import { legFacts, type LegFacts } from "./legFacts.js";
import { legDurations } from "./legDurations.js";
import { legOutcome } from "./legOutcome.js";

/**
 * The state of one leg from its known events (distinct, in the order of eventOrder.ts). `transferParent`
 * is the leg whose `transferred` event names this one as `toLegId`; the leg's own `parentLegId` wins.
 */
export function foldLeg(legId: string, events: readonly KnownConversationEvent[], transferParent: string | undefined): Leg {
  const facts = legFacts(events);
  const lastOf = <V>(pick: (e: KnownConversationEvent) => V | undefined) => lastValue(events, pick);
  const parentLegId = lastOf((e) => (e.parentLegId !== legId ? e.parentLegId : undefined)) ?? transferParent;
  const transfer = transferOf(events);
  return {
    legId,
    ...(parentLegId ? { parentLegId } : {}),
    state: legState(facts),
    outcome: legOutcome(facts),
    channel: events.find((e) => e.channel !== undefined)?.channel ?? "voice",
    direction: facts.direction,
    ...defined({
      agentId: lastOf((e) => e.agentId),
      queue: lastOf((e) => e.queue),
      endedBy: facts.endedBy,
      reason: facts.reason,
      disposition: lastOf((e) => (e.type === "wrapUpCompleted" ? e.disposition : undefined)),
      transfer,
      initiatedAt: iso(facts.initiatedMs),
      ivrAt: iso(facts.ivrMs),
      queuedAt: iso(facts.queuedMs),
      ringingAt: iso(facts.ringingMs),
      answeredAt: iso(facts.answeredMs),
      transferredAt: iso(facts.transferredMs),
      endedAt: iso(facts.endedMs),
      wrapUpCompletedAt: iso(facts.wrapUpCompletedMs),
    }),
    firstEventAt: new Date(facts.firstMs).toISOString(),
    lastEventAt: new Date(facts.lastMs).toISOString(),
    durations: defined(legDurations(facts)),
  };
}

/**
 * The furthest milestone: a leg never moves back (but a late `answered` turns an `ended` leg that looked
 * never-connected into `wrapUp`). An ended medium gives wrapUp on a connected leg (until
 * `wrapUpCompleted`) and ended on any other; connected or held is whether the last hold is still open.
 */
export function legState(facts: LegFacts): LegState {
  if (facts.wrapUpCompletedMs !== undefined) return "ended";
  if (facts.endedMs !== undefined) return facts.connected ? "wrapUp" : "ended";
  if (facts.connected) {
    const lastHold = facts.holds.at(-1);
    return lastHold && lastHold.endMs === undefined ? "held" : "connected";
  }
  if (facts.ringingMs !== undefined) return "ringing";
  if (facts.queuedMs !== undefined) return "queued";
  if (facts.ivrMs !== undefined) return "ivr";
  return "initiated";
}

function transferOf(events: readonly KnownConversationEvent[]): LegTransfer | undefined {
  const transfers = events.filter((e): e is Extract<KnownConversationEvent, { type: "transferred" }> => e.type === "transferred");
  if (transfers.length === 0) return undefined;
  const last = <K extends keyof LegTransfer>(key: K) => lastValue(transfers, (t) => t[key]);
  return defined({ toLegId: last("toLegId"), toAgentId: last("toAgentId"), toQueue: last("toQueue"), transferType: last("transferType") });
}

/** The value of the last event (in order) that carries one. */
export function lastValue<E, V>(events: readonly E[], pick: (e: E) => V | undefined): V | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const value = pick(events[i]!);
    if (value !== undefined) return value;
  }
  return undefined;
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** Drops undefined values, so that absent fields are absent (not `undefined`) in the JSON and in deep equality. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
