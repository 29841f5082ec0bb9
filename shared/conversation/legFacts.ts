import type { Direction, EndReason, EndedBy, KnownConversationEvent } from "../schemas/conversationEvent.js";
import { occurredMs } from "./eventOrder.js";

type EventOf<T extends KnownConversationEvent["type"]> = Extract<KnownConversationEvent, { type: T }>;

/** One hold: from a `held` to the next `resumed`, or to the end of the media (`closedByEnd`), or still open. */
export interface HoldInterval {
  startMs: number;
  endMs: number | undefined;
  closedByEnd: boolean;
}

/** What the outcome and the durations of a leg are computed from: its milestones, in epoch milliseconds. */
export interface LegFacts {
  direction: Direction;
  firstMs: number;
  lastMs: number;
  initiatedMs?: number;
  ivrMs?: number;
  queuedMs?: number;
  ringingMs?: number;
  answeredMs?: number;
  transferredMs?: number;
  /** The first `ended`; else the first `transferred`; else the `wrapUpCompleted` (the media ended by then). */
  endedMs?: number;
  wrapUpCompletedMs?: number;
  /** answered, or held/resumed (a hold shows the leg was connected even before its `answered` arrives). */
  connected: boolean;
  transferred: boolean;
  holds: HoldInterval[];
  endedBy?: EndedBy;
  reason?: EndReason;
}

/** Reads the facts of one leg from its known events, distinct and in the order of eventOrder.ts. */
export function legFacts(events: readonly KnownConversationEvent[]): LegFacts {
  const firstOf = <T extends KnownConversationEvent["type"]>(type: T) => {
    const event = events.find((e): e is EventOf<T> => e.type === type);
    return event ? occurredMs(event) : undefined;
  };
  const ended = events.filter((e): e is EventOf<"ended"> => e.type === "ended");
  const facts: LegFacts = {
    direction: events.find((e) => e.direction !== undefined)?.direction ?? "inbound",
    firstMs: occurredMs(events[0]!),
    lastMs: occurredMs(events[events.length - 1]!),
    initiatedMs: firstOf("initiated"),
    ivrMs: firstOf("ivr"),
    queuedMs: firstOf("queued"),
    ringingMs: firstOf("ringing"),
    answeredMs: firstOf("answered"),
    transferredMs: firstOf("transferred"),
    wrapUpCompletedMs: firstOf("wrapUpCompleted"),
    connected: events.some((e) => e.type === "answered" || e.type === "held" || e.type === "resumed"),
    transferred: events.some((e) => e.type === "transferred"),
    holds: [],
    // When several `ended` events disagree, the first in order wins; a later one only fills in what it lacks.
    endedBy: ended.find((e) => e.endedBy !== undefined)?.endedBy,
    reason: ended.find((e) => e.reason !== undefined)?.reason,
  };
  facts.endedMs = firstOf("ended") ?? facts.transferredMs ?? facts.wrapUpCompletedMs;
  facts.holds = holdIntervals(events, facts.endedMs);
  return facts;
}

/**
 * Each `held` is paired with the next `resumed`; a `held` while on hold is part of the open hold; a
 * `resumed` with no open hold is ignored; a `held` at or after the end of the media opens nothing; a hold
 * still open when the media ended closes then.
 */
function holdIntervals(events: readonly KnownConversationEvent[], endedMs: number | undefined): HoldInterval[] {
  const holds: HoldInterval[] = [];
  let open: HoldInterval | undefined;
  for (const event of events) {
    const ms = occurredMs(event);
    if (event.type === "held" && !open && (endedMs === undefined || ms < endedMs)) {
      open = { startMs: ms, endMs: undefined, closedByEnd: false };
      holds.push(open);
    } else if (event.type === "resumed" && open) {
      open.endMs = ms;
      open = undefined;
    }
  }
  if (endedMs !== undefined) {
    for (const hold of holds) {
      if (hold.endMs === undefined || hold.endMs > endedMs) Object.assign(hold, { endMs: endedMs, closedByEnd: true });
    }
  }
  return holds;
}
