/**
 * The KPI benchmark (issue 5): ≥ 1 million ended conversations generated into Azurite through the
 * aggregation path, then the KPI report over 30 days by day and by hour (time and rows read), against the
 * floor of reading every facts row of ONE day. Figures are printed, never asserted.
 *
 * Generation: each conversation's `ConversationFacts` is built directly (1M conversations × ~9 events
 * through the HTTP/event path and `projectConversation` would take hours on one machine) and written as
 * the projection writes it: one kpiFacts row per conversation (PK tenant|provider|quarterStart, RK
 * conversationId, `value` = FactsRowValue), in entity-group transactions of ≤ 100 per partition, several
 * in flight. Then each day is aggregated as a projection run does: every quarter-hour by the real
 * `recomputeQuarter` (4 at once), then each hour and the day rolled up once by `rollUp`; 2 days at once.
 *
 * Azurite (LokiJS) answers every query by scanning every row of the table (no partition index), where
 * Azure Table Storage serves a partition-key query from the partition. So that a recompute costs what its
 * partitions hold and not what the whole month holds, each day's facts, quarter-hour and hour rows live in
 * tables of their own (prefix `kb` + yyyymmdd; same keys, same rows); the day rows go to the product's own
 * kpiDays table, and the hour rows are then copied into the product's kpiHours table, so the 30-day
 * reports (in-process and over HTTP) read the product's tables as stored by the product's layout.
 */
import { performance } from "node:perf_hooks";
import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import type { RunningStack } from "../local/spawnStack.js";
import { demo } from "../local/seedDemo.js";
import { createServices, type Services } from "../shared/services.js";
import { readConfig } from "../shared/config.js";
import { createTables, ensureTables, type Tables } from "../shared/storage/tables.js";
import type { ConversationFacts, KpiQuery, KpiReport } from "../shared/schemas/analytics.js";
import type { LegOutcome } from "../shared/schemas/conversationEvent.js";
import { factsPartition, factsRow, type FactsRowValue } from "../shared/analytics/kpiStore.js";
import { aggregateQuarters } from "../shared/analytics/recomputeAggregates.js";
import { inParallel } from "../shared/inParallel.js";
import { random } from "../local/random.js";
import { percentile } from "./stats.js";
import { readKpiReport } from "../shared/analytics/kpiReport.js";

const day0 = Date.UTC(2026, 9, 1); // 2026-10-01T00:00Z
const quarterMs = 15 * 60_000;
const dayMs = 24 * 60 * 60_000;
const queues = Array.from({ length: 10 }, (_, i) => `queue-${String(i + 1).padStart(2, "0")}`);
/** 200 agents: 1–140 take voice, 141–180 chat, 181–200 sms. */
const agentsOf = { voice: [1, 140], chat: [141, 180], sms: [181, 200] } as const;
type BenchChannel = keyof typeof agentsOf;
/** Conversations per hour of the day (UTC): quiet nights, busy office hours. */
const hourWeights = [1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 10, 11, 12, 11, 10, 8, 6, 5, 4, 3, 2, 1];

/** The seeded generator (the same data on every run) and the draws the generated calls need. */
function draws(seed: number) {
  const next = random(seed);
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    /** Exponentially distributed whole milliseconds with the given mean (seconds). */
    expMs: (meanSeconds: number) => Math.round(-Math.log(1 - next()) * meanSeconds * 1000),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
  };
}
type Random = ReturnType<typeof draws>;

/**
 * One ended conversation's facts, as `factsOf` would derive them (docs/kpis.md, "Per-conversation facts";
 * settings: short abandon 5 s, service level 20 s). The mix: voice 70 %, chat 22 %, sms 8 %; 10 % outbound;
 * inbound: answered 75 % (3 % of them abandoned in hold, 8 % transferred), abandoned in IVR 4 %, in queue
 * 8 %, ringing 2 %, flowed out 5 %, unanswered otherwise 6 %; 5 % rang at an agent who did not take it first.
 */
function conversationFacts(r: Random, conversationId: string, providerId: string, endedAt: number): ConversationFacts {
  const c = r.next();
  const channel: BenchChannel = c < 0.7 ? "voice" : c < 0.92 ? "chat" : "sms";
  const [lo, hi] = agentsOf[channel];
  const agent = () => `agent-${String(r.int(lo, hi)).padStart(3, "0")}`;
  const queue = queues[Math.min(queues.length - 1, Math.floor(r.next() * r.next() * queues.length * 1.6))]!; // a few big queues
  const base = {
    conversationId,
    providerId,
    channel,
    intervalAt: new Date(endedAt).toISOString(),
    shortAbandon: false,
    flowOut: false,
    unansweredOther: false,
    withinServiceLevel: false,
    transferred: false,
    missedByAgentIds: [] as string[],
    talkMs: 0,
    holdMs: 0,
    wrapUpMs: 0,
    outboundConnected: false,
  };
  if (r.next() < 0.1) {
    const connected = r.next() < 0.6;
    return { ...base, direction: "outbound", agentId: agent(), outcome: connected ? "completed" : "noAnswer", offered: false, answered: false, outboundConnected: connected };
  }
  const inbound = { ...base, direction: "inbound" as const, offered: true };
  const missed = r.next() < 0.05 ? [agent()] : [];
  const o = r.next();
  if (o < 0.75) {
    const waitMs = r.expMs(channel === "voice" ? 18 : 40);
    const outcome: LegOutcome = r.next() < 0.03 ? "abandonedInHold" : r.next() < 0.08 ? "transferred" : "completed";
    const held = outcome === "abandonedInHold" || r.next() < 0.3;
    return {
      ...inbound,
      queue,
      agentId: agent(),
      outcome,
      answered: true,
      ...(outcome === "abandonedInHold" && { abandonedIn: "hold" as const }),
      waitMs,
      withinServiceLevel: waitMs <= 20_000,
      transferred: outcome === "transferred",
      missedByAgentIds: missed,
      talkMs: r.expMs(channel === "voice" ? 240 : channel === "chat" ? 600 : 300),
      holdMs: held ? r.expMs(45) : 0,
      wrapUpMs: r.expMs(30),
    };
  }
  if (o < 0.79) return { ...inbound, outcome: "abandonedInIvr", answered: false, abandonedIn: "ivr" };
  if (o < 0.89) {
    const ringing = o >= 0.87;
    const waitMs = r.expMs(ringing ? 25 : 45);
    return {
      ...inbound,
      queue,
      ...(ringing && { agentId: agent() }),
      outcome: ringing ? "abandonedInRinging" : "abandonedInQueue",
      answered: false,
      abandonedIn: ringing ? ("ringing" as const) : ("queue" as const),
      waitMs,
      shortAbandon: waitMs < 5_000,
      missedByAgentIds: ringing ? [] : missed,
    };
  }
  if (o < 0.94) {
    return { ...inbound, queue, outcome: r.pick(["flowOut", "voicemail", "callbackRequested"] as const), answered: false, flowOut: true, waitMs: r.expMs(90) };
  }
  const missedAgent = agent();
  return {
    ...inbound,
    queue,
    agentId: missedAgent,
    outcome: r.pick(["noAnswer", "missedByAgent", "busy"] as const),
    answered: false,
    unansweredOther: true,
    waitMs: r.expMs(60),
    missedByAgentIds: [...missed, missedAgent],
  };
}

/** The facts rows of one day, by partition (quarter-hour), in the projection's shape. */
type FactsRow = ReturnType<typeof factsRow>;

function dayRows(dayIndex: number, count: number, tenantId: string, providerId: string): Map<string, FactsRow[]> {
  const r = draws(1000 + dayIndex);
  const quarterWeights = Array.from({ length: 96 }, (_, q) => hourWeights[Math.floor(q / 4)]!);
  const totalWeight = quarterWeights.reduce((a, b) => a + b, 0);
  const byPartition = new Map<string, FactsRow[]>();
  let made = 0;
  let weightSoFar = 0;
  for (let q = 0; q < 96; q++) {
    weightSoFar += quarterWeights[q]!;
    const inQuarter = Math.round((count * weightSoFar) / totalWeight) - made;
    const quarterStart = day0 + dayIndex * dayMs + q * quarterMs;
    const quarter = new Date(quarterStart).toISOString();
    const rows: FactsRow[] = [];
    for (let i = 0; i < inQuarter; i++) {
      const conversationId = `kb-${String(dayIndex + 1).padStart(2, "0")}-${String(made + i).padStart(6, "0")}`;
      const facts = conversationFacts(r, conversationId, providerId, quarterStart + Math.floor(r.next() * quarterMs));
      const value: FactsRowValue = {
        channel: facts.channel,
        ...(facts.queue !== undefined && { queue: facts.queue }),
        ...(facts.agentId !== undefined && { agentId: facts.agentId }),
        facts,
        // Some partner (CIF 2.0) analytics events, counted in the same quarter-hour.
        partnerEvents: r.next() < 0.03 ? { surveyCompleted: 1 } : r.next() < 0.01 ? { escalated: 1 } : {},
      };
      rows.push(factsRow(tenantId, providerId, quarter, conversationId, value));
    }
    made += inQuarter;
    byPartition.set(factsPartition(tenantId, providerId, quarter), rows);
  }
  return byPartition;
}

const dayPrefix = (dayIndex: number) => `kb${new Date(day0 + dayIndex * dayMs).toISOString().slice(0, 10).replaceAll("-", "")}`;

/** `days` is 30 for the figures; fewer only to try the bench out quickly (`--kpi-days`). */
export async function benchKpis(stack: RunningStack, conversations: number, days = 30): Promise<void> {
  const env = {
    WEBCTI_TABLES_CONNECTION_STRING: stack.tablesConnectionString,
    WEBCTI_WEBPUBSUB_CONNECTION_STRING: stack.webPubSub.connectionString,
    WEBCTI_WEBPUBSUB_HUB: stack.webPubSub.hub,
  };
  // The product's own tables (the prefix its process uses): the day rows, the copied hour rows, settings.
  const services: Services = createServices(readConfig(env));
  await ensureTables(services.tables);
  const { tenantId, providerId } = demo;
  const dayTables: Tables[] = Array.from({ length: days }, (_, d) => createTables(readConfig({ ...env, WEBCTI_TABLE_PREFIX: dayPrefix(d) })));
  await Promise.all(dayTables.map((t) => Promise.all([t.kpiFacts.createTable(), t.kpiQuarterHours.createTable(), t.kpiHours.createTable()])));

  console.log(`\nKPIs: ${conversations} ended conversations over ${days} days (2026-10-01 … ${new Date(day0 + (days - 1) * dayMs).toISOString().slice(0, 10)} UTC), tenant "${tenantId}", provider "${providerId}",`);
  console.log("3 channels, 10 queues, 200 agents; facts built directly and written as the projection writes them (an");
  console.log("event path of 1M conversations × 9 events would take hours here), then aggregated as a projection run does (recomputeQuarter, then each hour and day rolled up once).");

  const began = performance.now();
  const progress = (what: string) => process.stderr.write(`  [kpis ${((performance.now() - began) / 1000).toFixed(0)} s] ${what}\n`);
  const facts = await writeFacts(dayTables, conversations, progress);
  const aggregated = await aggregateDays(services, dayTables, progress);
  const copied = await copyHourRows(services, dayTables);
  let quarterRows = 0;
  for (const t of dayTables) for await (const _ of t.kpiQuarterHours.listEntities({ queryOptions: { select: ["RowKey"] } })) quarterRows += 1;
  let dayRowsCount = 0;
  for await (const _ of services.tables.kpiDays.listEntities({ queryOptions: { filter: odata`PartitionKey ge ${`${tenantId}|${providerId}|`} and PartitionKey lt ${`${tenantId}|${providerId}}`}`, select: ["RowKey"] } })) dayRowsCount += 1;

  const { recomputeMs } = aggregated;
  console.log(`generation ${(facts.seconds + aggregated.seconds + copied.seconds).toFixed(0)} s in all:`);
  console.log(`  facts rows        ${facts.rows} rows in ${facts.transactions} transactions, ${facts.seconds.toFixed(1)} s = ${(facts.rows / facts.seconds).toFixed(0)} facts rows/s (16 transactions in flight)`);
  console.log(`  recomputeQuarter  ${days * 96} quarter-hours, ${aggregated.factsRowsRead} facts rows read, ${aggregated.seconds.toFixed(1)} s = ${(facts.rows / aggregated.seconds).toFixed(0)} conversations/s aggregated`);
  console.log(`                    per quarter-hour p50 ${percentile(recomputeMs, 50).toFixed(0)} ms, p99 ${percentile(recomputeMs, 99).toFixed(0)} ms (4 quarter-hours of a day and 2 days at once); wrote ${quarterRows} quarter-hour, ${copied.hourRows} hour, ${dayRowsCount} day rows`);
  console.log(`  hour rows copied  ${copied.hourRows} rows (dimension "all") into the product's kpiHours table, ${copied.seconds.toFixed(1)} s`);

  const { dayP50, hourP50 } = await measureReports(stack, services, days);
  const floor = await measureFloor(dayTables, days);
  console.log(`ratio query / floor: by day ${(dayP50 / floor).toFixed(3)}×, by hour ${(hourP50 / floor).toFixed(3)}×`);
  const met = Math.max(dayP50, hourP50) < 50;
  console.log(`target: ${days}-day query < 50 ms (in-process p50, by day ${dayP50.toFixed(1)} ms, by hour ${hourP50.toFixed(1)} ms): ${met ? "met" : "missed"}`);
}

/** 1. Facts rows: transactions of ≤ 100 rows of one partition, 16 in flight. */
async function writeFacts(dayTables: Tables[], conversations: number, progress: (what: string) => void) {
  const { tenantId, providerId } = demo;
  const days = dayTables.length;
  const perDay = Array.from({ length: days }, (_, d) => Math.floor(conversations / days) + (d < conversations % days ? 1 : 0));
  let rowsWritten = 0;
  let transactions = 0;
  const start = performance.now();
  for (let d = 0; d < days; d++) {
    const chunks: TransactionAction[][] = [];
    for (const rows of dayRows(d, perDay[d]!, tenantId, providerId).values()) {
      for (let i = 0; i < rows.length; i += 100) chunks.push(rows.slice(i, i + 100).map((row): TransactionAction => ["upsert", row, "Replace"]));
      rowsWritten += rows.length;
    }
    transactions += chunks.length;
    await inParallel(chunks, 16, async (chunk) => void (await dayTables[d]!.kpiFacts.submitTransaction(chunk)));
    if (d % 5 === 4) progress(`facts of ${d + 1} days written (${rowsWritten} rows)`);
  }
  return { rows: rowsWritten, transactions, seconds: (performance.now() - start) / 1000 };
}

/** 2. Aggregates: every quarter-hour recomputed, then its hours and day rolled up; 2 days at once. */
async function aggregateDays(services: Services, dayTables: Tables[], progress: (what: string) => void) {
  const { tenantId, providerId } = demo;
  let factsRowsRead = 0;
  const start = performance.now();
  const recomputeMs: number[] = [];
  await inParallel(
    Array.from({ length: dayTables.length }, (_, d) => d),
    2,
    async (d) => {
      // As a projection run does (aggregateQuarters): the quarter-hours (4 at once), then each hour once, then the day.
      const quarters = Array.from({ length: 96 }, (_, q) => ({ tenantId, providerId, quarterStart: new Date(day0 + d * dayMs + q * quarterMs).toISOString() }));
      const tables = { ...dayTables[d]!, kpiDays: services.tables.kpiDays };
      const read = await aggregateQuarters(tables, quarters, { concurrency: 4, onQuarter: (ms) => recomputeMs.push(ms) });
      factsRowsRead += read; // after the await: two days run at once
      progress(`day ${d + 1} aggregated (${recomputeMs.length} quarter-hours so far)`);
    },
  );
  return { factsRowsRead, recomputeMs, seconds: (performance.now() - start) / 1000 };
}

/** 3. The hour rows into the product's kpiHours table (the 30-day hourly report reads one table). */
async function copyHourRows(services: Services, dayTables: Tables[]) {
  const start = performance.now();
  let hourRows = 0;
  for (const dayTable of dayTables) {
    const byPartition = new Map<string, TransactionAction[]>();
    // Only the `all` rows: what the hourly reports below read. The queue and agent rows stay in the day's
    // table: in Azurite they would only slow every query of the table down (a scan), where Azure reads the
    // range asked for whatever else the partition holds.
    for await (const row of dayTable.kpiHours.listEntities<Record<string, unknown>>({ queryOptions: { filter: "RowKey ge 'all|' and RowKey lt 'all}'" } })) {
      const { partitionKey, rowKey, dimension, intervalStart, value, aggregate } = row;
      const actions = byPartition.get(partitionKey!) ?? [];
      actions.push(["upsert", { partitionKey: partitionKey!, rowKey: rowKey!, dimension, intervalStart, value, aggregate }, "Replace"]);
      byPartition.set(partitionKey!, actions);
      hourRows += 1;
    }
    const chunks = [...byPartition.values()].flatMap((actions) => Array.from({ length: Math.ceil(actions.length / 100) }, (_, i) => actions.slice(i * 100, i * 100 + 100)));
    await inParallel(chunks, 16, async (chunk) => void (await services.tables.kpiHours.submitTransaction(chunk)));
  }
  return { hourRows, seconds: (performance.now() - start) / 1000 };
}

const warmup = 3;
const runs = 20;

async function measure(work: () => Promise<KpiReport>) {
  const samples: number[] = [];
  let last: KpiReport | undefined;
  for (let i = 0; i < warmup + runs; i++) {
    const start = performance.now();
    last = await work();
    if (i >= warmup) samples.push(performance.now() - start);
  }
  return { samples, report: last! };
}

function reportLine(name: string, samples: number[], rowsRead: number, offered?: number) {
  return `  ${name.padEnd(36)} p50 ${percentile(samples, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(samples, 99).toFixed(1).padStart(7)} ms   ${String(rowsRead).padStart(6)} rows read${offered === undefined ? "" : `   (offered ${offered})`}`;
}

/** 4. The KPI report: in-process and over HTTP (the product's process reads the same tables). */
async function measureReports(stack: RunningStack, services: Services, days: number) {
  const { tenantId, providerId } = demo;
  const range = { from: new Date(day0).toISOString(), to: new Date(day0 + days * dayMs).toISOString() };
  const reports: Array<{ name: string; query: KpiQuery; providers: string[] }> = [
    { name: `${days} days by day, provider + voice`, query: { ...range, interval: "day", providerId, channel: "voice" }, providers: [providerId] },
    { name: `${days} days by hour, provider + voice`, query: { ...range, interval: "hour", providerId, channel: "voice" }, providers: [providerId] },
    { name: `${days} days by day, by=agent`, query: { ...range, interval: "day", providerId, channel: "voice", by: "agent" }, providers: [providerId] },
    { name: `${days} days by hour, no filters`, query: { ...range, interval: "hour" }, providers: [providerId] },
  ];
  console.log(`\nKPI report, ${runs} runs after ${warmup} warm-up each`);
  console.log("in-process (readKpiReport on the product's tables):");
  let dayP50 = 0;
  let hourP50 = 0;
  for (const { name, query, providers } of reports) {
    const { samples, report } = await measure(() => readKpiReport(services, tenantId, query, providers));
    if (query.interval === "day" && !query.by) dayP50 = percentile(samples, 50);
    if (query.interval === "hour" && query.channel) hourP50 = percentile(samples, 50);
    console.log(reportLine(name, samples, report.rowsRead, report.total.offered));
  }
  console.log("over HTTP (GET /api/v1/analytics/kpis with the partner key, the product's process):");
  for (const { name, query } of reports) {
    const search = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
    const { samples, report } = await measure(async () => {
      const response = await fetch(`${stack.apiUrl}/v1/analytics/kpis?${search}`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
      if (response.status !== 200) throw new Error(`GET kpis answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as KpiReport;
    });
    console.log(reportLine(name, samples, report.rowsRead, report.total.offered));
  }
  return { dayP50, hourP50 };
}

/** 5. The floor: every facts row of one day (one PK range over its 96 quarter partitions); its p50 in ms. */
async function measureFloor(dayTables: Tables[], days: number): Promise<number> {
  const { tenantId, providerId } = demo;
  const floorDay = Math.min(14, days - 1); // 2026-10-15
  const dayStart = new Date(day0 + floorDay * dayMs).toISOString();
  const dayEnd = new Date(day0 + (floorDay + 1) * dayMs).toISOString();
  const floorSamples: number[] = [];
  let floorRows = 0;
  for (let i = 0; i < 1 + 5; i++) {
    const start = performance.now();
    let n = 0;
    for await (const fact of dayTables[floorDay]!.kpiFacts.listEntities<{ value?: string }>({
      queryOptions: {
        filter: odata`PartitionKey ge ${factsPartition(tenantId, providerId, dayStart)} and PartitionKey lt ${factsPartition(tenantId, providerId, dayEnd)}`,
        select: ["RowKey", "value"],
      },
    })) {
      if (!fact.rowKey!.startsWith("~")) n += 1; // the facts only, not the quarter's ~group rows
    }
    if (i >= 1) floorSamples.push(performance.now() - start);
    floorRows = n;
  }
  const floor = percentile(floorSamples, 50);
  console.log(`floor: every facts row of one day (${dayStart.slice(0, 10)}, 96 quarter partitions, one PK range query): ${floorRows} rows, p50 ${floor.toFixed(0)} ms (5 runs after 1)`);
  return floor;
}
