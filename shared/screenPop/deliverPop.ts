import type { Services } from "../services.js";
import type { ScreenPop } from "../schemas/screenPop.js";
import { insertPop } from "./popStore.js";
import { pushToAgentOrUnavailable } from "../realtime/agentPush.js";
import { attr, currentTraceparent, withSpan } from "../telemetry/tracing.js";

/**
 * How every screen pop reaches the agent, an event's or a manual one: stored (the catch-up reads it, its
 * delivery status is kept) and pushed, each in a span of its own.
 */
export function storePop(services: Pick<Services, "tables">, tenantId: string, pop: ScreenPop): Promise<boolean> {
  const traceparent = currentTraceparent(); // the request's span: a later ack links to it
  return withSpan("webcti.pop.store", { [attr.popId]: pop.id }, () => insertPop(services.tables, tenantId, pop, traceparent));
}

/**
 * Pushes the pop in its own span. The message carries that span's `traceparent` (when traced), and the
 * browser client sends it back with the ack, so the ack joins this pop's trace (docs/push-protocol.md).
 * `retryHint` ends the 503 problem when the push service is down.
 */
export async function pushPop(services: Pick<Services, "push">, tenantId: string, pop: ScreenPop, retryHint: string): Promise<void> {
  await withSpan("webcti.push", { [attr.popId]: pop.id, [attr.agentId]: pop.agentId }, () => {
    const traceparent = currentTraceparent();
    const message = { v: 1 as const, kind: "screenPop" as const, pop, ...(traceparent ? { traceparent } : {}) };
    return pushToAgentOrUnavailable(services.push, tenantId, pop.agentId, message, retryHint, 1);
  });
}
