import type { ConversationFacts, KpiAggregate } from "../schemas/analytics.js";
import { contributionOf, emptyAggregate } from "./kpis.js";

/**
 * What one conversation adds to each agent's figures (docs/kpis.md, "Dimensions and intervals"): all of it
 * to its own agent (the one who answered first; "" when none), and each leg missed by another agent
 * (only as missedByAgent) to the agent who missed it.
 */
export function contributionsByAgent(facts: ConversationFacts): Array<{ agentId: string; aggregate: KpiAggregate }> {
  const whole = contributionOf(facts);
  const own = facts.agentId ?? "";
  const missedElsewhere = new Map<string, number>();
  for (const agentId of facts.missedByAgentIds) {
    if (agentId !== own) missedElsewhere.set(agentId, (missedElsewhere.get(agentId) ?? 0) + 1);
  }
  const ownMissed = facts.missedByAgentIds.length - [...missedElsewhere.values()].reduce((a, b) => a + b, 0);
  return [
    { agentId: own, aggregate: { ...whole, missedByAgent: ownMissed } },
    ...[...missedElsewhere].map(([agentId, missed]) => ({ agentId, aggregate: { ...emptyAggregate(), missedByAgent: missed } })),
  ];
}
