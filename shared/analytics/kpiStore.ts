import type { TableClient, TransactionAction } from "@azure/data-tables";
import { randomUUID } from "node:crypto";
import { isNotFound, isPreconditionFailed } from "../errors.js";
import { readEntity } from "../storage/readEntity.js";
import { key, type Tables } from "../storage/tables.js";
import { keyPart, roomAfter } from "../storage/keyPart.js";
import { capPartnerEvents } from "./capPartnerEvents.js";
import { shardOf } from "../storage/shardOf.js";
import { deleteIfExists } from "../storage/deleteIfExists.js";
import type { ConversationFacts, KpiAggregate, KpiInterval } from "../schemas/analytics.js";

/**
 * Where the KPI projection keeps its rows (docs/kpis.md, "How figures are kept"). Every key names the
 * tenant and provider first, so one tenant's rows are never read for another.
 *
 * - kpiDirty: work to do, spread over 16 shards by a hash of the key, so no tenant heats one partition.
 *   `c|tenant|provider|conversationId`: the conversation's events changed since it was last projected;
 *   `i|tenant|provider|quarterStart`: that quarter-hour's aggregates must be recomputed;
 *   `r|tenant`: every conversation of the tenant must be projected again (settings changed, or a rebuild).
 * - kpiFacts: per conversation and quarter-hour it counts in, its facts and partner events: PK
 *   `tenant|provider|quarterStart`, RK conversationId. One partition is exactly what one recompute reads.
 * - kpiFeed: the facts as computed, in the order computed (the incremental export): PK
 *   `tenant|provider|yyyy-mm`, RK `projectedAt|conversationId`.
 * - kpiQuarterHours / kpiHours / kpiDays: aggregates, PK `tenant|provider|channel|yyyy-mm`, RK
 *   `dimension|intervalStart|value` (dimension `all`, `queue` or `agent`), so a range of one dimension is
 *   one range read per month.
 */

export type Dimension = "all" | "queue" | "agent";
export const dimensions: readonly Dimension[] = ["all", "queue", "agent"];

export function conversationMark(tenantId: string, providerId: string, conversationId: string): string {
  return key("c", tenantId, providerId, conversationId);
}

export function intervalMark(tenantId: string, providerId: string, quarterStart: string): string {
  return key("i", tenantId, providerId, quarterStart);
}

export function rebuildMark(tenantId: string): string {
  return key("r", tenantId);
}

/**
 * Marks every conversation of a tenant for projection: `scope: "projected"` (a settings change: those that
 * counted somewhere) or `"all"` (a rebuild from the stored events). The projection's scan continues over
 * runs; its position is kept in the marker, which a new request replaces (the scan starts over).
 */
export async function requestRebuild(tables: Pick<Tables, "kpiDirty">, tenantId: string, scope: "projected" | "all"): Promise<void> {
  await mark(tables, [rebuildMark(tenantId)], { scope }, "Replace");
}

/** The row beside a conversation's events (RowKey "kpi") that remembers what its projection last wrote (`digest`). */
export const pointerRowKey = "kpi";

/**
 * Beside it, one row per quarter-hour the conversation has a kpiFacts row in (RowKey `kpi|<quarter start>`):
 * rows, not a list, as a conversation's partner events may fall in any number of quarter-hours.
 */
export const quarterRowPrefix = "kpi|";

/**
 * Upserts work markers (a newer mark of the same key changes its etag: see the projection's delete). Merged,
 * so a conversation marked `force` by a rebuild stays so when an event marks it again; "Replace" starts over.
 */
export async function mark(
  tables: Pick<Tables, "kpiDirty">,
  rowKeys: Iterable<string>,
  extra: Record<string, unknown> = {},
  mode: "Merge" | "Replace" = "Merge",
): Promise<void> {
  await Promise.all(
    [...byShard(rowKeys)].map(([shard, keys]) =>
      submitChunks(
        tables.kpiDirty,
        [...keys].map((rowKey): TransactionAction => ["upsert", { partitionKey: shard, rowKey, ...extra }, mode]),
      ),
    ),
  );
}

/**
 * How long a conversation marker written before its events stays out of the projection's reach unless the
 * request that wrote it finishes first. Longer than any storage call can still land (Azure Table storage
 * ends a request it accepted within 30 s, its longest server timeout; our calls end at 8 s).
 */
export const kpiHoldMs = 60_000;

/** The holds one request wrote: its id (`heldBy`) and the etag of each held marker, by marker row key. */
export interface KpiHold {
  id: string;
  etags: Map<string, string>;
}

/**
 * Marks the conversations BEFORE their events are stored, held (`heldUntil`) so the projection leaves them
 * alone while the request runs (issue 16, item 12): an event stored by a request that then died before its
 * `markConversations` is still projected, once the hold has passed. The marker is in another table than
 * the events (the 16 kpiDirty shards), so it cannot share their entity-group transaction.
 */
export async function holdConversations(
  tables: Pick<Tables, "kpiDirty">,
  tenantId: string,
  providerId: string,
  conversationIds: Iterable<string>,
  now: Date,
): Promise<KpiHold> {
  const heldUntil = new Date(now.getTime() + kpiHoldMs).toISOString();
  const hold: KpiHold = { id: randomUUID(), etags: new Map() };
  const heldBy = hold.id;
  await Promise.all(
    [...byShard([...new Set(conversationIds)].map((id) => conversationMark(tenantId, providerId, id)))].map(async ([shard, keys]) => {
      const rowKeys = [...keys];
      for (let start = 0; start < rowKeys.length; start += 100) {
        const chunk = rowKeys.slice(start, start + 100);
        if (chunk.length === 1) {
          hold.etags.set(chunk[0]!, (await tables.kpiDirty.upsertEntity({ partitionKey: shard, rowKey: chunk[0]!, heldUntil, heldBy }, "Merge")).etag!);
          continue;
        }
        const done = await tables.kpiDirty.submitTransaction(chunk.map((rowKey): TransactionAction => ["upsert", { partitionKey: shard, rowKey, heldUntil, heldBy }, "Merge"]));
        // The answers come in the order of the actions (a batch's sub-responses may not name their row).
        done.subResponses.forEach((sub, i) => {
          if (sub.etag) hold.etags.set(sub.rowKey || chunk[i]!, sub.etag);
        });
      }
    }),
  );
  return hold;
}

/**
 * Marks the conversations whose events were just stored: the projection folds them again. With the `hold`
 * this request wrote before storing them, each hold is released (`heldUntil` emptied) if it is still ours:
 * one conditional write per marker, as the unconditional mark was (plus a read when the marker changed since).
 */
export async function markConversations(
  tables: Pick<Tables, "kpiDirty">,
  tenantId: string,
  providerId: string,
  conversationIds: Iterable<string>,
  hold?: KpiHold,
): Promise<void> {
  const rowKeys = [...new Set(conversationIds)].map((id) => conversationMark(tenantId, providerId, id));
  if (!hold) return mark(tables, rowKeys);
  await Promise.all([
    mark(tables, rowKeys.filter((rowKey) => !hold.etags.has(rowKey))),
    ...rowKeys.filter((rowKey) => hold.etags.has(rowKey)).map((rowKey) => releaseHold(tables.kpiDirty, rowKey, hold.id, hold.etags.get(rowKey)!)),
  ]);
}

/**
 * Empties `heldUntil` if the marker is still held by `heldBy`: first conditional on the hold's etag; if the
 * marker changed since (another mark, or another request's hold), it is read and released only if the hold
 * is still ours; held by another request, left to it; no longer held, or gone (the projection took it):
 * marked again.
 */
async function releaseHold(table: TableClient, rowKey: string, heldBy: string, etag: string): Promise<void> {
  const partitionKey = shardOf(rowKey);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await table.updateEntity({ partitionKey, rowKey, heldUntil: "", heldBy: "" }, "Merge", { etag });
      return;
    } catch (error) {
      if (isNotFound(error)) return mark({ kpiDirty: table }, [rowKey]);
      if (!isPreconditionFailed(error)) throw error;
    }
    const row = await readEntity(table, partitionKey, rowKey, (r) => r);
    if (!row) return mark({ kpiDirty: table }, [rowKey]);
    if (row["heldBy"] !== heldBy) {
      // Held by another request since: it releases it after storing its own events, or its hold passes.
      if (isHeld(row as { heldUntil?: unknown }, new Date())) return;
      // Released by another request already: mark it again, so a projection run that read the marker
      // before this request's events were stored does not delete it (its etag changes) and runs again.
      return mark({ kpiDirty: table }, [rowKey]);
    }
    etag = row.etag;
  }
}

/** True while a marker is held by a request that has not stored its events yet (see holdConversations). */
export function isHeld(marker: { heldUntil?: unknown }, now: Date): boolean {
  return typeof marker.heldUntil === "string" && marker.heldUntil !== "" && Date.parse(marker.heldUntil) > now.getTime();
}

function byShard(rowKeys: Iterable<string>): Map<string, Set<string>> {
  const shards = new Map<string, Set<string>>();
  for (const rowKey of rowKeys) {
    const shard = shardOf(rowKey);
    shards.set(shard, (shards.get(shard) ?? new Set()).add(rowKey));
  }
  return shards;
}

/** Submits the actions of ONE partition in transactions of at most 100 (one round trip when 1). */
export async function submitChunks(table: TableClient, actions: TransactionAction[]): Promise<void> {
  for (let start = 0; start < actions.length; start += 100) {
    const chunk = actions.slice(start, start + 100);
    if (chunk.length === 1) {
      const [kind, entity] = chunk[0]!;
      if (kind === "upsert") await table.upsertEntity(entity, chunk[0]![2] === "Merge" ? "Merge" : "Replace");
      else if (kind === "delete") await deleteIfExists(table, entity.partitionKey, entity.rowKey);
      else await table.submitTransaction(chunk);
    } else {
      await table.submitTransaction(chunk);
    }
  }
}

export function factsPartition(tenantId: string, providerId: string, quarterStart: string): string {
  return key(tenantId, providerId, quarterStart);
}

/** What a conversation counts in one quarter-hour: its facts (if it ended then) and its partner events then. */
export interface FactsRowValue {
  channel: string;
  queue?: string;
  agentId?: string;
  facts?: ConversationFacts;
  partnerEvents: Record<string, number>;
}

/** A kpiFacts row: one conversation in one quarter-hour of its provider. */
export function factsRow(tenantId: string, providerId: string, quarterStart: string, conversationId: string, value: FactsRowValue) {
  return { partitionKey: factsPartition(tenantId, providerId, quarterStart), rowKey: conversationId, value: JSON.stringify(value) };
}

export function feedPartition(tenantId: string, providerId: string, at: string): string {
  return key(tenantId, providerId, at.slice(0, 7));
}

/** Before the group rows: one row (`groups`, a JSON list) per quarter-hour, read and then replaced by them. */
export const aggregatedRowKey = "~aggregated";

/**
 * A quarter-hour's group rows, in its kpiFacts partition (no conversation id starts with "~"): one per group
 * its aggregates were written for, RowKey `~group|<the group id, keyPart>`, the id in `group`. One row per
 * group, not one list: a provider's queues and agents of a quarter-hour are many, a column holds 32 K.
 */
export const groupRowPrefix = "~group|";

export function groupRow(partitionKey: string, group: string) {
  return { partitionKey, rowKey: key("~group", keyPart(group, roomAfter("~group"))), group };
}

export function aggregatePartition(tenantId: string, providerId: string, channel: string, intervalStart: string): string {
  return key(tenantId, providerId, channel, intervalStart.slice(0, 7));
}

/** The value (a queue name, an agent id) is read from the row's `value` column, never from the key. */
export function aggregateRowKey(dimension: Dimension, intervalStart: string, value: string): string {
  return key(dimension, intervalStart, keyPart(value, roomAfter(dimension, intervalStart)));
}

export const aggregateTables: Record<KpiInterval, "kpiQuarterHours" | "kpiHours" | "kpiDays"> = {
  "15m": "kpiQuarterHours",
  hour: "kpiHours",
  day: "kpiDays",
};

/** One pre-aggregated row as stored. */
export interface AggregateRow {
  partitionKey: string;
  rowKey: string;
  dimension: Dimension;
  intervalStart: string;
  value: string;
  aggregate: string;
}

export function aggregateRow(
  tenantId: string,
  providerId: string,
  channel: string,
  dimension: Dimension,
  intervalStart: string,
  value: string,
  aggregate: KpiAggregate,
): AggregateRow {
  return {
    partitionKey: aggregatePartition(tenantId, providerId, channel, intervalStart),
    rowKey: aggregateRowKey(dimension, intervalStart, value),
    dimension,
    intervalStart,
    value,
    // Partner event names from many conversations: at most 50 per row too, the rest under "(other)".
    aggregate: JSON.stringify({ ...aggregate, partnerEvents: capPartnerEvents(aggregate.partnerEvents) }),
  };
}
