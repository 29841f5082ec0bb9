import { defineTimer } from "./timer/defineTimer.js";
import { purgeExpiredAgentTokens } from "../shared/auth/agentTokens.js";

export const purgeAgentTokens = defineTimer({
  name: "purgeAgentTokens",
  schedule: "0 7 * * * *",
  summary: "Deletes the stored agent tokens that expired before the current hour.",
  handler: async ({ log }, services) => {
    const deleted = await purgeExpiredAgentTokens(services);
    if (deleted > 0) log(`agent tokens: ${deleted} expired rows deleted`);
  },
});
