import { defineTimer } from "./timer/defineTimer.js";
import { runKpiProjection as project } from "../shared/analytics/runProjection.js";

export const runKpiProjection = defineTimer({
  name: "runKpiProjection",
  schedule: "*/2 * * * * *",
  summary: "Turns stored conversation and analytics events into per-conversation facts and pre-aggregated KPI rows.",
  handler: async ({ log }, services) => {
    const run = await project(services);
    // Another run (another instance, the operator's rebuild) holds the lease and does the work; say so, so a
    // stall shows in the log. The lease is short and renewed: a dead holder's lapses within 15 s.
    if (run.busy) return log(`kpis: blocked, the projection lease is held until ${run.heldUntil ?? "(unknown)"}`);
    if (run.conversations + run.quarters + run.rebuildsMarked + run.failed > 0) {
      // "to retry" rather than "failed": the local stack prints lines with that word as errors.
      const trouble = run.failed ? `, ${run.failed} to retry later, ${run.parked} parked` : "";
      log(`kpis: ${run.conversations} conversations, ${run.quarters} quarter-hours (${run.factsRowsRead} facts rows), ${run.rebuildsMarked} marked by rebuilds${trouble}${run.more ? ", more to do" : ""}`);
    }
  },
});
