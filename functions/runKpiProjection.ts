import { defineTimer } from "./timer/defineTimer.js";
import { runKpiProjection as project } from "../shared/analytics/runProjection.js";

export const runKpiProjection = defineTimer({
  name: "runKpiProjection",
  schedule: "*/2 * * * * *",
  summary: "Turns stored conversation and analytics events into per-conversation facts and pre-aggregated KPI rows.",
  handler: async ({ log }, services) => {
    const run = await project(services);
    if (run.conversations + run.quarters + run.rebuildsMarked > 0) {
      log(`kpis: ${run.conversations} conversations, ${run.quarters} quarter-hours (${run.factsRowsRead} facts rows), ${run.rebuildsMarked} marked by rebuilds${run.more ? ", more to do" : ""}`);
    }
  },
});
