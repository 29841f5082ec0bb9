import { randomBytes } from "node:crypto";
import { odata, type TableEntityResult } from "@azure/data-tables";
import type { Services } from "../services.js";
import { WebCtiError } from "../errors.js";
import { key } from "../storage/tables.js";
import { readPage, type Page } from "../storage/cursor.js";
import { readEntity } from "../storage/readEntity.js";
import { parseRow } from "../storage/parseRow.js";
import { Delivery, DeliverySummary } from "./schemas.js";

/**
 * webhookDeliveries (see shared/storage/tables.ts): PartitionKey tenantId|providerId, RowKey
 * <inverted ms>|<deliveryId>. A provider's log is one partition read newest first; the id carries its
 * creation time, so a delivery is also one point read. The row is the truth: status, attempts, the next
 * due time and the current claim (`claimedUntil`, a lease: see shared/storage/takeLease.ts).
 */
export interface DeliveryRow {
  tenantId: string;
  providerId: string;
  deliveryId: string;
  type: string;
  status: string;
  createdAt: string;
  attemptCount: number;
  nextAttemptAt: string;
  failureReason: string;
  attempts: string;
  payload: string;
  claimedUntil: string;
}

/** A row this process holds: the etag of its claim makes its writes conditional. */
export type ClaimedRow = DeliveryRow & { partitionKey: string; rowKey: string; etag: string };

/** A claim on a delivery lasts this long: longer than one attempt and its writes, so a crashed sender's claim runs out. */
export const claimMs = 60_000;

const maxTime = 10 ** 16 - 1;

export function newDeliveryId(now: Date): string {
  return `msg_${now.getTime().toString(36).padStart(9, "0")}${randomBytes(12).toString("base64url")}`;
}

export function deliveryRowKey(deliveryId: string): string {
  const createdMs = parseInt(deliveryId.slice(4, 13), 36);
  return `${String(maxTime - createdMs).padStart(16, "0")}|${deliveryId}`;
}

export function readDeliveryRow(
  services: Pick<Services, "tables">,
  partitionKey: string,
  rowKey: string,
): Promise<TableEntityResult<DeliveryRow> | undefined> {
  return readEntity(services.tables.webhookDeliveries, partitionKey, rowKey, (row: TableEntityResult<DeliveryRow>) => row);
}

function summaryOf(row: DeliveryRow): DeliverySummary {
  return DeliverySummary.parse({
    deliveryId: row.deliveryId,
    type: row.type,
    status: row.status,
    createdAt: row.createdAt,
    attemptCount: row.attemptCount,
    nextAttemptAt: row.status === "pending" && row.nextAttemptAt ? row.nextAttemptAt : null,
    failureReason: row.failureReason || null,
  });
}

/** The delivery as the API shows it (`internal` if the row no longer parses: shared/storage/parseRow.ts). */
export function deliveryOf(services: Pick<Services, "tables">, row: DeliveryRow & { partitionKey?: string; rowKey?: string }): Delivery {
  return parseRow(services.tables.webhookDeliveries, row, () =>
    Delivery.parse({ ...summaryOf(row), attempts: JSON.parse(row.attempts), payload: JSON.parse(row.payload) }),
  );
}

export async function listDeliveries(
  services: Pick<Services, "tables">,
  tenantId: string,
  providerId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<DeliverySummary>> {
  const query = services.tables.webhookDeliveries.listEntities<DeliveryRow>({
    queryOptions: {
      filter: odata`PartitionKey eq ${key(tenantId, providerId)}`,
      select: ["PartitionKey", "RowKey", "deliveryId", "type", "status", "createdAt", "attemptCount", "nextAttemptAt", "failureReason"],
    },
  });
  const { items, nextCursor } = await readPage(query, page.limit, page.cursor);
  return { items: items.map((row) => parseRow(services.tables.webhookDeliveries, row, summaryOf)), nextCursor };
}

export async function getDelivery(services: Pick<Services, "tables">, tenantId: string, providerId: string, deliveryId: string): Promise<Delivery> {
  const row = await readDeliveryRow(services, key(tenantId, providerId), deliveryRowKey(deliveryId));
  if (!row) throw new WebCtiError("not_found", `No delivery '${deliveryId}' for this endpoint.`);
  return deliveryOf(services, row);
}
