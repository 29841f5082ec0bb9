import { z } from "zod";
import { defineHttp } from "./http/defineHttp.js";
import { ScreenPopList } from "../shared/schemas/screenPop.js";
import { PopSeq } from "../shared/schemas/ids.js";
import { firstPopSeq } from "../shared/schemas/patterns.js";
import { listPendingPops } from "../shared/screenPop/popStore.js";

export const listAgentScreenPops = defineHttp({
  name: "listAgentScreenPops",
  method: "GET",
  route: "v1/agent/screen-pops",
  auth: "agent",
  summary: "The signed-in agent's undelivered, unexpired pops after a sequence number (catch-up after a reconnect).",
  tags: ["Agent"],
  query: z.object({
    since: PopSeq.default(firstPopSeq),
  }),
  success: { status: 200, description: "Oldest first.", schema: ScreenPopList },
  errors: ["unauthenticated", "forbidden", "invalid_request"],
  handler: async ({ query, caller }, services) => ({
    pops: await listPendingPops(services.tables, caller.tenantId, caller.agentId, query.since, services.now()),
  }),
});
