import type { Services } from "../services.js";
import type { CustomerRef } from "../schemas/customer.js";
import type { CrmSettings } from "../schemas/crmSettings.js";
import type { Channel, Direction } from "../schemas/conversationEvent.js";
import type { LookupCustomer } from "../schemas/directoryLookup.js";
import { annotate, withSpan } from "../telemetry/tracing.js";
import { findCustomer, type CustomerMatches } from "./findCustomer.js";
import { normalizePhone } from "./normalizePhone.js";
import { callLookupWebhook, type LookupFailure } from "./lookupWebhook.js";

/**
 * Where the matches came from: WebCTI's directory, the tenant's look-up webhook, nowhere because the
 * records live in the CRM page (`host`: the browser client asks it), or nowhere because the webhook failed
 * and the tenant's fallback is a search pop (`none`).
 */
export type LookupSource = "directory" | "webhook" | "host" | "none";

export interface CustomerLookup extends CustomerMatches {
  source: LookupSource;
}

/** What the look-up is about: the provider always, the conversation when a conversation event asks. */
export interface LookupContext {
  providerId: string;
  conversationId?: string;
  channel?: Channel;
  direction?: Direction;
}

type LookupServices = Pick<Services, "tables" | "caches" | "now" | "config">;

/**
 * Finds the records a partner's customer reference points at, where the tenant keeps its records
 * (`crm.records`, docs/webhooks.md and docs/push-protocol.md):
 * - `directory`: WebCTI's directory (findCustomer);
 * - `webhook`: the tenant's look-up endpoint; if it fails, the tenant's fallback (the directory, or no
 *   matches: a search pop), logged;
 * - `host`: no matches here; the pop carries the identifiers and the CRM page looks them up.
 */
export async function lookupCustomer(
  services: LookupServices,
  tenant: { tenantId: string; defaultCountry: string },
  settings: CrmSettings,
  context: LookupContext,
  customer: CustomerRef,
): Promise<CustomerLookup> {
  const { tenantId, defaultCountry } = tenant;
  const fromDirectory = async (): Promise<CustomerLookup> => ({
    ...(await findCustomer(services.tables, tenantId, customer, defaultCountry)),
    source: "directory",
  });
  if (settings.records === "directory" || (settings.records === "webhook" && !settings.lookupWebhook)) return fromDirectory();
  const phone = customer.phone ? normalizePhone(customer.phone, defaultCountry) : undefined;
  const withPhone = (source: LookupSource, matches: CustomerLookup["matches"]): CustomerLookup => ({
    ...(phone ? { phone } : {}),
    matches,
    source,
  });
  if (settings.records === "host") return withPhone("host", []);

  const lookupWebhook = settings.lookupWebhook!;
  const data = { tenantId, ...context, customer: lookupCustomerOf(customer, phone) };
  const answer = await withSpan("webcti.lookup.webhook", {}, () => callLookupWebhook(services, lookupWebhook.url, data));
  if (answer.ok) return withPhone("webhook", answer.matches);
  logLookupFailure(tenantId, answer.failure, answer.detail, lookupWebhook.fallback);
  return lookupWebhook.fallback === "directory" ? fromDirectory() : withPhone("none", []);
}

/** The customer as a look-up (webhook or CRM page) gets it: the number in E.164 when it reads as one. */
export function lookupCustomerOf(customer: CustomerRef, phone: { e164: string; extension?: string } | undefined): LookupCustomer {
  return {
    ...(phone ? { phone: phone.e164 } : customer.phone ? { phone: customer.phone } : {}),
    ...(phone?.extension ? { extension: phone.extension } : {}),
    ...(customer.email ? { email: customer.email } : {}),
    ...(customer.customerId ? { customerId: customer.customerId } : {}),
    ...(customer.name ? { name: customer.name } : {}),
  };
}

/**
 * A failed look-up is the tenant's problem to see, not the partner's: it is logged (one line, no personal
 * data) and put on the trace, and the event goes on with the fallback.
 */
function logLookupFailure(tenantId: string, failure: LookupFailure, detail: string, fallback: string): void {
  annotate({ "webcti.lookup.failure": failure, "webcti.lookup.fallback": fallback });
  console.warn(JSON.stringify({ message: "customer.lookup webhook failed; using the fallback", tenantId, failure, detail, fallback }));
}
