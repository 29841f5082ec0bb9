import { odata, type TableEntityResult } from "@azure/data-tables";
import type { Services } from "../services.js";
import { isEntityAlreadyExists } from "../errors.js";
import { deleteIfExists } from "../storage/deleteIfExists.js";
import { shardOf } from "../storage/shardOf.js";
import { readShards } from "../storage/readShards.js";
import { maxTries, retryDelayMs } from "../workItemRetry.js";

type ScheduleServices = Pick<Services, "tables">;

/**
 * webhookSchedule: PartitionKey shard (00-15, hash of the delivery id), RowKey <dueAt ISO>|<deliveryId>. A
 * hint that a delivery is due: the timer reads each shard's rows up to "now" (16 small range queries, no
 * table scan), and a row whose delivery is no longer pending or due at that time is simply deleted.
 */
export interface ScheduleRow {
  deliveryPartitionKey: string;
  deliveryRowKey: string;
  /** A row moved later after the timer's work on it failed: the attempt's own due time, and how often. */
  dueAt?: string;
  errors?: number;
  lastError?: string;
}

/** The schedule row that brings the timer back to the delivery at `dueAt`. */
export interface ScheduledAttempt {
  deliveryId: string;
  dueAt: string;
  deliveryPartitionKey: string;
  deliveryRowKey: string;
  /** The row as read (a deferred row's key holds a later time than `dueAt`), and its failed tries. */
  scheduleRowKey?: string;
  errors?: number;
}

/** Adds the schedule row; one that exists already (a retried write) is kept. */
export async function scheduleAttempt(services: ScheduleServices, attempt: ScheduledAttempt): Promise<void> {
  await services.tables.webhookSchedule
    .createEntity<ScheduleRow>({
      partitionKey: shardOf(attempt.deliveryId),
      rowKey: `${attempt.dueAt}|${attempt.deliveryId}`,
      deliveryPartitionKey: attempt.deliveryPartitionKey,
      deliveryRowKey: attempt.deliveryRowKey,
    })
    .catch((error: unknown) => {
      if (!isEntityAlreadyExists(error)) throw error;
    });
}

export async function unscheduleAttempt(services: ScheduleServices, deliveryId: string, dueAt: string): Promise<void> {
  await deleteIfExists(services.tables.webhookSchedule, shardOf(deliveryId), `${dueAt}|${deliveryId}`);
}

/** Deletes the row the timer read (a deferred one included). */
export async function unscheduleRead(services: ScheduleServices, scheduled: ScheduledAttempt): Promise<void> {
  await deleteIfExists(services.tables.webhookSchedule, shardOf(scheduled.deliveryId), scheduled.scheduleRowKey ?? `${scheduled.dueAt}|${scheduled.deliveryId}`);
}

export const parkedScheduleRowPrefix = "p|";

/**
 * The timer's work on a due row failed (not the delivery's attempt, which the delivery records: reading or
 * writing its rows). The row waits (workItemRetry.ts): it moves later keeping the attempt's due time, and
 * after `maxTries` it is parked (`p|<deliveryId>`, read by no run) for an operator:
 * `npm run ops -- webhooks parked` / `unpark`. Other rows are not held up. Says what became of it.
 */
export async function deferAttempt(services: ScheduleServices, scheduled: ScheduledAttempt, lastError: string, now: Date): Promise<"deferred" | "parked"> {
  const errors = (scheduled.errors ?? 0) + 1;
  const parked = errors >= maxTries;
  const later = new Date(now.getTime() + retryDelayMs(errors)).toISOString();
  const { deliveryId, dueAt, deliveryPartitionKey, deliveryRowKey } = scheduled;
  const row = { deliveryPartitionKey, deliveryRowKey, dueAt, errors, lastError, ...(parked ? { parkedAt: now.toISOString() } : {}) };
  const rowKey = parked ? `${parkedScheduleRowPrefix}${deliveryId}` : `${later}|${deliveryId}`;
  await services.tables.webhookSchedule.upsertEntity({ partitionKey: shardOf(deliveryId), rowKey, ...row }, "Replace");
  await unscheduleRead(services, scheduled);
  return parked ? "parked" : "deferred";
}

export interface ParkedAttempt {
  deliveryId: string;
  dueAt: string;
  errors: number;
  lastError: string;
  parkedAt: string;
}

/** The parked rows (the first 1000 of each shard). */
export async function listParkedAttempts(services: ScheduleServices): Promise<ParkedAttempt[]> {
  const prefix = parkedScheduleRowPrefix;
  const { rows } = await readShards<ScheduleRow & { parkedAt?: string }>(
    services.tables.webhookSchedule,
    (shard) => odata`PartitionKey eq ${shard} and RowKey ge ${prefix} and RowKey lt ${"p}"}`,
    1000,
  );
  return rows
    .map((row) => ({ deliveryId: row.rowKey!.slice(prefix.length), dueAt: String(row.dueAt ?? ""), errors: Number(row.errors ?? 0), lastError: String(row.lastError ?? ""), parkedAt: String(row.parkedAt ?? "") }))
    .sort((a, b) => a.parkedAt.localeCompare(b.parkedAt) || a.deliveryId.localeCompare(b.deliveryId));
}

/** Puts the parked rows back at their attempt's due time (so the next run takes them); says how many. */
export async function unparkAttempts(services: ScheduleServices): Promise<number> {
  const parked = await listParkedAttempts(services);
  for (const { deliveryId, dueAt } of parked) {
    const stored = await services.tables.webhookSchedule.getEntity<ScheduleRow>(shardOf(deliveryId), `${parkedScheduleRowPrefix}${deliveryId}`);
    await scheduleAttempt(services, { deliveryId, dueAt, deliveryPartitionKey: stored.deliveryPartitionKey, deliveryRowKey: stored.deliveryRowKey });
    await deleteIfExists(services.tables.webhookSchedule, shardOf(deliveryId), `${parkedScheduleRowPrefix}${deliveryId}`);
  }
  return parked.length;
}

/** Every attempt due at or before `now`, at most `limitPerShard` of each shard. */
export async function readDueAttempts(services: ScheduleServices, now: Date, limitPerShard: number): Promise<ScheduledAttempt[]> {
  const upTo = `${now.toISOString()}~`; // "~" sorts after "|": every row due at or before now
  const { rows } = await readShards<ScheduleRow>(
    services.tables.webhookSchedule,
    (shard) => odata`PartitionKey eq ${shard} and RowKey le ${upTo}`,
    limitPerShard,
  );
  return rows.map((row: TableEntityResult<ScheduleRow>) => {
    const rowKey = row.rowKey!;
    const bar = rowKey.indexOf("|");
    return {
      dueAt: row.dueAt || rowKey.slice(0, bar),
      deliveryId: rowKey.slice(bar + 1),
      deliveryPartitionKey: row.deliveryPartitionKey,
      deliveryRowKey: row.deliveryRowKey,
      scheduleRowKey: rowKey,
      ...(row.errors ? { errors: row.errors } : {}),
    };
  });
}
