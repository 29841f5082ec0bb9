import type { ConversationFacts, KpiAggregate, Kpis } from "../schemas/analytics.js";

/**
 * KPI arithmetic (docs/kpis.md). An aggregate holds counts and integer sums only, so aggregates add and
 * merge exactly, whatever the order: a recompute sums what is stored afresh (shared/analytics/sumFactsRows.ts)
 * and roll-ups add those sums. Rates and averages exist only in `kpisOf`, derived at read time, never stored.
 */

type CountKey = Exclude<keyof KpiAggregate, "partnerEvents">;

export function emptyAggregate(): KpiAggregate {
  return {
    offered: 0,
    answered: 0,
    abandonedInIvr: 0,
    abandonedInQueue: 0,
    abandonedInRinging: 0,
    abandonedInHold: 0,
    shortAbandoned: 0,
    flowOut: 0,
    unansweredOther: 0,
    answeredWithinServiceLevel: 0,
    transferred: 0,
    missedByAgent: 0,
    outbound: 0,
    outboundConnected: 0,
    answerWaitMs: 0,
    talkMs: 0,
    holdMs: 0,
    wrapUpMs: 0,
    partnerEvents: {},
  };
}

const countKeys = Object.keys(emptyAggregate()).filter((key) => key !== "partnerEvents") as CountKey[];

/** All zero: a group that lost its last conversation (stored so, never left stale; readers skip it). */
export function isEmptyAggregate(a: KpiAggregate): boolean {
  return countKeys.every((name) => a[name] === 0) && Object.keys(a.partnerEvents).length === 0;
}

/** What one conversation adds to every aggregate it counts in. */
export function contributionOf(facts: ConversationFacts): KpiAggregate {
  const a = emptyAggregate();
  const n = (flag: boolean) => (flag ? 1 : 0);
  a.offered = n(facts.offered);
  a.answered = n(facts.answered);
  a.abandonedInIvr = n(facts.abandonedIn === "ivr");
  a.abandonedInQueue = n(facts.abandonedIn === "queue");
  a.abandonedInRinging = n(facts.abandonedIn === "ringing");
  a.abandonedInHold = n(facts.abandonedIn === "hold");
  a.shortAbandoned = n(facts.shortAbandon);
  a.flowOut = n(facts.flowOut);
  a.unansweredOther = n(facts.unansweredOther);
  a.answeredWithinServiceLevel = n(facts.withinServiceLevel);
  a.transferred = n(facts.transferred);
  a.missedByAgent = facts.missedByAgentIds.length;
  a.outbound = n(facts.direction === "outbound");
  a.outboundConnected = n(facts.outboundConnected);
  if (facts.answered) {
    a.answerWaitMs = facts.waitMs ?? 0;
    a.talkMs = facts.talkMs;
    a.holdMs = facts.holdMs;
    a.wrapUpMs = facts.wrapUpMs;
  }
  return a;
}

export function addAggregates(a: KpiAggregate, b: KpiAggregate): KpiAggregate {
  const out = emptyAggregate();
  for (const key of countKeys) out[key] = a[key] + b[key];
  for (const [name, value] of Object.entries(a.partnerEvents)) out.partnerEvents[name] = value;
  for (const [name, value] of Object.entries(b.partnerEvents)) {
    const next = (out.partnerEvents[name] ?? 0) + value;
    if (next === 0) delete out.partnerEvents[name];
    else out.partnerEvents[name] = next;
  }
  return out;
}

/** The KPI figures of an aggregate (docs/kpis.md, "Formulas"); null where a denominator is 0. */
export function kpisOf(a: KpiAggregate): Kpis {
  const ratio = (numerator: number, denominator: number) => (denominator > 0 ? numerator / denominator : null);
  const perAnswered = (ms: number) => ratio(ms / 1000, a.answered);
  const waitingAbandons = a.abandonedInQueue + a.abandonedInRinging - a.shortAbandoned;
  return {
    offered: a.offered,
    answered: a.answered,
    abandoned: a.abandonedInIvr + a.abandonedInQueue + a.abandonedInRinging + a.abandonedInHold,
    abandonedInIvr: a.abandonedInIvr,
    abandonedInQueue: a.abandonedInQueue,
    abandonedInRinging: a.abandonedInRinging,
    abandonedInHold: a.abandonedInHold,
    shortAbandoned: a.shortAbandoned,
    flowOut: a.flowOut,
    abandonRate: ratio(waitingAbandons, a.offered - a.abandonedInIvr - a.shortAbandoned),
    serviceLevel: ratio(a.answeredWithinServiceLevel, a.answered + waitingAbandons),
    averageSpeedOfAnswerSeconds: perAnswered(a.answerWaitMs),
    averageHandleSeconds: perAnswered(a.talkMs + a.holdMs + a.wrapUpMs),
    averageTalkSeconds: perAnswered(a.talkMs),
    averageHoldSeconds: perAnswered(a.holdMs),
    averageWrapUpSeconds: perAnswered(a.wrapUpMs),
    transferRate: ratio(a.transferred, a.answered),
    missedByAgent: a.missedByAgent,
    outbound: a.outbound,
    outboundConnected: a.outboundConnected,
    partnerEvents: { ...a.partnerEvents },
  };
}
