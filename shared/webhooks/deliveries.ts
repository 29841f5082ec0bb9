import { createHash, randomBytes } from "node:crypto";
import { odata, type TableEntityResult } from "@azure/data-tables";
import type { Services } from "../services.js";
import { WebCtiError, isEntityAlreadyExists, isNotFound, isPreconditionFailed } from "../errors.js";
import { key } from "../storage/tables.js";
import { readPage, type Page } from "../storage/cursor.js";
import { disableGoneEndpoint, findEndpoint, listSubscribedEndpoints, type StoredEndpoint } from "./endpointStore.js";
import { signatureHeaders } from "./signing.js";
import {
  Delivery,
  DeliveryAttempt,
  DeliverySummary,
  webhookDataSchemas,
  type FailureReason,
  type WebhookData,
  type WebhookEventType,
} from "./schemas.js";

type DeliveryServices = Pick<Services, "tables" | "now">;

/**
 * When to retry after a failed attempt (Standard Webhooks' recommended schedule): 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h, 10 h after the first, second, … attempt. The eighth failed attempt fails the delivery.
 */
export const retryDelaysMs = [5e3, 5 * 60e3, 30 * 60e3, 2 * 3600e3, 5 * 3600e3, 10 * 3600e3, 10 * 3600e3] as const;
export const maxAttempts = retryDelaysMs.length + 1;
/** One attempt waits this long for the endpoint's answer. */
export const attemptTimeoutMs = 5_000;
/** A claim on a delivery lasts this long: longer than one attempt and its writes, so a crashed sender's claim runs out. */
export const claimMs = 60_000;
/** The schedule is spread over this many partitions, by a hash of the delivery id. */
export const scheduleShards = 16;

/**
 * Storage (see shared/storage/tables.ts):
 * - webhookDeliveries: PartitionKey tenantId|providerId, RowKey <inverted ms>|<deliveryId>. A provider's
 *   log is one partition read newest first; the id carries its creation time, so a delivery is also one
 *   point read. The row is the truth: status, attempts, the next due time and the current claim.
 * - webhookSchedule: PartitionKey shard (00-15, hash of the id), RowKey <dueAt ISO>|<deliveryId>. A hint
 *   that a delivery is due: the timer reads each shard's rows up to "now" (16 small range queries, no
 *   table scan), and a row whose delivery is no longer pending or due at that time is simply deleted.
 */
interface DeliveryRow {
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

interface ScheduleRow {
  deliveryPartitionKey: string;
  deliveryRowKey: string;
}

const maxTime = 10 ** 16 - 1;

export function newDeliveryId(now: Date): string {
  return `msg_${now.getTime().toString(36).padStart(9, "0")}${randomBytes(12).toString("base64url")}`;
}

function deliveryRowKey(deliveryId: string): string {
  const createdMs = parseInt(deliveryId.slice(4, 13), 36);
  return `${String(maxTime - createdMs).padStart(16, "0")}|${deliveryId}`;
}

function scheduleShard(deliveryId: string): string {
  return String(createHash("sha256").update(deliveryId).digest().readUInt32BE(0) % scheduleShards).padStart(2, "0");
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

function deliveryOf(row: DeliveryRow): Delivery {
  return Delivery.parse({ ...summaryOf(row), attempts: JSON.parse(row.attempts), payload: JSON.parse(row.payload) });
}

export interface WebhookToSend<T extends WebhookEventType = WebhookEventType> {
  tenantId: string;
  providerId: string;
  type: T;
  data: WebhookData<T>;
}

/**
 * Sends one event to the provider's endpoint. Returns null (and stores nothing) when the provider has no
 * enabled endpoint subscribed to the type. Otherwise the delivery is stored first (with its retry already
 * scheduled, so a crash during the attempt loses nothing), then attempted at once; the answer is the
 * delivery after that first attempt: `delivered`, or `pending` with its next attempt time.
 */
export async function enqueueWebhook<T extends WebhookEventType>(
  services: DeliveryServices,
  event: WebhookToSend<T>,
): Promise<Delivery | null> {
  const endpoint = await findEndpoint(services, event.tenantId, event.providerId);
  if (!endpoint || !endpoint.endpoint.enabled || !endpoint.endpoint.eventTypes.includes(event.type)) return null;
  return enqueueTo(services, endpoint, event);
}

/** The same for every provider of the tenant whose endpoint takes `type` (presence changes). */
export async function enqueueWebhookToTenant<T extends WebhookEventType>(
  services: DeliveryServices,
  event: Omit<WebhookToSend<T>, "providerId">,
): Promise<Delivery[]> {
  const endpoints = await listSubscribedEndpoints(services, event.tenantId, event.type);
  return Promise.all(endpoints.map((endpoint) => enqueueTo(services, endpoint, { ...event, providerId: endpoint.providerId })));
}

async function enqueueTo<T extends WebhookEventType>(
  services: DeliveryServices,
  endpoint: StoredEndpoint,
  event: WebhookToSend<T>,
): Promise<Delivery> {
  const data = webhookDataSchemas[event.type].parse(event.data);
  const now = services.now();
  const deliveryId = newDeliveryId(now);
  const payload = JSON.stringify({ type: event.type, timestamp: now.toISOString(), data });
  const partitionKey = key(event.tenantId, event.providerId);
  const rowKey = deliveryRowKey(deliveryId);
  const firstRetryAt = new Date(now.getTime() + retryDelaysMs[0]).toISOString();
  // The schedule row first: a delivery row never exists without a way back to it.
  await services.tables.webhookSchedule.createEntity<ScheduleRow>({
    partitionKey: scheduleShard(deliveryId),
    rowKey: `${firstRetryAt}|${deliveryId}`,
    deliveryPartitionKey: partitionKey,
    deliveryRowKey: rowKey,
  });
  const row: DeliveryRow = {
    tenantId: event.tenantId,
    providerId: event.providerId,
    deliveryId,
    type: event.type,
    status: "pending",
    createdAt: now.toISOString(),
    attemptCount: 0,
    nextAttemptAt: firstRetryAt,
    failureReason: "",
    attempts: "[]",
    payload,
    claimedUntil: new Date(now.getTime() + claimMs).toISOString(),
  };
  const created = await services.tables.webhookDeliveries.createEntity({ partitionKey, rowKey, ...row });
  return deliveryOf(await attemptClaimed(services, { ...row, partitionKey, rowKey, etag: created.etag! }, endpoint));
}

type ClaimedRow = DeliveryRow & { partitionKey: string; rowKey: string; etag: string };

interface SendResult {
  status: number | null;
  error: string | null;
}

async function send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "WebCTI-Webhooks/1", ...headers },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(attemptTimeoutMs),
    });
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status, error: null };
  } catch (thrown) {
    const error = thrown as Error & { cause?: { code?: string; message?: string } };
    if (error.name === "TimeoutError" || error.name === "AbortError") return { status: null, error: `no answer within ${attemptTimeoutMs} ms` };
    return { status: null, error: (error.cause?.code ?? error.cause?.message ?? error.message).slice(0, 200) };
  }
}

/**
 * One attempt of a delivery this process has claimed (the row's etag is the claim): send, log the
 * attempt, then record the outcome with the same etag and move the schedule row.
 */
async function attemptClaimed(services: DeliveryServices, row: ClaimedRow, endpoint: StoredEndpoint): Promise<DeliveryRow> {
  const started = services.now();
  const clock = performance.now();
  const body = row.payload;
  const { url } = endpoint.endpoint;
  const result = await send(url, signatureHeaders(endpoint.secrets, row.deliveryId, started, body), body);
  const attemptNumber = row.attemptCount + 1;
  const attempt: DeliveryAttempt = DeliveryAttempt.parse({
    attempt: attemptNumber,
    at: started.toISOString(),
    url,
    durationMs: Math.round(performance.now() - clock),
    status: result.status,
    error: result.error,
  });
  const finished = services.now();
  let status: "pending" | "delivered" | "failed" = "pending";
  let failureReason: FailureReason | "" = "";
  let nextAttemptAt = "";
  if (result.status !== null && result.status >= 200 && result.status < 300) status = "delivered";
  else if (result.status === 410) {
    status = "failed";
    failureReason = "endpoint_gone";
    await disableGoneEndpoint(services, row.tenantId, row.providerId);
  } else if (attemptNumber >= maxAttempts) {
    status = "failed";
    failureReason = "retries_exhausted";
  } else {
    nextAttemptAt = new Date(finished.getTime() + retryDelaysMs[attemptNumber - 1]!).toISOString();
  }
  const attempts = JSON.stringify([...(JSON.parse(row.attempts) as unknown[]), attempt]);
  return settle(services, row, { status, failureReason, nextAttemptAt, attemptCount: attemptNumber, attempts });
}

/** Writes the outcome (with the claim's etag) and moves the schedule: new row first, then the old one goes. */
async function settle(
  services: DeliveryServices,
  row: ClaimedRow,
  outcome: Pick<DeliveryRow, "status" | "failureReason" | "nextAttemptAt" | "attemptCount" | "attempts">,
): Promise<DeliveryRow> {
  const shard = scheduleShard(row.deliveryId);
  if (outcome.nextAttemptAt) {
    await services.tables.webhookSchedule
      .createEntity<ScheduleRow>({
        partitionKey: shard,
        rowKey: `${outcome.nextAttemptAt}|${row.deliveryId}`,
        deliveryPartitionKey: row.partitionKey,
        deliveryRowKey: row.rowKey,
      })
      .catch((error: unknown) => {
        if (!isEntityAlreadyExists(error)) throw error;
      });
  }
  const updated: DeliveryRow = { ...row, ...outcome, claimedUntil: "" };
  try {
    await services.tables.webhookDeliveries.updateEntity(
      { partitionKey: row.partitionKey, rowKey: row.rowKey, ...outcome, claimedUntil: "" },
      "Merge",
      { etag: row.etag },
    );
  } catch (error) {
    // Our claim ran out and another sender took the delivery over: its outcome stands.
    if (isPreconditionFailed(error)) return readRow(services, row.partitionKey, row.rowKey).then((r) => r ?? updated);
    throw error;
  }
  if (row.nextAttemptAt && row.nextAttemptAt !== outcome.nextAttemptAt) await deleteScheduleRow(services, shard, `${row.nextAttemptAt}|${row.deliveryId}`);
  return updated;
}

async function readRow(services: DeliveryServices, partitionKey: string, rowKey: string): Promise<TableEntityResult<DeliveryRow> | undefined> {
  try {
    return await services.tables.webhookDeliveries.getEntity<DeliveryRow>(partitionKey, rowKey);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function deleteScheduleRow(services: DeliveryServices, shard: string, rowKey: string) {
  await services.tables.webhookSchedule.deleteEntity(shard, rowKey).catch((error: unknown) => {
    if (!isNotFound(error)) throw error;
  });
}

export interface RetryRun {
  /** Schedule rows that were due. */
  due: number;
  attempted: number;
  delivered: number;
  failed: number;
}

/**
 * The timer's work: every delivery whose next attempt is due gets it. A delivery is claimed with an
 * etag-conditional write before it is sent, so two runs (or a run and the first attempt) never send it
 * at the same time; a claim that is lost is skipped. At most `limitPerShard` rows of each shard per run.
 */
export async function runDueRetries(services: DeliveryServices, options: { limitPerShard?: number; concurrency?: number } = {}): Promise<RetryRun> {
  const limit = options.limitPerShard ?? 25;
  const now = services.now();
  const upTo = `${now.toISOString()}~`; // "~" sorts after "|": every row due at or before now
  const shards = Array.from({ length: scheduleShards }, (_, i) => String(i).padStart(2, "0"));
  const due = (
    await Promise.all(
      shards.map(async (shard) => {
        const rows: TableEntityResult<ScheduleRow>[] = [];
        const query = services.tables.webhookSchedule.listEntities<ScheduleRow>({
          queryOptions: { filter: odata`PartitionKey eq ${shard} and RowKey le ${upTo}` },
        });
        for await (const row of query) {
          rows.push(row);
          if (rows.length >= limit) break;
        }
        return rows;
      }),
    )
  ).flat();
  const run: RetryRun = { due: due.length, attempted: 0, delivered: 0, failed: 0 };
  let next = 0;
  const worker = async () => {
    while (next < due.length) {
      const outcome = await retryOne(services, due[next++]!);
      if (!outcome) continue;
      run.attempted += outcome.attempted ? 1 : 0;
      if (outcome.status === "delivered") run.delivered++;
      if (outcome.status === "failed") run.failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, due.length) }, worker));
  return run;
}

async function retryOne(
  services: DeliveryServices,
  scheduled: TableEntityResult<ScheduleRow>,
): Promise<{ attempted: boolean; status: string } | undefined> {
  const shard = scheduled.partitionKey!;
  const scheduleKey = scheduled.rowKey!;
  const dueAt = scheduleKey.slice(0, scheduleKey.indexOf("|"));
  const row = await readRow(services, scheduled.deliveryPartitionKey, scheduled.deliveryRowKey);
  // No delivery (its write failed after the schedule row's), or the delivery moved on: the row is stale.
  if (!row || row.status !== "pending" || row.nextAttemptAt !== dueAt) {
    await deleteScheduleRow(services, shard, scheduleKey);
    return undefined;
  }
  const now = services.now();
  if (row.claimedUntil && Date.parse(row.claimedUntil) > now.getTime()) return undefined; // being sent right now
  let etag: string;
  try {
    const claimedUntil = new Date(now.getTime() + claimMs).toISOString();
    etag = (await services.tables.webhookDeliveries.updateEntity(
      { partitionKey: row.partitionKey!, rowKey: row.rowKey!, claimedUntil },
      "Merge",
      { etag: row.etag },
    )).etag!;
  } catch (error) {
    if (isPreconditionFailed(error)) return undefined; // another run claimed it first
    throw error;
  }
  const claimed: ClaimedRow = { ...row, partitionKey: row.partitionKey!, rowKey: row.rowKey!, etag };
  const endpoint = await findEndpoint(services, row.tenantId, row.providerId);
  if (!endpoint || !endpoint.endpoint.enabled) {
    const failureReason: FailureReason = !endpoint ? "endpoint_deleted" : endpoint.endpoint.disabledReason === "gone" ? "endpoint_gone" : "endpoint_disabled";
    const settled = await settle(services, claimed, {
      status: "failed",
      failureReason,
      nextAttemptAt: "",
      attemptCount: row.attemptCount,
      attempts: row.attempts,
    });
    return { attempted: false, status: settled.status };
  }
  const settled = await attemptClaimed(services, claimed, endpoint);
  return { attempted: true, status: settled.status };
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
      select: ["deliveryId", "type", "status", "createdAt", "attemptCount", "nextAttemptAt", "failureReason"],
    },
  });
  const { items, nextCursor } = await readPage(query, page.limit, page.cursor);
  return { items: items.map(summaryOf), nextCursor };
}

export async function getDelivery(services: Pick<Services, "tables">, tenantId: string, providerId: string, deliveryId: string): Promise<Delivery> {
  const row = await readRow(services as DeliveryServices, key(tenantId, providerId), deliveryRowKey(deliveryId));
  if (!row) throw new WebCtiError("not_found", `No delivery '${deliveryId}' for this provider.`);
  return deliveryOf(row);
}
