import type { WebPubSubServiceClient } from "@azure/web-pubsub";
import type { AgentPushMessage } from "../schemas/push.js";
import type { NegotiateResponse } from "../schemas/agent.js";
import { WebCtiError } from "../errors.js";

/**
 * Each agent is one Web PubSub user; a pop goes to every connection of that user (all the agent's tabs).
 * The user id carries the tenant so two tenants' agents with the same id never share a stream. The
 * separator is `|`, which no id may contain (ids may contain `:`, so `tenant:agent` would make tenant `a`'s
 * agent `x:y` and tenant `a:x`'s agent `y` one user).
 */
export function agentUserId(tenantId: string, agentId: string): string {
  return `${tenantId}|${agentId}`;
}

/** Tenant-wide broadcasts (presence, configuration changes) go to this group. */
export function tenantGroup(tenantId: string): string {
  return `tenant.${tenantId}`;
}

/** Supervisors' connections also join this group: KPI changes go there. */
export function supervisorsGroup(tenantId: string): string {
  return `supervisors.${tenantId}`;
}

export async function pushToSupervisors(push: WebPubSubServiceClient, tenantId: string, message: AgentPushMessage): Promise<void> {
  await push.group(supervisorsGroup(tenantId)).sendToAll(message);
}

export async function pushToAgent(
  push: WebPubSubServiceClient,
  tenantId: string,
  agentId: string,
  message: AgentPushMessage,
): Promise<void> {
  await push.sendToUser(agentUserId(tenantId, agentId), message);
}

/**
 * Pushes a message whose sender must hear that it was not delivered: a failure becomes `push_unavailable`
 * (503, `Retry-After`). `stored` says what was kept anyway and what to do, for the problem's detail.
 */
export async function pushToAgentOrUnavailable(
  push: WebPubSubServiceClient,
  tenantId: string,
  agentId: string,
  message: AgentPushMessage,
  stored: string,
  retryAfterSeconds: number,
): Promise<void> {
  try {
    await pushToAgent(push, tenantId, agentId, message);
  } catch (cause) {
    throw new WebCtiError("push_unavailable", stored, { retryAfterSeconds, cause });
  }
}

/**
 * The token lets the connection receive what is sent to the agent and to its tenant group (and, for a
 * supervisor, the supervisors' group), and nothing else: no roles, so it can neither join other groups
 * nor send to any group.
 */
export async function getAgentClientAccess(
  push: WebPubSubServiceClient,
  tenantId: string,
  agentId: string,
  minutes: number,
  now: Date,
  supervisor = false,
): Promise<NegotiateResponse> {
  const userId = agentUserId(tenantId, agentId);
  const groups = supervisor ? [tenantGroup(tenantId), supervisorsGroup(tenantId)] : [tenantGroup(tenantId)];
  const { url } = await push.getClientAccessToken({ userId, groups, roles: [], expirationTimeInMinutes: minutes });
  return { url, userId, groups, expiresAt: new Date(now.getTime() + minutes * 60_000).toISOString() };
}
