import type { LegOutcome } from "../schemas/conversationEvent.js";
import type { LegFacts } from "./legFacts.js";

/**
 * How a leg whose media ended came out; null while it has not ended. The rules apply in this order
 * (docs/conversations.md, "Outcomes"):
 * 1. a `transferred` event → transferred;
 * 2. the partner's `ended.reason`;
 * 3. connected → abandonedInHold when the customer hung up on hold, else completed;
 * 4. inbound, never connected → by who ended it and how far the leg got;
 * 5. outbound, never connected → canceled by the agent, else noAnswer.
 */
export function legOutcome(facts: LegFacts): LegOutcome | null {
  if (facts.endedMs === undefined) return null;
  if (facts.transferred) return "transferred";
  if (facts.reason) return facts.reason;
  const endedBy = facts.endedBy ?? "customer";
  if (facts.connected) {
    const onHoldAtEnd = facts.holds.at(-1)?.closedByEnd === true;
    return onHoldAtEnd && facts.endedBy === "customer" ? "abandonedInHold" : "completed";
  }
  if (facts.direction === "outbound") return endedBy === "agent" ? "canceled" : "noAnswer";
  const ringing = facts.ringingMs !== undefined;
  if (endedBy === "customer") {
    if (ringing) return "abandonedInRinging";
    return facts.queuedMs !== undefined ? "abandonedInQueue" : "abandonedInIvr";
  }
  if (ringing) return "missedByAgent";
  return endedBy === "agent" ? "canceled" : "failed";
}
