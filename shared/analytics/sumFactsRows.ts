import type { KpiAggregate } from "../schemas/analytics.js";
import { addAggregates, contributionOf, emptyAggregate } from "./kpis.js";
import { contributionsByAgent } from "./contributionsByAgent.js";
import type { Dimension, FactsRowValue } from "./kpiStore.js";

/** A group of one interval: channel, dimension, value. */
export type GroupId = string;
export const groupId = (channel: string, dimension: Dimension, value: string): GroupId => JSON.stringify([channel, dimension, value]);
export const parseGroupId = (id: GroupId) => JSON.parse(id) as [string, Dimension, string];

/**
 * The aggregates of one provider's facts rows of one interval, by channel and dimension: each row counts
 * in its channel's `all` group, its queue's group ("" when none) and its agent's (see contributionsByAgent);
 * its partner events count with the conversation's own agent.
 */
export function sumFactsRows(values: Iterable<FactsRowValue>): Map<GroupId, KpiAggregate> {
  const sums = new Map<GroupId, KpiAggregate>();
  const add = (id: GroupId, aggregate: KpiAggregate) => sums.set(id, addAggregates(sums.get(id) ?? emptyAggregate(), aggregate));
  for (const value of values) {
    const { channel } = value;
    const events: KpiAggregate = { ...emptyAggregate(), partnerEvents: value.partnerEvents };
    const whole = value.facts ? addAggregates(contributionOf(value.facts), events) : events;
    add(groupId(channel, "all", ""), whole);
    add(groupId(channel, "queue", value.queue ?? ""), whole);
    const own = value.agentId ?? "";
    if (!value.facts) add(groupId(channel, "agent", own), events);
    for (const { agentId, aggregate } of value.facts ? contributionsByAgent(value.facts) : []) {
      add(groupId(channel, "agent", agentId), agentId === own ? addAggregates(aggregate, events) : aggregate);
    }
  }
  return sums;
}
