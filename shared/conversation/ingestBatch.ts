import { WebCtiError } from "../errors.js";
import { insertOnce } from "../storage/insertOnce.js";
import { holdConversations, markConversations } from "../analytics/kpiStore.js";
import type { Services } from "../services.js";
import type { PartnerPrincipal } from "../auth/partnerKeys.js";
import { isKnownEvent, type ConversationEvent, type EventAccepted } from "../schemas/conversationEvent.js";
import { getAgent, getProvider, getTenant } from "../tenancy/tenancyStore.js";
import { eventIdConflict, eventRow, ingestConversationEvent, refuseOversizedBodies } from "./ingestEvent.js";
import { pushConversationEvents } from "./pushConversationEvents.js";

type IngestServices = Pick<Services, "tables" | "caches" | "push" | "now" | "config">;

/** One event's result in a batch: accepted (as the single-event route answers), or rejected with why. */
export type BatchItemResult = { ok: true; accepted: EventAccepted } | { ok: false; eventId: string; conversationId: string; error: WebCtiError };

/**
 * Stores a batch of conversation events (any conversations, any order) with as few storage round trips as
 * the keys allow: the events of one conversation share a partition, so they are inserted together in one
 * entity-group transaction (`insertOnce`). Events that look a caller up or pop a record (`ringing`, and
 * whatever the provider's policy pops on) take the single-event path, in parallel.
 *
 * Everything the batch can be refused for is checked before the first write (agents of the tenant, each
 * event's stored size), so a refused batch stores nothing. After that, the only per-event refusal is a reused event id with other
 * content (`conflict`); the others are stored. A retry of the whole batch is safe: a transaction that meets
 * an already stored event falls back to event-by-event inserts, which recognize retries.
 */
export async function ingestConversationEvents(
  services: IngestServices,
  partner: PartnerPrincipal,
  events: readonly ConversationEvent[],
): Promise<BatchItemResult[]> {
  const { tenantId } = partner;
  const [, provider] = await Promise.all([getTenant(services, tenantId), getProvider(services, tenantId, partner.providerId)]);
  await Promise.all(
    [...new Set(events.map((e) => (isKnownEvent(e) ? e.agentId : undefined)).filter(Boolean))].map((agentId) =>
      getAgent(services, tenantId, agentId!).catch((error: unknown) => {
        if (!(error instanceof WebCtiError) || error.code !== "not_found") throw error;
        const indexes = events.flatMap((e, i) => (isKnownEvent(e) && e.agentId === agentId ? [i] : []));
        throw new WebCtiError("not_found", `Agent '${agentId}' does not exist in this tenant.`, {
          errors: indexes.map((i) => ({ pointer: `#/events/${i}/agentId`, detail: "no such agent in this tenant" })),
        });
      }),
    ),
  );

  refuseOversizedBodies(events.map((event) => JSON.stringify(event)), "event");

  const now = services.now();
  const results: BatchItemResult[] = new Array(events.length);
  const single = async (index: number) => {
    const event = events[index]!;
    try {
      results[index] = { ok: true, accepted: await ingestConversationEvent(services, partner, event) };
    } catch (error) {
      if (!(error instanceof WebCtiError) || error.code !== "conflict") throw error;
      results[index] = { ok: false, eventId: event.eventId, conversationId: event.conversationId, error: relocate(error, index) };
    }
  };

  const direct: number[] = [];
  const grouped: number[] = [];
  events.forEach((event, index) => {
    const popsOrLooksUp =
      isKnownEvent(event) &&
      (event.type === "ringing" || (event.type === provider.screenPopPolicy.trigger && event.type === "answered"));
    (popsOrLooksUp ? direct : grouped).push(index);
  });
  const rows = grouped.map((index) => eventRow(tenantId, partner.providerId, events[index]!, now));
  // The grouped events' conversations are held for the KPI projection before their rows are written and
  // marked (the hold released) after, so a crash in between still gets them projected once the hold passes
  // (kpiStore.ts, holdConversations). The single path holds and marks its own.
  const hold = await holdConversations(services.tables, tenantId, partner.providerId, grouped.map((index) => events[index]!.conversationId), now);
  const [outcomes] = await Promise.all([insertOnce(services.tables.conversations, rows), ...direct.map(single)]);
  const stored = grouped.filter((_, k) => outcomes[k] !== "idReused").map((index) => events[index]!);
  await Promise.all([
    markConversations(services.tables, tenantId, partner.providerId, grouped.map((index) => events[index]!.conversationId), hold),
    pushConversationEvents(services, tenantId, provider, stored, "partner"),
  ]);
  grouped.forEach((index, k) => {
    const event = events[index]!;
    results[index] =
      outcomes[k] === "idReused"
        ? { ok: false, eventId: event.eventId, conversationId: event.conversationId, error: relocate(eventIdConflict(event.eventId), index) }
        : { ok: true, accepted: { eventId: event.eventId, conversationId: event.conversationId, screenPop: null } };
  });
  return results;
}

/** Points an event's error items at the event inside the batch (`#/eventId` → `#/events/3/eventId`). */
function relocate(error: WebCtiError, index: number): WebCtiError {
  return new WebCtiError(error.code, error.message, {
    errors: (error.errors ?? []).map((item) => (item.pointer ? { ...item, pointer: item.pointer.replace(/^#/, `#/events/${index}`) } : item)),
  });
}
