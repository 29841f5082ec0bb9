/**
 * `npm run bench`: screen-pop latency from the partner's POST to the browser client's adapter callback,
 * against a floor measured in the same run on the same stack: one Azurite insert followed by one push
 * to a connected Web PubSub client (the least any pop must cost). Figures are printed, never asserted.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { WebPubSubClient, WebPubSubJsonReliableProtocol } from "@azure/web-pubsub-client";
import { TableClient } from "@azure/data-tables";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { startProductionStack } from "../local/spawnStack.js";
import { demo } from "../local/seedDemo.js";
import { createAgentClient } from "../client/agent/agentClient.js";
import { memoryStorage } from "../client/agent/popLedger.js";
import { benchIngestion } from "./ingestion.js";
import { percentile } from "./stats.js";
import { benchKpis } from "./kpis.js";

const { values } = parseArgs({
  options: {
    pops: { type: "string", default: "500" },
    warmup: { type: "string", default: "50" },
    calls: { type: "string", default: "660" },
    "kpi-conversations": { type: "string", default: "1000000" },
    /** 30 for the figures; fewer only to try the KPI part out quickly. */
    "kpi-days": { type: "string", default: "30" },
    /** Which parts to run, e.g. `--parts kpis` for a quick KPI run (default: all of pops,ingestion,kpis). */
    parts: { type: "string", default: "pops,ingestion,kpis" },
  },
});
const parts = new Set(values.parts.split(","));
const count = Number(values.pops);
const warmup = Number(values.warmup);

// The product runs as `npm start` runs it, in its own process; this process is the partner and the browser.
// It sends pops as fast as they arrive, far above a partner key's default rate: lift the limit for the run.
process.env.WEBCTI_RATE_LIMIT_PER_SECOND ??= "100000";
process.env.WEBCTI_RATE_LIMIT_BURST ??= "100000";
// The KPI part keeps a few million rows in Azurite's memory (started by the product's process, it
// inherits this environment): give it room beyond Node's default heap.
if (parts.has("kpis")) process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --max-old-space-size=12288`.trim();
const stack = await startProductionStack();
try {
  if (parts.has("pops")) {
    const seed = { apiKey: stack.apiKey };
    const login = await fetch(`${stack.url}/.auth/login/demo?user=${demo.signInUser}`, { redirect: "manual" });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;

    // --- the product path: partner POST → ingest → push → browser client → adapter callback -------------
    const waiting = new Map<string, (t: number) => void>();
    const onPop = (conversationId: string) => waiting.get(conversationId)?.(performance.now());
    // Pops are timed one at a time: the next POST waits until the client's ack of the previous pop is done,
    // so no measurement includes another pop's trailing work (pops for one agent come seconds apart).
    let inFlight = 0;
    const trackedFetch: typeof fetch = async (input, init) => {
      inFlight++;
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    const idle = async () => {
      while (inFlight > 0) await new Promise((r) => setTimeout(r, 1));
    };
    const client = createAgentClient({
      apiBase: stack.apiUrl,
      fetch: trackedFetch,
      headers: { cookie },
      storage: memoryStorage(),
      adapter: {
        openRecord: (_r, pop) => onPop(pop!.conversationId),
        openSearch: (_s, pop) => onPop(pop!.conversationId),
        openNewRecord: (_f, pop) => onPop(pop!.conversationId),
      },
    });
    await client.start();
    const numbers = [demo.numbers.oneContact, demo.numbers.sharedByTwo, demo.numbers.unknown];
    const popLatency: number[] = [];
    for (let i = 0; i < warmup + count; i++) {
      const conversationId = `bench-${i}`;
      await idle();
      const arrived = new Promise<number>((resolve) => waiting.set(conversationId, resolve));
      const start = performance.now();
      const response = await fetch(`${stack.apiUrl}/v1/conversations/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${seed.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          type: "ringing",
          eventId: `${conversationId}:ringing`,
          conversationId,
          occurredAt: new Date().toISOString(),
          agentId: demo.agentId,
          customer: { phone: numbers[i % numbers.length] },
        }),
      });
      if (response.status !== 202) throw new Error(`POST answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
      const end = await arrived;
      waiting.delete(conversationId);
      if (i >= warmup) popLatency.push(end - start);
    }
    client.stop();

    // --- the floor: one insert into Azurite, then one push to a connected client ----------------------------
    const table = TableClient.fromConnectionString(stack.tablesConnectionString, "benchfloor", { allowInsecureConnection: true });
    await table.createTable();
    const floorUser = "bench-floor-user";
    const push = new WebPubSubServiceClient(stack.webPubSub.connectionString, stack.webPubSub.hub, { allowInsecureConnection: true });
    const { url } = await push.getClientAccessToken({ userId: floorUser });
    const raw = new WebPubSubClient(url, { protocol: WebPubSubJsonReliableProtocol() });
    const floorWaiting = new Map<number, (t: number) => void>();
    raw.on("server-message", (e) => floorWaiting.get((e.message.data as { i: number }).i)?.(performance.now()));
    await raw.start();
    const floor: number[] = [];
    for (let i = 0; i < warmup + count; i++) {
      const arrived = new Promise<number>((resolve) => floorWaiting.set(i, resolve));
      const start = performance.now();
      await table.createEntity({ partitionKey: "floor", rowKey: String(i).padStart(8, "0"), payload: "x".repeat(600) });
      await push.sendToUser(floorUser, { i });
      const end = await arrived;
      floorWaiting.delete(i);
      if (i >= warmup) floor.push(end - start);
    }
    raw.stop();

    // --- for reading the gap: one partner request that does one table read (HTTP hop + read) -------------
    const hop: number[] = [];
    for (let i = 0; i < warmup + count; i++) {
      const start = performance.now();
      const response = await fetch(`${stack.apiUrl}/v1/screen-pops/${String(i).padStart(20, "0")}.${demo.agentId}`, {
        headers: { authorization: `Bearer ${seed.apiKey}` },
      });
      await response.arrayBuffer();
      if (i >= warmup) hop.push(performance.now() - start);
    }

    const row = (name: string, samples: number[]) =>
      `${name.padEnd(34)} p50 ${percentile(samples, 50).toFixed(2).padStart(7)} ms   p99 ${percentile(samples, 99).toFixed(2).padStart(7)} ms`;
    const r50 = percentile(popLatency, 50) / percentile(floor, 50);
    const r99 = percentile(popLatency, 99) / percentile(floor, 99);
    console.log(`\nScreen-pop latency, ${count} pops after ${warmup} warm-up (Node ${process.version}, local stack)`);
    console.log(row("POST → client adapter callback", popLatency));
    console.log(row("floor: insert + push → client", floor));
    console.log(row("(partner GET: HTTP hop + 1 read)", hop));
    console.log(`ratio                              p50 ${r50.toFixed(2)}× (target ≤ 1.3×, ${r50 <= 1.3 ? "met" : "missed"})   p99 ${r99.toFixed(2)}× (target ≤ 2×, ${r99 <= 2 ? "met" : "missed"})`);

  }
  if (parts.has("ingestion")) {
    // --- ingestion: events per second, single and batch, against raw inserts (a warm-up round first) -----
    const calls = Number(values.calls);
    await benchIngestion(stack, 44, "warm");
    const figures = await benchIngestion(stack, calls, "run");
    const rate = (name: string, perSecond: number, projected: number) =>
      `${name.padEnd(34)} accepted ${perSecond.toFixed(0).padStart(6)} events/s ${(perSecond / figures.raw).toFixed(2)}× raw (target ≥ 0.8×, ${perSecond / figures.raw >= 0.8 ? "met" : "missed"})` +
      `   accepted + projected ${projected.toFixed(0).padStart(6)} events/s ${(projected / figures.raw).toFixed(2)}× raw`;
    console.log(`\nIngestion with aggregation on, ${calls} calls × 9 events, 32 requests in flight (4 for batches of 99);`);
    console.log("the product's process runs the KPI projection every 2 s; \"projected\": until no KPI marker is left");
    console.log(`${"raw @azure/data-tables inserts".padEnd(34)} ${figures.raw.toFixed(0).padStart(6)} rows/s`);
    console.log("one process, handlers invoked as the Functions worker does:");
    console.log(rate("  one event per request", figures.single, figures.projected.single));
    console.log(rate("  batches of 99 events", figures.batch, figures.projected.batch));
    console.log("over HTTP to the product's process (+ an HTTP server and client on the same cores):");
    console.log(rate("  one event per request", figures.httpSingle, figures.projected.httpSingle));
    console.log(rate("  batches of 99 events", figures.httpBatch, figures.projected.httpBatch));
  }
  // --- KPIs: ≥ 1M conversations aggregated, the 30-day report against the floor of one day's facts ---
  if (parts.has("kpis")) await benchKpis(stack, Number(values["kpi-conversations"]), Number(values["kpi-days"]));
} finally {
  await stack.stop();
}
