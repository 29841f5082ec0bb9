import { z } from "zod";
import { defineHttp } from "./http/defineHttp.js";
import { ScreenPop } from "../shared/schemas/screenPop.js";
import { acknowledgePop } from "../shared/screenPop/popStore.js";
import { attr, withSpan } from "../shared/telemetry/tracing.js";

export const ackScreenPop = defineHttp({
  name: "ackScreenPop",
  method: "POST",
  route: "v1/agent/screen-pops/{popId}/ack",
  auth: "agent",
  summary: "The agent's browser opened the pop: mark it delivered. Idempotent.",
  tags: ["Agent"],
  params: z.object({ popId: z.string().max(200) }),
  success: { status: 200, description: "The pop, now delivered.", schema: ScreenPop },
  errors: ["unauthenticated", "forbidden", "not_found", "conflict"],
  // The browser client sends the pop's `traceparent` (docs/push-protocol.md): this request's span, and so
  // this child, are in the trace of the partner's event that pushed the pop.
  handler: ({ params, caller }, services) =>
    withSpan("webcti.pop.ack", { [attr.popId]: params.popId, [attr.agentId]: caller.agentId }, () =>
      acknowledgePop(services.tables, caller.tenantId, caller.agentId, params.popId, services.now()),
    ),
});
