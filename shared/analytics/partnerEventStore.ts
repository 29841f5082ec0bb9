import { createHash } from "node:crypto";
import { WebCtiError } from "../errors.js";
import type { Services } from "../services.js";
import type { PartnerPrincipal } from "../auth/partnerKeys.js";
import type { PartnerAnalyticsEvent } from "../schemas/analytics.js";
import { key } from "../storage/tables.js";
import { insertOnce, type OnceRow } from "../storage/insertOnce.js";
import { conversationPartition, refuseOversizedBodies } from "../conversation/ingestEvent.js";
import { holdConversations, markConversations } from "./kpiStore.js";

export type AnalyticsEventResult = { ok: true } | { ok: false; error: WebCtiError };

/**
 * Partner analytics events (CIF 2.0 `logAnalyticsEvent`) are kept with their conversation's events (same
 * partition, RowKey `analytics|<eventId>`), stored once per event id: the KPI projection counts them by
 * name in the interval of `eventTimestamp` (docs/kpis.md).
 */
export async function storePartnerAnalyticsEvents(
  services: Pick<Services, "tables" | "now">,
  partner: PartnerPrincipal,
  events: readonly PartnerAnalyticsEvent[],
): Promise<AnalyticsEventResult[]> {
  const receivedAt = services.now().toISOString();
  const bodies = events.map((event) => JSON.stringify(event));
  // Each event is kept in one Table storage column: one too long refuses the batch before anything is stored.
  refuseOversizedBodies(bodies, "analytics event");
  const rows: OnceRow[] = events.map((event, index) => {
    const body = bodies[index]!;
    return {
      partitionKey: conversationPartition(partner.tenantId, partner.providerId, event.conversationId),
      rowKey: analyticsRowKey(event.eventId),
      eventName: event.eventName,
      eventTimestamp: new Date(event.eventTimestamp).toISOString(),
      receivedAt,
      body,
      bodySha256: createHash("sha256").update(body).digest("base64"),
    };
  });
  // Held for the KPI projection before the rows are written, marked (the hold released) after: a crash in
  // between still gets the conversations projected once the hold passes (kpiStore.ts, holdConversations).
  const conversationIds = events.map((event) => event.conversationId);
  const hold = await holdConversations(services.tables, partner.tenantId, partner.providerId, conversationIds, services.now());
  const outcomes = await insertOnce(services.tables.conversations, rows);
  await markConversations(services.tables, partner.tenantId, partner.providerId, conversationIds, hold);
  return outcomes.map((outcome, index) =>
    outcome === "idReused"
      ? {
          ok: false,
          error: new WebCtiError("conflict", `Analytics event id '${events[index]!.eventId}' was already used for another event.`, {
            errors: [{ pointer: `#/events/${index}/eventId`, detail: "already used for an event with other content" }],
          }),
        }
      : { ok: true },
  );
}

export function analyticsRowKey(eventId: string): string {
  return key("analytics", eventId);
}
