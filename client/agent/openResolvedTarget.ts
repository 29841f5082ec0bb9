import type { PopTarget } from "../../shared/schemas/screenPop.js";
import type { AgentAdapter } from "./agentClient.js";

/**
 * Opens what a widget's screen pop resolved to, through the page's adapter, and says what it opened
 * (null: the policy opens nothing). A widget's pop never asks the page to look up (`lookup`): the host
 * already did.
 */
export async function openResolvedTarget(adapter: AgentAdapter, target: PopTarget | null, query: string): Promise<"record" | "search" | "newRecord" | null> {
  switch (target?.kind) {
    case "record":
      await adapter.openRecord(target.record);
      return "record";
    case "search":
      await adapter.openSearch({ query, results: target.results });
      return "search";
    case "newRecord":
      await adapter.openNewRecord({ recordType: target.recordType, prefill: target.prefill });
      return "newRecord";
    default:
      return null;
  }
}
