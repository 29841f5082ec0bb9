import { odata } from "@azure/data-tables";
import { WebCtiError } from "../errors.js";
import type { Services } from "../services.js";
import { Channel } from "../schemas/conversationEvent.js";
import { maxKpiRangeDays, type KpiAggregate, type KpiQuery, type KpiReport, type KpiSeries } from "../schemas/analytics.js";
import { addAggregates, emptyAggregate, isEmptyAggregate, kpisOf } from "./kpis.js";
import { getKpiSettings } from "./kpiSettingsStore.js";
import { aggregatePartition, aggregateRowKey, aggregateTables, type Dimension } from "./kpiStore.js";
import { intervalMs, nextMonth, startOf } from "./intervals.js";
import { parseRow } from "../storage/parseRow.js";

/**
 * A KPI report (docs/kpis.md, "Reading figures"): for each provider and channel asked for, one range read
 * per month of the pre-aggregated rows of the chosen interval size and dimension; rates and averages are
 * derived from the summed counts, never averaged.
 */
export async function readKpiReport(
  services: Pick<Services, "tables">,
  tenantId: string,
  query: KpiQuery,
  providerIds: readonly string[],
): Promise<KpiReport> {
  const { from, to } = checkRange(query);
  const [settings, read] = await Promise.all([
    getKpiSettings(services.tables, tenantId),
    readSeries(services, tenantId, { ...query, from, to }, providerIds),
  ]);
  return { from, to, interval: query.interval, settings, ...summarize(read.series, query.by !== undefined), rowsRead: read.rowsRead };
}

type SeriesKey = Omit<KpiSeries, "total" | "points">;
type SeriesRows = Map<string, { key: SeriesKey; points: Map<string, KpiAggregate> }>;

/** The aggregate rows asked for, by series (provider × channel × split value), each by interval start. */
async function readSeries(
  services: Pick<Services, "tables">,
  tenantId: string,
  query: KpiQuery,
  providerIds: readonly string[],
): Promise<{ series: SeriesRows; rowsRead: number }> {
  const { from, to } = query;
  const dimension: Dimension = query.by ?? "all";
  const table = services.tables[aggregateTables[query.interval]];
  const channels = query.channel ? [query.channel] : Channel.options;
  const series: SeriesRows = new Map();
  let rowsRead = 0;
  const readMonth = async (providerId: string, channel: Channel, month: string) => {
    const rows = table.listEntities<{ value?: string; intervalStart?: string; aggregate?: string }>({
      queryOptions: {
        filter: odata`PartitionKey eq ${aggregatePartition(tenantId, providerId, channel, month)} and RowKey ge ${aggregateRowKey(dimension, from, "")} and RowKey lt ${aggregateRowKey(dimension, to, "")}`,
        select: ["PartitionKey", "RowKey", "value", "intervalStart", "aggregate"],
      },
    });
    for await (const row of rows) {
      rowsRead += 1;
      const aggregate = parseRow(table, row, () => JSON.parse(row.aggregate ?? "{}") as KpiAggregate);
      if (isEmptyAggregate(aggregate)) continue; // a group that lost its last conversation
      const value = row.value ?? "";
      const id = JSON.stringify([providerId, channel, value]);
      let entry = series.get(id);
      if (!entry) {
        const key: SeriesKey = {
          providerId,
          channel,
          ...(dimension === "queue" && { queue: value }),
          ...(dimension === "agent" && { agentId: value }),
        };
        entry = { key, points: new Map() };
        series.set(id, entry);
      }
      entry.points.set(row.intervalStart!, aggregate);
    }
  };
  const months = monthsBetween(from, to);
  await Promise.all(providerIds.flatMap((providerId) => channels.flatMap((channel) => months.map((month) => readMonth(providerId, channel, month)))));
  return { series, rowsRead };
}

/** Sums the series' counts: each series' total, the totals per interval, and (split reports) per split value. */
function summarize(series: SeriesRows, split: boolean): Pick<KpiReport, "series" | "total" | "points" | "splits"> {
  let total = emptyAggregate();
  const byInterval = new Map<string, KpiAggregate>();
  const bySplit = new Map<string, { total: KpiAggregate; points: Map<string, KpiAggregate> }>();
  const pointsOf = (map: Map<string, KpiAggregate>) =>
    [...map].sort(([a], [b]) => (a < b ? -1 : 1)).map(([intervalStart, aggregate]) => ({ intervalStart, kpis: kpisOf(aggregate) }));
  const list: KpiSeries[] = [...series.values()]
    .sort((a, b) => compare(a.key, b.key))
    .map(({ key, points }) => {
      const ordered = [...points].sort(([a], [b]) => (a < b ? -1 : 1));
      const sum = ordered.reduce((acc, [, aggregate]) => addAggregates(acc, aggregate), emptyAggregate());
      total = addAggregates(total, sum);
      const value = key.queue ?? key.agentId;
      const splitEntry = value === undefined ? undefined : (bySplit.get(value) ?? { total: emptyAggregate(), points: new Map<string, KpiAggregate>() });
      for (const [intervalStart, aggregate] of ordered) {
        byInterval.set(intervalStart, addAggregates(byInterval.get(intervalStart) ?? emptyAggregate(), aggregate));
        splitEntry?.points.set(intervalStart, addAggregates(splitEntry.points.get(intervalStart) ?? emptyAggregate(), aggregate));
      }
      if (value !== undefined && splitEntry) bySplit.set(value, { total: addAggregates(splitEntry.total, sum), points: splitEntry.points });
      return { ...key, total: kpisOf(sum), points: ordered.map(([intervalStart, aggregate]) => ({ intervalStart, kpis: kpisOf(aggregate) })) };
    });
  return {
    series: list,
    total: kpisOf(total),
    points: pointsOf(byInterval),
    ...(split && {
      splits: [...bySplit].sort(([a], [b]) => (a < b ? -1 : 1)).map(([value, entry]) => ({ value, total: kpisOf(entry.total), points: pointsOf(entry.points) })),
    }),
  };
}

/** `from` and `to` must be boundaries of the interval, in order, and no further apart than the interval allows. */
function checkRange(query: KpiQuery): { from: string; to: string } {
  const from = new Date(query.from).toISOString();
  const to = new Date(query.to).toISOString();
  const problems: Array<{ parameter: string; detail: string }> = [];
  for (const [name, at] of [["from", from], ["to", to]] as const) {
    if (startOf(at, query.interval) !== at) {
      problems.push({ parameter: name, detail: `must be a ${query.interval === "15m" ? "quarter-hour" : query.interval} boundary in UTC (e.g. ${startOf(at, query.interval)})` });
    }
  }
  const spanMs = Date.parse(to) - Date.parse(from);
  if (spanMs <= 0) problems.push({ parameter: "to", detail: "must be after from" });
  const maxDays = maxKpiRangeDays[query.interval];
  if (spanMs > maxDays * intervalMs.day) problems.push({ parameter: "to", detail: `the range may span at most ${maxDays} days at interval ${query.interval}` });
  if (problems.length > 0) {
    throw new WebCtiError("invalid_request", `The KPI range is not valid: ${problems.map((p) => `${p.parameter} ${p.detail}`).join("; ")}.`, {
      errors: problems,
    });
  }
  return { from, to };
}

/** The first instant of each UTC month the range [from, to) touches. */
function monthsBetween(from: string, to: string): string[] {
  const months = [`${from.slice(0, 7)}-01T00:00:00.000Z`];
  for (let month = nextMonth(from); month < to; month = nextMonth(month)) months.push(month);
  return months;
}

function compare(a: Omit<KpiSeries, "total" | "points">, b: Omit<KpiSeries, "total" | "points">): number {
  const left = [a.providerId, a.channel, a.queue ?? a.agentId ?? ""].join("\u0000");
  const right = [b.providerId, b.channel, b.queue ?? b.agentId ?? ""].join("\u0000");
  return left < right ? -1 : left > right ? 1 : 0;
}
