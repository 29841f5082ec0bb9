import type { Services } from "../../shared/services.js";
import { authenticatePartner, type PartnerPrincipal } from "../../shared/auth/partnerKeys.js";
import { authenticateAgent, type AgentIdentity } from "../../shared/auth/agentPrincipal.js";
import { requireConfiguredAgent, requireConfiguredPartner } from "../../shared/auth/callerStanding.js";
import { annotate, attr } from "../../shared/telemetry/tracing.js";
import type { AuthKind } from "./defineHttp.js";
import { RateLimitedError, rateLimitHeaders, takeRateToken } from "./rateLimit.js";

export type Caller = PartnerPrincipal | AgentIdentity | undefined;

/**
 * Who is calling, by the route's kind of authentication, and the headers that answer must carry (a
 * partner key's rate limit). A credential whose tenant, provider or agent was removed since it was
 * issued is refused with 403 on every route; a partner key over its rate with 429. `headers` is filled
 * as soon as the rate is known, so a refused request still tells the partner its limit.
 */
export async function authenticateCaller(
  auth: AuthKind,
  services: Services,
  request: { headers: { get(name: string): string | null } },
  headers: Record<string, string>,
): Promise<Caller> {
  if (auth === "anonymous") return undefined;
  if (auth === "agent") {
    const agent = await authenticateAgent(services, request.headers);
    annotate({ [attr.tenantId]: agent.tenantId });
    await requireConfiguredAgent(services, agent);
    return agent;
  }
  const partner = await authenticatePartner(services, request.headers);
  annotate({ [attr.tenantId]: partner.tenantId });
  const provider = await requireConfiguredPartner(services, partner);
  try {
    Object.assign(headers, rateLimitHeaders(takeRateToken(services, partner, provider)));
  } catch (error) {
    if (error instanceof RateLimitedError) Object.assign(headers, rateLimitHeaders(error.decision));
    throw error;
  }
  return partner;
}
