import { WebCtiError } from "../errors.js";
import type { Services } from "../services.js";
import type { PartnerPrincipal } from "../auth/partnerKeys.js";
import type { ManualScreenPopInput, PopTarget, ScreenPop } from "../schemas/screenPop.js";
import { getAgent, getProvider } from "../tenancy/tenancyStore.js";
import { resolvePartnerUsers } from "../tenancy/partnerUsers.js";
import { readCrmSettings } from "../tenancy/crmSettingsStore.js";
import { getRecord } from "../directory/directoryStore.js";
import { lookupCaller } from "../directory/lookupCaller.js";
import { nextSeq, popIdFor } from "./popStore.js";
import { pushPop, storePop } from "./deliverPop.js";

/**
 * A pop the partner asks for by itself (issue 18, item 2; the policy's `manual` trigger pops nothing on
 * events, so this is then the provider's only way): stored and pushed like an event's pop (same delivery
 * status, catch-up and expiry by the provider's `ttlSeconds`), with `trigger: "manual"` and the event id
 * `manual.<seq>`. The route is idempotent by `Idempotency-Key`: a retry answers the same pop, pushed once.
 * The answer comes once the pop is stored; its push is best effort (the catch-up delivers what it misses).
 */
type ManualPopServices = Pick<Services, "tables" | "caches" | "push" | "now" | "config">;

export async function createManualPop(services: ManualPopServices, caller: PartnerPrincipal, input: ManualScreenPopInput): Promise<ScreenPop> {
  const [named] = await resolvePartnerUsers(services, caller, [input]);
  const agentId = named!.agentId;
  const [, provider, target] = await Promise.all([getAgent(services, caller.tenantId, agentId), getProvider(services, caller.tenantId, caller.providerId), targetOf(services, caller.tenantId, input.target)]);
  const now = services.now();
  const seq = nextSeq(now);
  const pop: ScreenPop = {
    id: popIdFor(seq, agentId),
    seq,
    agentId,
    providerId: provider.providerId,
    conversationId: input.conversationId,
    eventId: `manual.${seq}`,
    channel: input.channel,
    direction: input.direction,
    trigger: "manual",
    target,
    status: "queued",
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + provider.screenPopPolicy.ttlSeconds * 1000).toISOString(),
  };
  if (!(await storePop(services, caller.tenantId, pop))) {
    throw new WebCtiError("storage_unavailable", "Screen pop id collision; retry the request.", { retryAfterSeconds: 0 });
  }
  // Stored is delivered: a desktop that misses the push (the push service down) gets it at its next catch-up,
  // so a failed push does not fail the request (a retry would make a second pop).
  await pushPop(services, caller.tenantId, pop, "").catch(() => undefined);
  return pop;
}

/**
 * The pop's target as the browser opens it. A directory record (contact or account, with the tenant's
 * records in WebCTI's directory) must exist, and shows its own name; with the records in the CRM, any type
 * and id go to the page's adapter. A search carries the directory's matches for a phone or e-mail query.
 */
async function targetOf(services: ManualPopServices, tenantId: string, target: ManualScreenPopInput["target"]): Promise<PopTarget> {
  const inDirectory = (await readCrmSettings(services, tenantId)).records === "directory";
  if (target.kind === "newRecord") return { kind: "newRecord", recordType: target.recordType, prefill: target.prefill };
  if (target.kind === "search") {
    const query = target.query.includes("@") ? { email: target.query } : /\d{3}/.test(target.query) ? { phone: target.query } : undefined;
    const results = inDirectory && query ? (await lookupCaller(services, tenantId, query).catch(() => ({ matches: [] }))).matches : [];
    return { kind: "search", query: target.query, results };
  }
  const { type, id, name } = target.record;
  if (inDirectory && (type === "contact" || type === "account")) {
    const record = await getRecord(services.tables, tenantId, type, id);
    if (!record) {
      throw new WebCtiError("not_found", `No ${type} '${id}' in the directory.`, { errors: [{ pointer: "#/target/record/id", detail: "no such record" }] });
    }
    return { kind: "record", record: { type, id, name: record.name } };
  }
  return { kind: "record", record: { type, id, name: name ?? id } };
}
