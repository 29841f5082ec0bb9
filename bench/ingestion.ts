/**
 * Ingestion throughput: conversation events per second stored by one process, against the raw
 * `@azure/data-tables` insert rate of rows of the same size and partitioning from one process, measured in
 * the same run on the same Azurite.
 *
 * "One process" is what one Functions worker does: the registered handlers are invoked in this process with
 * the library's own HttpRequest, as the Node worker invokes them (in Azure the HTTP server is the Functions
 * host, another process). The same load is also sent over HTTP to the product's own process (the local
 * functions host), which on one machine adds an HTTP server and a client competing for the same cores.
 *
 * Aggregation is on throughout, as deployed: the product's process runs the KPI projection timer
 * (`runKpiProjection`, every 2 s) on the same tables, so every stored event marks its conversation and the
 * timer projects it. Each round starts with no marker left and is timed twice: until every event was
 * accepted, and until the KPI projection has also drained (no marker left: facts and aggregates written).
 */
import { performance } from "node:perf_hooks";
import { inParallel } from "../shared/inParallel.js";
import { TableClient } from "@azure/data-tables";
import azureFunctions from "@azure/functions";
import type { RunningStack } from "../local/spawnStack.js";
import { demo } from "../local/seedDemo.js";
import { createServices, type Services } from "../shared/services.js";
import { readConfig } from "../shared/config.js";
import { ensureTables } from "../shared/storage/tables.js";
import { toAzureHandler } from "../functions/http/toAzureHandler.js";
import { postConversationEvent } from "../functions/postConversationEvent.js";
import { postConversationEventBatch } from "../functions/postConversationEventBatch.js";

const { HttpRequest, InvocationContext } = azureFunctions;

export interface IngestionFigures {
  raw: number;
  single: number;
  batch: number;
  httpSingle: number;
  httpBatch: number;
  /** Events per second until the same events were also projected into the KPI aggregates (no marker left). */
  projected: { single: number; batch: number; httpSingle: number; httpBatch: number };
}

/** The events of one realistic inbound call: IVR, queue, ringing (looks the caller up, pops), talk with a hold, wrap-up. */
function callEvents(conversationId: string, start: number) {
  const at = (s: number) => new Date(start + s * 1000).toISOString();
  const base = { conversationId, channel: "voice", direction: "inbound", customer: { phone: demo.numbers.oneContact } };
  return [
    { ...base, type: "initiated", eventId: `${conversationId}:1`, occurredAt: at(0) },
    { ...base, type: "ivr", eventId: `${conversationId}:2`, occurredAt: at(1) },
    { ...base, type: "queued", eventId: `${conversationId}:3`, occurredAt: at(20), queue: "support" },
    { ...base, type: "ringing", eventId: `${conversationId}:4`, occurredAt: at(45), queue: "support", agentId: demo.agentId },
    { ...base, type: "answered", eventId: `${conversationId}:5`, occurredAt: at(52), agentId: demo.agentId },
    { ...base, type: "held", eventId: `${conversationId}:6`, occurredAt: at(120), agentId: demo.agentId },
    { ...base, type: "resumed", eventId: `${conversationId}:7`, occurredAt: at(150), agentId: demo.agentId },
    { ...base, type: "ended", eventId: `${conversationId}:8`, occurredAt: at(300), agentId: demo.agentId, endedBy: "customer" },
    { ...base, type: "wrapUpCompleted", eventId: `${conversationId}:9`, occurredAt: at(340), agentId: demo.agentId, disposition: "resolved" },
  ];
}
const eventsPerCall = 9;

/** Seconds to run `work` over `items`, `concurrency` at once. */
async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<number> {
  const start = performance.now();
  await inParallel(items, concurrency, work);
  return (performance.now() - start) / 1000;
}

export async function benchIngestion(stack: RunningStack, calls: number, run: string): Promise<IngestionFigures> {
  const concurrency = 32;
  const services = createServices(
    readConfig({
      WEBCTI_TABLES_CONNECTION_STRING: stack.tablesConnectionString,
      WEBCTI_WEBPUBSUB_CONNECTION_STRING: stack.webPubSub.connectionString,
      WEBCTI_WEBPUBSUB_HUB: stack.webPubSub.hub,
      // As for the product's process (bench/index.ts): the bench measures throughput, not the partner's quota.
      WEBCTI_RATE_LIMIT_PER_SECOND: process.env.WEBCTI_RATE_LIMIT_PER_SECOND,
      WEBCTI_RATE_LIMIT_BURST: process.env.WEBCTI_RATE_LIMIT_BURST,
    }),
  );
  await ensureTables(services.tables);
  const invoke = inProcessInvoker(stack, services);
  const post = httpPoster(stack);
  const t0 = Date.UTC(2026, 10, 24, 8);

  // Raw: the same number of rows of the same size, nine to a partition, straight into Azurite.
  const sample = JSON.stringify(callEvents("raw-000000", t0)[4]);
  const table = TableClient.fromConnectionString(stack.tablesConnectionString, `rawinsert${run}`, { allowInsecureConnection: true });
  await table.createTable();
  const rawRows = Array.from({ length: calls * eventsPerCall }, (_, i) => ({
    partitionKey: `${demo.tenantId}|raw-${Math.floor(i / eventsPerCall)}`,
    rowKey: `event|${i}`,
    type: "answered",
    providerId: demo.providerId,
    occurredAt: new Date(t0).toISOString(),
    receivedAt: new Date().toISOString(),
    body: sample,
    bodySha256: "x".repeat(44),
  }));
  // Half before and half after the product's rounds, so a drift of Azurite's speed over the run hits both.
  const rawRound = (rows: typeof rawRows) => pool(rows, concurrency, async (row) => void (await table.createEntity(row)));
  let rawSeconds = await rawRound(rawRows.slice(0, rawRows.length / 2));

  // Single: one event per request, all the calls' events, as a partner's servers send them.
  const singleEvents = (tag: string) => Array.from({ length: calls }, (_, c) => callEvents(`${tag}${run}-${c}`, t0 + c * 1000)).flat();
  // Batch: 99 events (11 calls) per request, in time order across the calls.
  const batches = (tag: string) => {
    const all = Array.from({ length: calls }, (_, c) => callEvents(`${tag}${run}-${c}`, t0 + c * 1000));
    const out: unknown[][] = [];
    for (let c = 0; c < calls; c += 11) out.push(all.slice(c, c + 11).flat().sort((a, b) => a.occurredAt.localeCompare(b.occurredAt)));
    return out;
  };
  const drained = () => drainedAt(services);
  const round = async (work: () => Promise<number>) => {
    await drained();
    const start = performance.now();
    const accepted = await work();
    return { accepted, projected: ((await drained()) - start) / 1000 };
  };
  const single = await round(() => pool(singleEvents("s"), concurrency, (event) => invoke("/v1/conversations/events", event, 202)));
  const batch = await round(() => pool(batches("b"), 4, (events) => invoke("/v1/conversations/events/batch", { events }, 200)));
  const httpSingle = await round(() => pool(singleEvents("hs"), concurrency, (event) => post("/v1/conversations/events", event, 202)));
  const httpBatch = await round(() => pool(batches("hb"), 4, (events) => post("/v1/conversations/events/batch", { events }, 200)));

  rawSeconds += await rawRound(rawRows.slice(rawRows.length / 2));

  const n = calls * eventsPerCall;
  return {
    raw: n / rawSeconds,
    single: n / single.accepted,
    batch: n / batch.accepted,
    httpSingle: n / httpSingle.accepted,
    httpBatch: n / httpBatch.accepted,
    projected: { single: n / single.projected, batch: n / batch.projected, httpSingle: n / httpSingle.projected, httpBatch: n / httpBatch.projected },
  };
}

/** Posts to the registered handlers in this process, as the Functions worker invokes them. */
function inProcessInvoker(stack: RunningStack, services: Services) {
  const handlers = {
    "/v1/conversations/events": toAzureHandler(postConversationEvent, async () => services),
    "/v1/conversations/events/batch": toAzureHandler(postConversationEventBatch, async () => services),
  };
  return async (path: keyof typeof handlers, body: unknown, expected: number) => {
    const request = new HttpRequest({
      method: "POST",
      url: `${stack.apiUrl}${path}`,
      headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
      query: {},
      params: {},
      body: { bytes: Buffer.from(JSON.stringify(body)) },
    });
    const response = await handlers[path](request, new InvocationContext({ invocationId: "bench", functionName: path }));
    if (response.status !== expected) throw new Error(`${path} answered ${response.status}: ${String(response.body)}`);
  };
}

/** Posts over HTTP to the product's process. */
function httpPoster(stack: RunningStack) {
  return async (path: string, body: unknown, expected: number) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (response.status !== expected) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  };
}

/**
 * When the KPI projection (the product's timer) has no work marker left: the shards' `c|`, `i|` and `r|`
 * rows (not the lease row, partition `lease`, which is always there). A marker that is parked or backing off
 * would hold the bench up: after 10 minutes it stops, saying so.
 */
async function drainedAt(services: Services): Promise<number> {
  const giveUpAt = performance.now() + 10 * 60_000;
  for (;;) {
    const page = await services.tables.kpiDirty
      .listEntities({ queryOptions: { filter: "PartitionKey ne 'lease' and RowKey lt 'p'", select: ["PartitionKey", "RowKey", "lastError"] } })
      .byPage({ maxPageSize: 1 })
      .next();
    if (page.done || page.value.length === 0) return performance.now();
    if (performance.now() > giveUpAt) throw new Error(`The KPI projection did not drain in 10 minutes: ${JSON.stringify(page.value[0])}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
