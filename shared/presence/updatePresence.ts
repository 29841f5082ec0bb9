import type { Services } from "../services.js";
import { WebCtiError } from "../errors.js";
import { getAgent } from "../tenancy/tenancyStore.js";
import { pushToAgentOrUnavailable } from "../realtime/agentPush.js";
import type { Presence, PresenceInput, PresenceSource } from "../schemas/presence.js";
import { getPresence, setPresence } from "./presenceStore.js";
import { sendPresenceChanged } from "../webhooks/events.js";
import type { PresenceChangedData } from "../webhooks/schemas.js";

type PresenceChangedPresence = Omit<PresenceChangedData, "tenantId">;

type PresenceServices = Pick<Services, "tables" | "caches" | "push" | "now">;

/**
 * How far ahead of the service's clock a partner's `changedAt` may be. A time further ahead would keep
 * every later update (the agent's own, stamped by the service) out until the clock caught up.
 */
export const maxClockAheadMs = 60_000;

/** A partner's update, or the agent's (the same without `changedAt`), and who sent it. */
export type PresenceRequest = PresenceInput & { source: PresenceSource };

/** The agent's presence; `offline` for an agent whose presence was never set. 404 for an agent not in the tenant. */
export async function readAgentPresence(
  services: Pick<Services, "tables" | "caches">,
  tenantId: string,
  agentId: string,
): Promise<Presence> {
  await getAgent(services, tenantId, agentId);
  return getPresence(services.tables, tenantId, agentId);
}

/**
 * Sets the agent's presence (unless a newer update is stored) and pushes the stored state to the
 * agent's desktop. Returns what is stored, which is not the request when the request was stale.
 */
export async function updateAgentPresence(
  services: PresenceServices,
  tenantId: string,
  agentId: string,
  request: PresenceRequest,
): Promise<Presence> {
  const now = services.now();
  const changedAt = request.changedAt ?? now.toISOString();
  if (Date.parse(changedAt) > now.getTime() + maxClockAheadMs) {
    throw new WebCtiError("invalid_request", "`changedAt` is in the future; send the time the status changed.", {
      errors: [{ pointer: "#/changedAt", detail: `more than ${maxClockAheadMs / 1000} seconds ahead of the service's clock` }],
    });
  }
  await getAgent(services, tenantId, agentId);
  const result = await setPresence(services.tables, tenantId, agentId, {
    status: request.status,
    reason: request.reason,
    changedAt,
    source: request.source,
  });
  // Partners subscribed to `presence.changed` hear of a change (not of a resend or a stale update). The
  // deliveries are stored before the push, so a failed push cannot lose them.
  if (result.changed) await sendPresenceChanged(services, tenantId, result.presence as PresenceChangedPresence);
  // Pushed whenever the request is the stored state, so a resend after a failed push pushes again.
  if (result.applied) {
    const message = { v: 1 as const, kind: "presence" as const, presence: result.presence };
    await pushToAgentOrUnavailable(services.push, tenantId, agentId, message, "The presence is stored but could not be pushed to the agent; send it again.", 2);
  }
  return result.presence;
}

