import type { Services } from "../../shared/services.js";
import { authenticatePartner, type PartnerPrincipal } from "../../shared/auth/partnerKeys.js";
import { authenticateAgent, type AgentIdentity } from "../../shared/auth/agentPrincipal.js";
import { authenticateIntegration, type IntegrationPrincipal } from "../../shared/auth/integrationKeys.js";
import { requireConfiguredAgent, requireConfiguredPartner } from "../../shared/auth/callerStanding.js";
import { getTenant } from "../../shared/tenancy/tenancyStore.js";
import { annotate, attr } from "../../shared/telemetry/tracing.js";
import type { AuthKind } from "./defineHttp.js";
import { refuseForgedRequest } from "./cors.js";
import { RateLimitedError, agentBucketId, agentRateLimit, defaultRateLimit, partnerRateLimit, rateLimitHeaders, takeRateToken, type RateDecision } from "./rateLimit.js";

export type Caller = PartnerPrincipal | AgentIdentity | IntegrationPrincipal | undefined;

type Headers = { get(name: string): string | null };

/**
 * Who is calling, by the route's kind of authentication, and the headers that answer must carry (a
 * caller's rate limit). A credential whose tenant, provider or agent was removed since it was issued is
 * refused with 403 on every route; a cookie-borne agent request from a foreign origin with 403
 * (functions/http/cors.ts); a partner key, integration key or agent over its rate with 429. The token is
 * taken only once every other check passed, so nobody drains another caller's bucket. `headers` is
 * filled as soon as the rate is known, so a refused request still tells the caller its limit.
 */
export async function authenticateCaller(
  auth: AuthKind,
  services: Services,
  request: { method: string; url: string; headers: Headers },
  headers: Record<string, string>,
): Promise<Caller> {
  if (auth === "anonymous") return undefined;
  if (auth === "agent") {
    const agent = await authenticateAgent(services, request.headers);
    annotate({ [attr.tenantId]: agent.tenantId });
    await requireConfiguredAgent(services, agent);
    await refuseForgedRequest(services, request, agent.tenantId);
    rateLimited(headers, () => takeRateToken(services, agentBucketId(agent.tenantId, agent.agentId), agentRateLimit(services.config), "agent"));
    return agent;
  }
  if (auth === "integration") {
    const integration = await authenticateIntegration(services, request.headers);
    annotate({ [attr.tenantId]: integration.tenantId });
    await getTenant(services, integration.tenantId);
    rateLimited(headers, () => takeRateToken(services, `integration:${integration.keyId}`, defaultRateLimit(services.config), "integration-key"));
    return integration;
  }
  const partner = await authenticatePartner(services, request.headers);
  annotate({ [attr.tenantId]: partner.tenantId });
  const provider = await requireConfiguredPartner(services, partner);
  rateLimited(headers, () => takeRateToken(services, partner.keyId, partnerRateLimit(services, provider)));
  return partner;
}

function rateLimited(headers: Record<string, string>, take: () => RateDecision): void {
  try {
    Object.assign(headers, rateLimitHeaders(take()));
  } catch (error) {
    if (error instanceof RateLimitedError) Object.assign(headers, rateLimitHeaders(error.decision));
    throw error;
  }
}
