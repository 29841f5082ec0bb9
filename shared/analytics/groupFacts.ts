import type { ConversationFacts, KpiAggregate } from "../schemas/analytics.js";
import { addAggregates, contributionOf, emptyAggregate } from "./kpis.js";
import { alignTo } from "./intervals.js";

/** The dimensions a KPI view can be split by (docs/kpis.md, "Dimensions and intervals"). */
export type KpiDimension = "providerId" | "channel" | "queue" | "agentId";
export const intervalMinutes = [15, 60, 1440] as const;
export type IntervalMinutes = (typeof intervalMinutes)[number];

export interface GroupOptions {
  by: readonly KpiDimension[];
  /** Split by the interval of `intervalAt` (UTC, aligned to midnight UTC); omit for one figure over all. */
  intervalMinutes?: IntervalMinutes;
}

/** One group's key: the chosen dimensions (an absent queue or agent is ""), and the interval's start. */
export type GroupKey = Partial<Record<KpiDimension, string>> & { intervalStart?: string };

export interface Contribution {
  key: GroupKey;
  aggregate: KpiAggregate;
}

/**
 * What one conversation adds, to which groups. Usually one group; split by agent, a leg missed by an
 * agent other than the conversation's own counts (only as missedByAgent) for the agent who missed it.
 * Subtracting these contributions and adding the new ones keeps grouped aggregates exact.
 */
export function contributionsOf(facts: ConversationFacts, options: GroupOptions): Contribution[] {
  const base = baseKey(facts, options);
  const whole = contributionOf(facts);
  if (!options.by.includes("agentId")) return [{ key: base, aggregate: whole }];

  const own = facts.agentId ?? "";
  const missedElsewhere = new Map<string, number>();
  for (const agentId of facts.missedByAgentIds) {
    if (agentId !== own) missedElsewhere.set(agentId, (missedElsewhere.get(agentId) ?? 0) + 1);
  }
  const ownMissed = facts.missedByAgentIds.length - [...missedElsewhere.values()].reduce((a, b) => a + b, 0);
  const contributions: Contribution[] = [{ key: { ...base, agentId: own }, aggregate: { ...whole, missedByAgent: ownMissed } }];
  for (const [agentId, missed] of missedElsewhere) {
    contributions.push({ key: { ...base, agentId }, aggregate: { ...emptyAggregate(), missedByAgent: missed } });
  }
  return contributions;
}

/** Aggregates of many conversations by group, keyed by `groupKeyString`. */
export function aggregateBy(facts: Iterable<ConversationFacts>, options: GroupOptions): Map<string, Contribution> {
  const groups = new Map<string, Contribution>();
  for (const one of facts) {
    for (const { key, aggregate } of contributionsOf(one, options)) {
      const id = groupKeyString(key);
      const group = groups.get(id);
      groups.set(id, { key, aggregate: group ? addAggregates(group.aggregate, aggregate) : aggregate });
    }
  }
  return groups;
}

/** A stable string for a group key: `name=value` pairs in a fixed order, joined by "&". */
export function groupKeyString(key: GroupKey): string {
  return (["intervalStart", "providerId", "channel", "queue", "agentId"] as const)
    .filter((name) => key[name] !== undefined)
    .map((name) => `${name}=${key[name]}`)
    .join("&");
}

/** The start of the interval (UTC) holding `at`. */
export function intervalStartOf(at: string, minutes: IntervalMinutes): string {
  return alignTo(at, minutes * 60_000);
}

function baseKey(facts: ConversationFacts, { by, intervalMinutes }: GroupOptions): GroupKey {
  const key: GroupKey = {};
  if (intervalMinutes !== undefined) key.intervalStart = intervalStartOf(facts.intervalAt, intervalMinutes);
  for (const dimension of by) key[dimension] = facts[dimension] ?? "";
  return key;
}
