import type { Services } from "../services.js";
import type { LookupResult } from "../schemas/directoryRoutes.js";
import { getTenant } from "../tenancy/tenancyStore.js";
import { findCustomer } from "./findCustomer.js";

/** Caller-id look-up by phone or e-mail: the records a partner's softphone shows before answering. */
export async function lookupCaller(
  services: Pick<Services, "tables" | "caches">,
  tenantId: string,
  query: { phone?: string | undefined; email?: string | undefined },
): Promise<LookupResult> {
  const tenant = await getTenant(services, tenantId);
  const customer = {
    ...(query.phone ? { phone: query.phone } : {}),
    ...(query.email ? { email: query.email } : {}),
  };
  const { phone, matches } = await findCustomer(services.tables, tenantId, customer, tenant.defaultCountry);
  return { query: { ...customer, ...(phone ? { e164: phone.e164 } : {}) }, matches };
}
