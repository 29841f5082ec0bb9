import type { KnownConversationEvent } from "../schemas/conversationEvent.js";
import type { RecordMatch } from "../schemas/directory.js";
import type { ScreenPopPolicy } from "../schemas/provider.js";
import type { PopTarget } from "../schemas/screenPop.js";
import type { LookupCustomer } from "../schemas/directoryLookup.js";

export interface PopDecisionInput {
  policy: ScreenPopPolicy;
  event: KnownConversationEvent;
  matches: RecordMatch[];
  /** The customer's number in E.164 (with its extension apart), when the partner sent one we could read. */
  phone?: { e164: string; extension?: string };
  /**
   * The tenant's records live in the CRM page (`crm.records` = `host`): the pop carries these identifiers
   * and the policy, and the browser client applies the policy to what the page's adapter finds.
   */
  hostLookup?: LookupCustomer;
  /** The tenant's look-up webhook failed and its fallback is `search`: a search page with no results, whatever the policy. */
  lookupFailed?: boolean;
}

/**
 * The provider's screen-pop policy as a pure rule: which events pop, and what a pop opens for zero, one
 * or several matching records. Returns null when nothing pops. Tested as a scenario table.
 */
export function decideScreenPop({ policy, event, matches, phone, hostLookup, lookupFailed }: PopDecisionInput): PopTarget | null {
  if (policy.trigger === "manual" || event.type !== policy.trigger) return null;
  if (!policy.directions.includes(event.direction)) return null;
  if (hostLookup) {
    const { onOneMatch, onManyMatches, onNoMatch } = policy;
    return { kind: "lookup", customer: hostLookup, policy: { onOneMatch, onManyMatches, onNoMatch } };
  }
  if (lookupFailed) return { kind: "search", query: phone?.e164 ?? event.customer.email ?? event.customer.name ?? "", results: [] };
  return popTargetFor({ policy, customer: event.customer, matches, ...(phone ? { phone } : {}) });
}

export interface PopTargetInput {
  policy: Pick<ScreenPopPolicy, "onOneMatch" | "onManyMatches" | "onNoMatch">;
  customer: { phone?: string; email?: string; name?: string };
  matches: RecordMatch[];
  phone?: { e164: string; extension?: string };
}

/**
 * What a pop opens for zero, one or several matching records, by the provider's policy. Used for pops a
 * conversation event causes (above) and for pops a widget asks for (the browser client).
 */
export function popTargetFor({ policy, customer, matches, phone }: PopTargetInput): PopTarget | null {
  const query = phone?.e164 ?? customer.email ?? customer.name ?? "";

  if (matches.length === 1) {
    const [record] = matches as [RecordMatch];
    if (policy.onOneMatch === "record") return { kind: "record", record };
    if (policy.onOneMatch === "search") return { kind: "search", query, results: matches };
    return null;
  }
  if (matches.length > 1) {
    return policy.onManyMatches === "search" ? { kind: "search", query, results: matches } : null;
  }
  if (policy.onNoMatch === "newRecord") {
    const { name, email } = customer;
    return {
      kind: "newRecord",
      recordType: "contact",
      prefill: {
        ...(name ? { name } : {}),
        ...(phone ? { phone: phone.e164 } : customer.phone ? { phone: customer.phone } : {}),
        ...(phone?.extension ? { extension: phone.extension } : {}),
        ...(email ? { email } : {}),
      },
    };
  }
  if (policy.onNoMatch === "search") return { kind: "search", query, results: [] };
  return null;
}
