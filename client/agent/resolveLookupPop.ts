import type { RecordMatch } from "../../shared/schemas/directory.js";
import type { PopTarget } from "../../shared/schemas/screenPop.js";
import { popTargetFor } from "../../shared/screenPop/decideScreenPop.js";
import { withinAdapterTimeout, type CrmRecord, type CrmRecordsAdapter, type CrmSearchQuery } from "./crmAdapter.js";

type LookupTarget = Extract<PopTarget, { kind: "lookup" }>;
/** What the page opens: a lookup resolved to one of the other kinds, or nothing (the policy's "none"). */
export type OpenableTarget = Exclude<PopTarget, { kind: "lookup" }>;

/** The CRM's matches as pops name records: a record without a name shows its id. */
export function toRecordMatch(record: CrmRecord): RecordMatch {
  return { type: record.type, id: record.id, name: record.name ?? record.id };
}

/** Asks the page's adapter who matches; an adapter without `search` cannot take host look-ups. */
export async function searchCrm(adapter: CrmRecordsAdapter, query: CrmSearchQuery): Promise<RecordMatch[]> {
  if (!adapter.search) throw new Error("The tenant's records are in the CRM (crm.records = host), but the page's adapter has no search().");
  const found = await withinAdapterTimeout("search", adapter.search(query));
  if (!Array.isArray(found)) throw new TypeError("The CRM adapter's search() must resolve to an array of records.");
  return found.map(toRecordMatch);
}

/**
 * A pop whose target is `lookup` (the tenant's records live in the CRM page): the caller's identifiers go
 * to the adapter's `search`, and the provider's policy picks what opens from its matches, as the service
 * does for directory look-ups (one → the record, several → a search, none → a new-record form). Throws
 * when the adapter fails or times out: the pop is then `adapterFailed`.
 */
export async function resolveLookupPop(adapter: CrmRecordsAdapter, target: LookupTarget): Promise<OpenableTarget | null> {
  const { phone, extension, email, customerId, name } = target.customer;
  const query: CrmSearchQuery = { ...(phone ? { phone } : {}), ...(email ? { email } : {}), ...(name ? { name } : {}), ...(customerId ? { customerId } : {}) };
  const matches = await searchCrm(adapter, query);
  const resolved = popTargetFor({
    policy: target.policy,
    customer: { ...(phone ? { phone } : {}), ...(email ? { email } : {}), ...(name ? { name } : {}) },
    matches,
    ...(phone ? { phone: { e164: phone, ...(extension ? { extension } : {}) } } : {}),
  });
  return resolved?.kind === "lookup" ? null : resolved;
}
