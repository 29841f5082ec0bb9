import { WebCtiError } from "../errors.js";
import type { Services } from "../services.js";
import { getAgent, getProvider, getTenant } from "../tenancy/tenancyStore.js";
import type { PartnerPrincipal } from "./partnerKeys.js";
import type { AgentIdentity } from "./agentPrincipal.js";
import type { Provider } from "../schemas/provider.js";

type StandingServices = Pick<Services, "tables" | "caches">;

/**
 * A partner key outlives its provider and its tenant: one removed, the key must stop working on every
 * route (403 `forbidden`), not only on the routes whose handler happens to read them. Cached reads; the
 * provider is returned for the edge's next step (its rate limit).
 */
export async function requireConfiguredPartner(services: StandingServices, caller: PartnerPrincipal): Promise<Provider> {
  const [, provider] = await Promise.all([getTenant(services, caller.tenantId), getProvider(services, caller.tenantId, caller.providerId)]);
  return provider;
}

/** The same for a signed-in user linked to an agent: the agent or its tenant removed since, 403 on every route. */
export async function requireConfiguredAgent(services: StandingServices, identity: AgentIdentity): Promise<void> {
  await getTenant(services, identity.tenantId);
  await getAgent(services, identity.tenantId, identity.agentId).catch((error: unknown) => {
    if (error instanceof WebCtiError && error.code === "not_found") {
      throw new WebCtiError("forbidden", "The signed-in user's agent no longer exists in its tenant.", { cause: error });
    }
    throw error;
  });
}
