import { odata, type TransactionAction } from "@azure/data-tables";
import { z } from "zod";
import type { Tables } from "../storage/tables.js";
import type { KpiAggregate, KpiInterval } from "../schemas/analytics.js";
import { addAggregates, emptyAggregate } from "./kpis.js";
import { groupId, parseGroupId, sumFactsRows, type GroupId } from "./sumFactsRows.js";
import {
  aggregatePartition,
  aggregateRow,
  aggregateRowKey,
  aggregateTables,
  aggregatedRowKey,
  factsPartition,
  groupRow,
  groupRowPrefix,
  type FactsRowValue,
  submitChunks,
  type Dimension,
} from "./kpiStore.js";
import { intervalMs, startOf } from "./intervals.js";
import { key } from "../storage/tables.js";
import { inParallel } from "../inParallel.js";
import { parseRow } from "../storage/parseRow.js";

type AggregateTables = Pick<Tables, "kpiFacts" | "kpiQuarterHours" | "kpiHours" | "kpiDays">;

/**
 * Recomputes one quarter-hour of one provider from its facts rows (one partition read); `aggregateQuarters`
 * then rewrites the hour and the day holding it from the finer rows. Nothing is incremented: every row written is
 * the sum of what it covers, read afresh, so running it twice, or after a crash half-way, gives the same
 * rows, and a conversation can never be counted twice. Groups that no longer have any conversation are
 * written as zero (never left stale); readers skip zero rows.
 *
 * Returns the number of facts rows read and the (channel, dimension) pairs written, for the roll-ups.
 */
export async function recomputeQuarter(
  tables: AggregateTables,
  tenantId: string,
  providerId: string,
  quarterStart: string,
): Promise<{ factsRowsRead: number; channelDimensions: Array<[string, Dimension]> }> {
  const partitionKey = factsPartition(tenantId, providerId, quarterStart);
  const values: FactsRowValue[] = [];
  const previous = new Map<GroupId, string>(); // each group written before → its group row ("": none yet)
  let legacyRow = false;
  for await (const row of tables.kpiFacts.listEntities<{ value?: string; groups?: string; group?: string }>({
    queryOptions: { filter: odata`PartitionKey eq ${partitionKey}`, select: ["PartitionKey", "RowKey", "value", "groups", "group"] },
  })) {
    if (row.rowKey === aggregatedRowKey) {
      legacyRow = true;
      for (const id of parseRow(tables.kpiFacts, row, () => JSON.parse(row.groups ?? "[]") as GroupId[])) if (!previous.has(id)) previous.set(id, "");
    } else if (row.rowKey!.startsWith(groupRowPrefix)) {
      previous.set(parseRow(tables.kpiFacts, row, () => z.string().parse(row.group)), row.rowKey!);
    } else {
      values.push(parseRow(tables.kpiFacts, row, () => JSON.parse(row.value ?? "{}") as FactsRowValue));
    }
  }

  const sums = sumFactsRows(values);
  const current = [...sums.keys()];
  const stale = [...previous.keys()].filter((id) => !sums.has(id));
  for (const id of stale) sums.set(id, emptyAggregate());
  // The new groups' rows first: a crash after them leaves a group known that has no aggregate yet (written as
  // zero next time), never an aggregate of a group nobody knows (left stale when it loses its conversations).
  const added = current.filter((id) => !previous.get(id));
  await submitChunks(tables.kpiFacts, added.map((id): TransactionAction => ["upsert", groupRow(partitionKey, id), "Replace"]));
  await writeAggregates(tables.kpiQuarterHours, tenantId, providerId, quarterStart, sums);
  // A stale group was written as zero just now: it is forgotten (as the list it replaces did).
  const forgotten = stale.map((id) => previous.get(id)!).filter((rowKey) => rowKey !== "");
  if (legacyRow) forgotten.push(aggregatedRowKey);
  await submitChunks(tables.kpiFacts, forgotten.map((rowKey): TransactionAction => ["delete", { partitionKey, rowKey }]));

  const touched = new Set([...sums.keys()].map((id) => JSON.stringify(parseGroupId(id).slice(0, 2))));
  return { factsRowsRead: values.length, channelDimensions: [...touched].map((id) => JSON.parse(id) as [string, Dimension]) };
}

export interface QuarterKey {
  tenantId: string;
  providerId: string;
  quarterStart: string;
}

/**
 * Recomputes quarter-hours (several at once), then rolls each hour they touch up once, then each day once:
 * two roll-ups of one interval at once could leave the older sum, so they never overlap. Returns the facts
 * rows read. `onQuarter` hears how long each quarter-hour took (the bench).
 */
export async function aggregateQuarters(
  tables: AggregateTables,
  quarters: readonly QuarterKey[],
  { concurrency = 8, onQuarter }: { concurrency?: number; onQuarter?: (ms: number) => void } = {},
): Promise<number> {
  type Interval = { tenantId: string; providerId: string; start: string; pairs: Map<string, [string, Dimension]> };
  const add = (map: Map<string, Interval>, tenantId: string, providerId: string, start: string, pairs: Iterable<[string, Dimension]>) => {
    const id = key(tenantId, providerId, start);
    const entry = map.get(id) ?? { tenantId, providerId, start, pairs: new Map() };
    for (const pair of pairs) entry.pairs.set(pair.join("|"), pair);
    map.set(id, entry);
  };
  let factsRowsRead = 0;
  const hours = new Map<string, Interval>();
  await inParallel(quarters, concurrency, async ({ tenantId, providerId, quarterStart }) => {
    const began = performance.now();
    const recomputed = await recomputeQuarter(tables, tenantId, providerId, quarterStart);
    factsRowsRead += recomputed.factsRowsRead;
    add(hours, tenantId, providerId, startOf(quarterStart, "hour"), recomputed.channelDimensions);
    onQuarter?.(performance.now() - began);
  });
  const days = new Map<string, Interval>();
  await inParallel([...hours.values()], concurrency, async ({ tenantId, providerId, start, pairs }) => {
    await rollUp(tables, "15m", "hour", tenantId, providerId, start, [...pairs.values()]);
    add(days, tenantId, providerId, startOf(start, "day"), pairs.values());
  });
  await inParallel([...days.values()], concurrency, ({ tenantId, providerId, start, pairs }) =>
    rollUp(tables, "hour", "day", tenantId, providerId, start, [...pairs.values()]),
  );
  return factsRowsRead;
}

/**
 * Rewrites the `coarse` rows of one interval as the sums of the `fine` rows it covers, per channel and
 * dimension. Two roll-ups of the same interval must not run at once (the later write could be the older
 * sum): `aggregateQuarters` rolls each hour, then each day, up once, after all its quarter-hours.
 */
async function rollUp(
  tables: AggregateTables,
  fine: KpiInterval,
  coarse: KpiInterval,
  tenantId: string,
  providerId: string,
  start: string,
  channelDimensions: ReadonlyArray<[string, Dimension]>,
): Promise<void> {
  const end = new Date(Date.parse(start) + intervalMs[coarse]).toISOString();
  const sums = new Map<GroupId, KpiAggregate>();
  await Promise.all(
    channelDimensions.map(async ([channel, dimension]) => {
      const rows = tables[aggregateTables[fine]].listEntities<{ value?: string; aggregate?: string }>({
        queryOptions: {
          filter: odata`PartitionKey eq ${aggregatePartition(tenantId, providerId, channel, start)} and RowKey ge ${aggregateRowKey(dimension, start, "")} and RowKey lt ${aggregateRowKey(dimension, end, "")}`,
          select: ["PartitionKey", "RowKey", "value", "aggregate"],
        },
      });
      for await (const row of rows) {
        const id = groupId(channel, dimension, row.value ?? "");
        const aggregate = parseRow(tables[aggregateTables[fine]], row, () => JSON.parse(row.aggregate ?? "{}") as KpiAggregate);
        sums.set(id, addAggregates(sums.get(id) ?? emptyAggregate(), aggregate));
      }
    }),
  );
  await writeAggregates(tables[aggregateTables[coarse]], tenantId, providerId, start, sums);
}

async function writeAggregates(
  table: AggregateTables["kpiQuarterHours"],
  tenantId: string,
  providerId: string,
  intervalStart: string,
  sums: ReadonlyMap<GroupId, KpiAggregate>,
): Promise<void> {
  const byPartition = new Map<string, TransactionAction[]>();
  for (const [id, aggregate] of sums) {
    const [channel, dimension, value] = parseGroupId(id);
    const row = aggregateRow(tenantId, providerId, channel, dimension, intervalStart, value, aggregate);
    byPartition.set(row.partitionKey, [...(byPartition.get(row.partitionKey) ?? []), ["upsert", { ...row }, "Replace"] as TransactionAction]);
  }
  await Promise.all([...byPartition.values()].map((actions) => submitChunks(table, actions)));
}


