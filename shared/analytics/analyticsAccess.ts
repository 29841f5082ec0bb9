import { WebCtiError } from "../errors.js";
import type { Services } from "../services.js";
import type { PartnerPrincipal } from "../auth/partnerKeys.js";
import type { AgentIdentity } from "../auth/agentPrincipal.js";
import { requireSupervisor } from "../agentDesk/agentSession.js";
import { getNamedProvider, listProviders } from "../tenancy/tenancyStore.js";

/** The providers a partner may read figures of: its own only. Naming another is refused, not silently narrowed. */
export function partnerProviders(caller: PartnerPrincipal, providerId: string | undefined): string[] {
  if (providerId !== undefined && providerId !== caller.providerId) {
    throw new WebCtiError("forbidden", `A partner key reads its own provider's figures only ('${caller.providerId}').`, {
      errors: [{ parameter: "providerId", detail: `not this key's provider '${caller.providerId}'` }],
    });
  }
  return [caller.providerId];
}

/** The providers a supervisor asks for: the one named (which must exist) or all of the tenant's. */
export async function supervisorProviders(
  services: Pick<Services, "tables" | "caches">,
  caller: AgentIdentity,
  providerId: string | undefined,
): Promise<string[]> {
  await requireSupervisor(services, caller);
  if (providerId === undefined) return (await listProviders(services, caller.tenantId)).map((p) => p.providerId);
  await getNamedProvider(services, caller.tenantId, providerId, "not_found", { parameter: "providerId" });
  return [providerId];
}
