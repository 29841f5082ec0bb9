import type { Services } from "../services.js";
import type { LookupResult } from "../schemas/directoryRoutes.js";
import { defaultCrmSettings } from "../schemas/crmSettings.js";
import { getTenant } from "../tenancy/tenancyStore.js";
import { lookupCustomer } from "./lookupCustomer.js";
import { readCrmSettings } from "../tenancy/crmSettingsStore.js";
import { normalizePhone } from "./normalizePhone.js";
import { WebCtiError } from "../errors.js";

type LookupServices = Pick<Services, "tables" | "caches" | "now" | "config">;
type LookupQuery = { phone?: string | undefined; email?: string | undefined };

/** Caller-id look-up by phone or e-mail in WebCTI's directory (the agent desktop's search page). */
export function lookupCaller(services: LookupServices, tenantId: string, query: LookupQuery): Promise<LookupResult> {
  return lookupWhere(services, { tenantId }, query, "directory");
}

/**
 * A partner's caller-id look-up: the records a softphone shows before answering, from where the tenant
 * keeps them (`crm.records`): the directory, the tenant's look-up webhook (with its fallback), or, when
 * they live in the CRM page, none: `source` is `host` and `matches` empty (docs/webhooks.md).
 */
export function lookupPartnerCaller(
  services: LookupServices,
  partner: { tenantId: string; providerId: string },
  query: LookupQuery,
): Promise<LookupResult> {
  return lookupWhere(services, partner, query, "tenant");
}

async function lookupWhere(
  services: LookupServices,
  caller: { tenantId: string; providerId?: string },
  query: LookupQuery,
  where: "directory" | "tenant",
): Promise<LookupResult> {
  const [tenant, settings] = await Promise.all([
    getTenant(services, caller.tenantId),
    where === "tenant" ? readCrmSettings(services, caller.tenantId) : defaultCrmSettings,
  ]);
  if (query.phone && !normalizePhone(query.phone, tenant.defaultCountry)) {
    throw new WebCtiError("invalid_request", `The phone number '${query.phone}' cannot be read.`, {
      errors: [{ parameter: "phone", detail: "not a phone number that can be read (E.164, or national for the tenant's country)" }],
    });
  }
  const customer = {
    ...(query.phone ? { phone: query.phone } : {}),
    ...(query.email ? { email: query.email } : {}),
  };
  const tenantRef = { tenantId: caller.tenantId, defaultCountry: tenant.defaultCountry };
  const context = { providerId: caller.providerId ?? "" };
  const { phone, matches, source } = await lookupCustomer(services, tenantRef, settings, context, customer);
  return { query: { ...customer, ...(phone ? { e164: phone.e164 } : {}) }, matches, source };
}
