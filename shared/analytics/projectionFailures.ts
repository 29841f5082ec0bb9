import { odata, type TableClient } from "@azure/data-tables";
import { describeError, isNotFound, isPreconditionFailed } from "../errors.js";
import { afterPrefix } from "../storage/tables.js";
import { readShards } from "../storage/readShards.js";
import { maxTries, retryDelayMs } from "../workItemRetry.js";

/**
 * Work items of the KPI projection (kpiDirty markers) fail one at a time (issue 16, item 1): an item whose
 * work throws is left for a later run with backoff (`attempts`, `retryAt`, `lastError` on its marker) while
 * the run goes on with the others; after `maxAttempts` it is parked (moved to `p|<its row key>` in the same
 * shard, which no run reads) and logged, for an operator to see (`npm run ops -- kpis parked`) and, once the
 * cause is fixed, to put back (`kpis unpark`).
 */
export { maxTries as maxAttempts, retryDelayMs };
export const parkedPrefix = "p|";

export interface FailingMarker {
  partitionKey: string;
  rowKey: string;
  etag: string;
  attempts?: number;
}

/** A marker's failure state as stored. */
export interface FailureFields {
  attempts?: number;
  retryAt?: string;
  lastError?: string;
}

/** Whether a marker waits for its next try. */
export function isBackingOff(row: FailureFields, now: Date): boolean {
  return typeof row.retryAt === "string" && row.retryAt > now.toISOString();
}

/**
 * Records one failed try of a marker: its next try after the backoff, or parked after `maxAttempts`. A
 * marker changed meanwhile (marked again by a new event, or done by another run) keeps what it has: it is
 * tried again as it is. Says what became of it.
 */
export async function recordFailure(
  kpiDirty: TableClient,
  marker: FailingMarker,
  error: unknown,
  now: Date,
): Promise<"retrying" | "parked" | "changed"> {
  const attempts = (marker.attempts ?? 0) + 1;
  const lastError = describeError(error);
  const { partitionKey, rowKey, etag } = marker;
  try {
    if (attempts >= maxTries) {
      const stored = await kpiDirty.getEntity<Record<string, unknown>>(partitionKey, rowKey);
      if (stored.etag !== etag) return "changed";
      const parked = { ...markerFields(stored), partitionKey, rowKey: `${parkedPrefix}${rowKey}`, attempts, lastError, parkedAt: now.toISOString(), retryAt: "" };
      await kpiDirty.upsertEntity(parked, "Replace");
      await kpiDirty.deleteEntity(partitionKey, rowKey, { etag });
      return "parked";
    }
    const retryAt = new Date(now.getTime() + retryDelayMs(attempts)).toISOString();
    await kpiDirty.updateEntity({ partitionKey, rowKey, attempts, retryAt, lastError }, "Merge", { etag });
    return "retrying";
  } catch (failure) {
    if (isPreconditionFailed(failure) || isNotFound(failure)) return "changed";
    throw failure;
  }
}

export interface ParkedItem {
  shard: string;
  /** The marker's row key: `c|tenant|provider|conversation`, `i|tenant|provider|quarter` or `r|tenant`. */
  item: string;
  attempts: number;
  lastError: string;
  parkedAt: string;
}

/** The parked items, of one tenant or all. */
export async function listParked(kpiDirty: TableClient, tenantId?: string): Promise<ParkedItem[]> {
  const items: ParkedItem[] = [];
  for (const kind of ["c", "i", "r"]) {
    const prefix = `${parkedPrefix}${kind}|${tenantId === undefined ? "" : tenantId}`;
    const { rows } = await readShards<{ attempts?: number; lastError?: string; parkedAt?: string }>(
      kpiDirty,
      (shard) => odata`PartitionKey eq ${shard} and RowKey ge ${prefix} and RowKey lt ${afterPrefix(prefix)}`,
      1000, // the first 1000 of each shard: a page
    );
    for (const row of rows) {
      const item = row.rowKey!.slice(parkedPrefix.length);
      // `r|tenant` is a prefix of `r|tenant2`: keep the asked tenant's own.
      if (tenantId !== undefined && item.split("|")[1] !== tenantId) continue;
      items.push({ shard: row.partitionKey!, item, attempts: Number(row.attempts ?? 0), lastError: String(row.lastError ?? ""), parkedAt: String(row.parkedAt ?? "") });
    }
  }
  return items.sort((a, b) => a.parkedAt.localeCompare(b.parkedAt) || a.item.localeCompare(b.item));
}

/** Puts parked items back as fresh markers (no attempts, no backoff), for the next run; says how many. */
export async function unpark(kpiDirty: TableClient, tenantId?: string): Promise<number> {
  const parked = await listParked(kpiDirty, tenantId);
  for (const { shard, item } of parked) {
    const stored = await kpiDirty.getEntity<Record<string, unknown>>(shard, `${parkedPrefix}${item}`);
    const { attempts: _a, lastError: _l, parkedAt: _pa, retryAt: _ra, ...fields } = markerFields(stored);
    await kpiDirty.upsertEntity({ ...fields, partitionKey: shard, rowKey: item }, "Merge");
    await kpiDirty.deleteEntity(shard, `${parkedPrefix}${item}`);
  }
  return parked.length;
}

/** A marker's own fields (scope, token, force, hold…), without the keys and the table's metadata. */
function markerFields(stored: Record<string, unknown>): Record<string, unknown> {
  const { etag: _etag, timestamp: _timestamp, "odata.metadata": _metadata, partitionKey: _p, rowKey: _r, ...fields } = stored;
  return fields;
}
