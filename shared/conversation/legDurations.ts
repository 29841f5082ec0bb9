import type { LegDurations } from "../schemas/conversation.js";
import type { LegFacts } from "./legFacts.js";

/**
 * Durations from stored timestamps only (never from partners' deltas). Each is absent while a timestamp it
 * needs is missing and never negative: a partner's clock skew reads as 0. Computed in milliseconds,
 * reported in seconds.
 */
export function legDurations(facts: LegFacts): LegDurations {
  const { ivrMs, queuedMs, ringingMs, answeredMs, endedMs, wrapUpCompletedMs } = facts;
  const holdMs = facts.connected ? closedHoldMs(facts) : undefined;
  const talkMs = span(answeredMs, endedMs);
  return {
    ivrSeconds: seconds(span(ivrMs, earliest(queuedMs, ringingMs, answeredMs, endedMs))),
    queueSeconds: seconds(span(queuedMs, earliest(ringingMs, answeredMs, endedMs))),
    ringSeconds: seconds(span(ringingMs, earliest(answeredMs, endedMs))),
    holdSeconds: seconds(holdMs),
    holdCount: facts.holds.length,
    talkSeconds: seconds(talkMs === undefined ? undefined : Math.max(0, talkMs - (holdMs ?? 0))),
    wrapUpSeconds: seconds(facts.connected ? span(endedMs, wrapUpCompletedMs) : undefined),
    totalSeconds: seconds(span(facts.firstMs, wrapUpCompletedMs ?? endedMs)),
  };
}

/** Closed holds, each cut to answeredAt → endedAt, so that talk + hold is always answeredAt → endedAt. */
function closedHoldMs({ holds, answeredMs, endedMs }: LegFacts): number {
  let total = 0;
  for (const hold of holds) {
    if (hold.endMs === undefined) continue;
    const start = Math.max(hold.startMs, answeredMs ?? hold.startMs);
    const end = Math.min(hold.endMs, endedMs ?? hold.endMs);
    total += Math.max(0, end - start);
  }
  return total;
}

function span(fromMs: number | undefined, toMs: number | undefined): number | undefined {
  return fromMs === undefined || toMs === undefined ? undefined : Math.max(0, toMs - fromMs);
}

function earliest(...values: Array<number | undefined>): number | undefined {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length ? Math.min(...present) : undefined;
}

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}
