import { odata, type TableEntityResult } from "@azure/data-tables";
import type { Services } from "../services.js";
import { isEntityAlreadyExists } from "../errors.js";
import { deleteIfExists } from "../storage/deleteIfExists.js";
import { shardOf } from "../storage/shardOf.js";
import { readShards } from "../storage/readShards.js";

type ScheduleServices = Pick<Services, "tables">;

/**
 * webhookSchedule: PartitionKey shard (00-15, hash of the delivery id), RowKey <dueAt ISO>|<deliveryId>. A
 * hint that a delivery is due: the timer reads each shard's rows up to "now" (16 small range queries, no
 * table scan), and a row whose delivery is no longer pending or due at that time is simply deleted.
 */
export interface ScheduleRow {
  deliveryPartitionKey: string;
  deliveryRowKey: string;
}

/** The schedule row that brings the timer back to the delivery at `dueAt`. */
export interface ScheduledAttempt {
  deliveryId: string;
  dueAt: string;
  deliveryPartitionKey: string;
  deliveryRowKey: string;
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
      dueAt: rowKey.slice(0, bar),
      deliveryId: rowKey.slice(bar + 1),
      deliveryPartitionKey: row.deliveryPartitionKey,
      deliveryRowKey: row.deliveryRowKey,
    };
  });
}
