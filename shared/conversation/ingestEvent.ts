import { createHash } from "node:crypto";
import { WebCtiError, isEntityAlreadyExists } from "../errors.js";
import type { Services } from "../services.js";
import type { PartnerPrincipal } from "../auth/partnerKeys.js";
import { isKnownEvent, type ConversationEvent, type EventAccepted, type KnownConversationEvent } from "../schemas/conversationEvent.js";
import { key } from "../storage/tables.js";
import { getAgent, getProvider, getTenant } from "../tenancy/tenancyStore.js";
import { lookupCustomer, lookupCustomerOf, type CustomerLookup } from "../directory/lookupCustomer.js";
import { readCrmSettings } from "../tenancy/crmSettingsStore.js";
import type { CrmSettings } from "../schemas/crmSettings.js";
import { decideScreenPop } from "../screenPop/decideScreenPop.js";
import { findPop, nextSeq, popIdFor } from "../screenPop/popStore.js";
import { pushPop as pushPopWithHint, storePop } from "../screenPop/deliverPop.js";
import type { ScreenPop } from "../schemas/screenPop.js";
import type { Provider } from "../schemas/provider.js";
import { holdConversations, markConversations, type KpiHold } from "../analytics/kpiStore.js";
import { annotate, attr, withSpan } from "../telemetry/tracing.js";
import { claimPop, type PopClaim } from "./claimPop.js";
import { pushConversationEvents, type EventSource } from "./pushConversationEvents.js";

type IngestServices = Pick<Services, "tables" | "caches" | "push" | "now" | "config">;

/** Whose conversation an event is: the partner key's, or the provider an agent's browser names. */
export type EventOwner = Pick<PartnerPrincipal, "tenantId" | "providerId">;

/**
 * Stores one conversation event and, when the provider's policy says so, pops the customer's record in
 * the agent's browser. Requirements, in order of importance:
 *
 * 1. At-least-once from partners: the event row (keyed by the partner's event id) is the idempotency
 *    record. A retry finds it, stores nothing new, and gets the same answer; a different event under a
 *    used id is a conflict, never silently merged.
 * 2. Nothing acknowledged is lost: the 202 is sent only after the event and its pop are stored. If a
 *    previous attempt stored the event but failed before the pop (or before the push), the retry
 *    completes that work with the same pop id; the browser client drops a repeated pop by id and by event.
 * 3. Latency: the agent's browser is one directory read (or the event row's write, whichever is slower:
 *    they run together) plus one push away from the partner's request. The push waits for the event row,
 *    which tells a first attempt from a retry, so a retry never pushes a pop under a new id; the pop row
 *    is written while the push is in flight. Where the tenant's records are (its CRM settings) comes from
 *    the per-process cache; with records in the CRM the directory read is the tenant's look-up webhook
 *    (at most 1.5 s, then its fallback) or none at all (`host`: the CRM page looks the caller up).
 * 4. KPIs: once the event is stored, its conversation is marked for the KPI projection (a retry marks it
 *    again), so no acknowledged event is left out of the figures.
 * 5. One pop per call: the partner's server and the widget may both report it; the first event to claim
 *    the conversation's pop marker pops, the other pops nothing (claimPop.ts).
 * 6. The provider's widget hears events that name its agent when its panel asks (pushConversationEvents.ts,
 *    best effort, beside the KPI mark).
 */
export function ingestConversationEvent(
  services: IngestServices,
  partner: EventOwner,
  event: ConversationEvent,
  source: EventSource = "partner",
): Promise<EventAccepted> {
  // One span per event (a batch has several), the parent of the look-up, store and push spans.
  const attributes = { [attr.conversationId]: event.conversationId, [attr.eventId]: event.eventId, "webcti.event_type": event.type };
  return withSpan("webcti.event", attributes, async () => {
    const held: { hold?: Promise<KpiHold> } = {};
    const accepted = await ingest(services, partner, event, held);
    // After the event row is stored; it releases the hold written before it (kpiStore.ts, holdConversations).
    const provider = await getProvider(services, partner.tenantId, partner.providerId); // cached: read by ingest
    await Promise.all([
      markConversations(services.tables, partner.tenantId, partner.providerId, [event.conversationId], held.hold && (await held.hold)),
      pushConversationEvents(services, partner.tenantId, provider, [event], source),
    ]);
    return accepted;
  });
}

async function ingest(services: IngestServices, partner: EventOwner, event: ConversationEvent, held: { hold?: Promise<KpiHold> }): Promise<EventAccepted> {
  const { tenantId } = partner;
  const known = isKnownEvent(event) ? event : undefined;
  const agentId = known?.agentId;
  const [tenant, provider, , crm] = await Promise.all([
    getTenant(services, tenantId),
    getProvider(services, tenantId, partner.providerId),
    agentId ? getAgent(services, tenantId, agentId) : undefined,
    readCrmSettings(services, tenantId),
  ]);
  const now = services.now();
  const popEvent = known && (known.type === "ringing" || known.type === "answered") ? known : undefined;
  const mayPop =
    popEvent !== undefined &&
    provider.screenPopPolicy.trigger === popEvent.type &&
    provider.screenPopPolicy.directions.includes(popEvent.direction);
  const seq = mayPop ? nextSeq(now) : undefined;
  const plannedPopId = seq && popEvent ? popIdFor(seq, popEvent.agentId) : undefined;
  const row = eventRow(tenantId, partner.providerId, event, now);
  const wantsMatches = popEvent?.type === "ringing";
  if (plannedPopId) annotate({ [attr.popId]: plannedPopId, [attr.agentId]: popEvent!.agentId });

  // The look-up starts first: it is on the path to the agent's browser. The event row (the idempotency
  // record) is written meanwhile, so the browser waits for one directory read and one push, not for writes.
  const lookup = popEvent && (plannedPopId || wantsMatches) ? startLookup(services, partner, tenant, crm, popEvent) : undefined;
  lookup?.catch(() => undefined);
  // KPI work is marked (held) before the event row: a request that dies after storing it leaves it marked.
  held.hold = holdConversations(services.tables, tenantId, partner.providerId, [event.conversationId], now);
  const stored = held.hold.then(() => storeEventRow(services, row, event.eventId, plannedPopId));
  stored.catch(() => undefined); // awaited below; avoids an unhandled rejection while the look-up runs
  // The pop marker is claimed once the event row is stored (a refused event claims nothing), still beside the look-up.
  const claimed = plannedPopId && popEvent ? stored.then((outcome) => claimFor(services, row.partitionKey, popEvent, outcome, plannedPopId)) : undefined;
  claimed?.catch(() => undefined);

  const customer = lookup ? await lookup : undefined;
  const answer = (popId: string | undefined): EventAccepted => ({
    eventId: event.eventId,
    conversationId: event.conversationId,
    screenPop: popId ? { id: popId, href: `/api/v1/screen-pops/${popId}` } : null,
    ...(wantsMatches && customer ? { matches: customer.matches } : {}),
  });
  if (!plannedPopId || !popEvent || !customer) {
    await Promise.all([stored, claimed]);
    return answer(undefined);
  }

  const target = decideScreenPop({
    policy: provider.screenPopPolicy,
    event: popEvent,
    matches: customer.matches,
    ...(customer.phone ? { phone: customer.phone } : {}),
    ...(customer.source === "host" ? { hostLookup: lookupCustomerOf(popEvent.customer, customer.phone) } : {}),
    ...(customer.source === "none" ? { lookupFailed: true } : {}),
  });
  const pop = target ? buildPop(plannedPopId, popEvent, provider, target, now) : undefined;

  // Pushed once the event row says whether this is the first attempt (the write ran beside the look-up):
  // a retry pushes the first attempt's pop, under its id, never a second one. An event whose call another
  // event already popped (the other side's report of it) pops nothing.
  const outcome = await stored;
  const claim = await claimed;
  if (!claim || claim.eventId !== event.eventId) return answer(undefined);
  if (outcome.fresh && claim.inserted) {
    if (!pop) return answer(undefined);
    const [, inserted] = await Promise.all([pushPop(services, tenantId, pop), storePop(services, tenantId, pop)]);
    if (!inserted) {
      // Two instances drew the same seq in the same millisecond (rare): the id is taken by another pop.
      throw new WebCtiError("storage_unavailable", "Screen pop id collision; retry the event.", { retryAfterSeconds: 0 });
    }
    return answer(plannedPopId);
  }

  // A retry (or its concurrent twin). The first attempt chose the pop id; finish what it may not have.
  const popId = claim.popId;
  const rebuild = () => (target ? buildPop(popId, popEvent, provider, target, now) : undefined);
  return answer(await finishRetriedPop(services, tenantId, popId, now, rebuild));
}

/** The caller look-up, where the tenant keeps its records (docs/push-protocol.md, "The flow"). */
function startLookup(
  services: IngestServices,
  partner: EventOwner,
  tenant: { defaultCountry: string },
  crm: CrmSettings,
  event: Extract<KnownConversationEvent, { type: "ringing" | "answered" }>,
): Promise<CustomerLookup> {
  const { conversationId, channel, direction } = event;
  return withSpan("webcti.lookup", { "webcti.records": crm.records }, () =>
    lookupCustomer(
      services,
      { tenantId: partner.tenantId, defaultCountry: tenant.defaultCountry },
      crm,
      { providerId: partner.providerId, conversationId, channel, direction },
      event.customer,
    ),
  );
}

type StoredEvent = { fresh: true } | { fresh: false; popId: string | undefined };

/**
 * Claims the call's pop for this event with the pop id it plans (a retry: the one its first attempt chose,
 * which also claims a marker for events stored before markers existed). Undefined: no pop to claim.
 */
function claimFor(
  services: Pick<Services, "tables">,
  partitionKey: string,
  event: { type: string; agentId: string; eventId: string },
  outcome: StoredEvent,
  plannedPopId: string,
): Promise<PopClaim | undefined> {
  const popId = outcome.fresh ? plannedPopId : outcome.popId;
  if (!popId) return Promise.resolve(undefined);
  return withSpan("webcti.pop.claim", {}, () => claimPop(services.tables.conversations, partitionKey, event.type, event.agentId, event.eventId, popId));
}

/**
 * Writes the event row, the event's idempotency record. A row already there is a retry of the same event
 * (the pop id the first attempt chose comes back) or another event under a used id (a conflict).
 */
function storeEventRow(
  services: Pick<Services, "tables">,
  row: EventRow,
  eventId: string,
  plannedPopId: string | undefined,
): Promise<StoredEvent> {
  const { conversations } = services.tables;
  return withSpan("webcti.event.store", {}, () => conversations.createEntity({ ...row, ...(plannedPopId ? { popId: plannedPopId } : {}) })).then(
    () => ({ fresh: true as const }),
    async (error: unknown) => {
      if (!isEntityAlreadyExists(error)) throw error;
      const existing = await conversations.getEntity<EventRow>(row.partitionKey, row.rowKey);
      if (existing.bodySha256 !== row.bodySha256) throw eventIdConflict(eventId);
      return { fresh: false as const, popId: existing.popId };
    },
  );
}

/**
 * A retry of an event whose first attempt chose `popId`: finish what that attempt may not have (store the
 * pop, push it again while it is still queued). Returns the pop id when there is a pop, else undefined.
 */
async function finishRetriedPop(
  services: IngestServices,
  tenantId: string,
  popId: string,
  now: Date,
  rebuild: () => ScreenPop | undefined,
): Promise<string | undefined> {
  const existing = await findPop(services.tables, tenantId, popId, now);
  if (existing) {
    if (existing.pop.status === "queued") await pushPop(services, tenantId, existing.pop);
    return popId;
  }
  const pop = rebuild();
  if (!pop) return undefined;
  await Promise.all([storePop(services, tenantId, pop), pushPop(services, tenantId, pop)]);
  return popId;
}

export type EventRow = {
  partitionKey: string;
  rowKey: string;
  type: string;
  agentId?: string;
  providerId: string;
  occurredAt: string;
  receivedAt: string;
  /** The validated event as JSON, unknown fields included: the conversation's state is folded from these. */
  body: string;
  bodySha256: string;
  popId?: string;
};

/**
 * The row that stores one event in its conversation's partition. Its key is the partner's event id, so the
 * row is also the event's idempotency record: a retry finds it and compares `bodySha256`.
 */
export function eventRow(tenantId: string, providerId: string, event: ConversationEvent, now: Date): EventRow {
  const body = JSON.stringify(event);
  if (body.length > maxEventChars) {
    throw new WebCtiError("payload_too_large", `Event '${event.eventId}' is ${body.length} characters of JSON; an event may have ${maxEventChars}.`);
  }
  const agentId = typeof event.agentId === "string" ? event.agentId : undefined;
  return {
    partitionKey: conversationPartition(tenantId, providerId, event.conversationId),
    rowKey: key("event", event.eventId),
    type: event.type,
    ...(agentId ? { agentId } : {}),
    providerId,
    occurredAt: event.occurredAt,
    receivedAt: now.toISOString(),
    body,
    bodySha256: createHash("sha256").update(body).digest("base64"),
  };
}

/** A Table storage string property holds 32K UTF-16 code units; an event is stored in one. */
export const maxEventChars = 30_000;

/** A batch with an event too long for its column is refused whole (413, each named) before anything is stored. */
export function refuseOversizedBodies(bodies: readonly string[], what: string): void {
  const oversized = bodies.flatMap((body, index) => (body.length > maxEventChars ? [index] : []));
  if (oversized.length === 0) return;
  throw new WebCtiError("payload_too_large", `${oversized.length} ${what}(s) are over ${maxEventChars} characters of JSON; nothing was stored.`, {
    errors: oversized.map((i) => ({ pointer: `#/events/${i}`, detail: `over ${maxEventChars} characters of JSON` })),
  });
}

/**
 * A conversation's events share one partition: its state is one partition query. Conversation ids are the
 * partner's, so two providers of one tenant may use the same id for different calls: the provider is part
 * of the key.
 */
export function conversationPartition(tenantId: string, providerId: string, conversationId: string): string {
  return key(tenantId, providerId, conversationId);
}

/** The error a reused event id gets, in a single request or as one item of a batch. */
export function eventIdConflict(eventId: string): WebCtiError {
  return new WebCtiError("conflict", `Event id '${eventId}' was already used for a different event.`, {
    errors: [{ pointer: "#/eventId", detail: "already used for an event with other content" }],
  });
}

function buildPop(
  popId: string,
  event: Extract<KnownConversationEvent, { type: "ringing" | "answered" }>,
  provider: Provider,
  target: ScreenPop["target"],
  now: Date,
): ScreenPop {
  const seq = popId.slice(0, 20);
  return {
    id: popId,
    seq,
    agentId: event.agentId,
    providerId: provider.providerId,
    conversationId: event.conversationId,
    eventId: event.eventId,
    channel: event.channel,
    direction: event.direction,
    trigger: event.type === "answered" ? "answered" : "ringing",
    target,
    status: "queued",
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + provider.screenPopPolicy.ttlSeconds * 1000).toISOString(),
  };
}

const pushPop = (services: Pick<Services, "push">, tenantId: string, pop: ScreenPop) =>
  pushPopWithHint(services, tenantId, pop, "The screen pop is stored but could not be pushed; retry the event.");
