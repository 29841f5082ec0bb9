import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack, type ApiResponse } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { random, shuffle } from "../../local/random.js";
import type { Stack } from "../../local/stack.js";
import { demoIdentityProvider } from "../../local/easyAuthEmulator.js";
import { linkPrincipal } from "../../shared/auth/agentPrincipal.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putAgent, putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { drainKpiProjection, runKpiProjection } from "../../shared/analytics/runProjection.js";
import { runOps } from "../../tools/ops.js";
import { factsCsvColumns } from "../../shared/analytics/factsExport.js";
import type { ConversationFactsRecord, KpiReport, Kpis } from "../../shared/schemas/analytics.js";
import type { ConversationEventInput } from "../../shared/schemas/conversationEvent.js";
import { goldenConversations } from "../fixtures/goldenConversations.js";
import { goldenKpis } from "../fixtures/goldenKpis.js";

/**
 * The golden set through the product: partner events in over HTTP (three times each, shuffled, single and
 * batched, with projection runs in between), the KPI projection, and the figures read back from the API must
 * be exactly the hand-computed ones of test/fixtures/goldenKpis.ts (docs/kpis.md).
 */

const tenantId = "kpi-golden";
const providers = ["p1", "p2"] as const;
const agents = ["a1", "a2", "a3", "a4"] as const;
const golden = goldenConversations({ prefix: "g", providers, agents });
const range = "from=2026-11-02T00:00:00Z&to=2026-11-04T00:00:00Z";

let stack: Stack;
const keys: Record<string, string> = {};
let supervisor: string;
let agentOnly: string;

beforeAll(async () => {
  // Timers off: the test runs the projection itself (drainKpiProjection), so every read is after a full run.
  ({ stack } = await startTestStack({ timers: false }));
  const s = stack.services;
  await putTenant(s, { tenantId, name: "KPI golden" });
  const rateLimit = { requestsPerSecond: 10_000, burst: 10_000 };
  for (const providerId of providers) {
    await putProvider(s, { tenantId, providerId, label: providerId, rateLimit });
    keys[providerId] = (await issuePartnerKey(s.tables, tenantId, providerId, new Date())).apiKey;
  }
  for (const agentId of agents) await putAgent(s, { tenantId, agentId, displayName: agentId });
  await putAgent(s, { tenantId, agentId: "sup", displayName: "Supervisor", supervisor: true });
  await linkPrincipal(s, { identityProvider: demoIdentityProvider, principalId: "kpi-sup" }, { tenantId, agentId: "sup" });
  await linkPrincipal(s, { identityProvider: demoIdentityProvider, principalId: "kpi-a1" }, { tenantId, agentId: "a1" });
  supervisor = await signInCookie(stack.url, "kpi-sup");
  agentOnly = await signInCookie(stack.url, "kpi-a1");
});
afterAll(() => stack?.close());

function expectKpis(actual: Kpis | undefined, expected: Partial<Kpis>, what: string) {
  expect(actual, what).toBeDefined();
  for (const [name, value] of Object.entries(expected)) {
    const got = actual![name as keyof Kpis];
    if (typeof value === "number" && !Number.isInteger(value)) expect(got, `${what}: ${name}`).toBeCloseTo(value, 9);
    else expect(got, `${what}: ${name}`).toEqual(value);
  }
}

async function asSupervisor(query: string, cookie = supervisor): Promise<ApiResponse<KpiReport>> {
  return call<KpiReport>(`${stack.apiUrl}/v1/agent/analytics/kpis?${query}`, { headers: { cookie } });
}

async function supervisorReport(query: string): Promise<KpiReport> {
  const res = await asSupervisor(query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const seriesOf = (report: KpiReport, providerId: string, channel: string, split?: string) =>
  report.series.find((s) => s.providerId === providerId && s.channel === channel && (split === undefined || (s.queue ?? s.agentId) === split));
const pointOf = (points: KpiReport["points"], intervalStart: string) => points.find((p) => p.intervalStart === intervalStart)?.kpis;
const splitOf = (report: KpiReport, value: string) => report.splits?.find((s) => s.value === value)?.total;

/** Sends events as a partner: one at a time or in batches, `inFlight` requests at once. */
async function send(events: ReadonlyArray<ConversationEventInput & { providerId: string }>, next: () => number, inFlight = 4) {
  const requests: Array<() => Promise<void>> = [];
  for (let i = 0; i < events.length; ) {
    const providerId = events[i]!.providerId;
    let size = next() < 0.4 ? 1 : 1 + Math.floor(next() * 30);
    const part: ConversationEventInput[] = [];
    while (size-- > 0 && i < events.length && events[i]!.providerId === providerId) {
      const { providerId: _, ...event } = events[i++]!;
      part.push(event as ConversationEventInput);
    }
    requests.push(async () => {
      const res =
        part.length === 1
          ? await call(`${stack.apiUrl}/v1/conversations/events`, { key: keys[providerId], json: part[0] })
          : await call(`${stack.apiUrl}/v1/conversations/events/batch`, { key: keys[providerId], json: { events: part } });
      expect(res.status, JSON.stringify(res.body)).toBe(part.length === 1 ? 202 : 200);
    });
  }
  let cursor = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (cursor < requests.length) await requests[cursor++]!();
  }));
}

describe("the golden set through the API: 'the API must return exactly those'", () => {
  const seedValue = Number(process.env.REPLAY_SEED ?? 20261102);

  it(`three times each, shuffled (seed ${seedValue}), projected while they arrive: the figures are the hand-computed ones`, async () => {
    const next = random(seedValue);
    const all = golden.flatMap((c) => c.events.map((event) => ({ ...event, providerId: c.providerId })));
    const tripled = shuffle([...all, ...all, ...all], next);
    // A third, a projection run (conversations counted half-way), the rest, another run: late events replace
    // earlier contributions; resent ones change nothing.
    const third = Math.floor(tripled.length / 3);
    await send(tripled.slice(0, third), next);
    await drainKpiProjection(stack.services);
    await send(tripled.slice(third), next);
    await drainKpiProjection(stack.services);

    const report = await supervisorReport(`${range}&interval=day`);
    expect(report.settings).toEqual({ shortAbandonSeconds: 5, serviceLevelSeconds: 20 });
    expectKpis(report.total, goldenKpis.whole, "whole set");
    expect(report.series.map((s) => `${s.providerId}/${s.channel}`)).toEqual(["p1/chat", "p1/voice", "p2/voice"]);
    expectKpis(seriesOf(report, "p1", "voice")?.total, goldenKpis.p1Voice, "p1 voice");
    expectKpis(seriesOf(report, "p1", "chat")?.total, goldenKpis.p1Chat, "p1 chat");
    expectKpis(seriesOf(report, "p2", "voice")?.total, goldenKpis.p2Voice, "p2 voice");
    expectKpis(pointOf(report.points, "2026-11-02T00:00:00.000Z"), goldenKpis.day02, "day 2026-11-02");
    expectKpis(pointOf(report.points, "2026-11-03T00:00:00.000Z"), goldenKpis.day03, "day 2026-11-03");
    expectKpis(pointOf(seriesOf(report, "p2", "voice")!.points, "2026-11-02T00:00:00.000Z"), goldenKpis.dayP2Voice02, "p2 voice on the 2nd");
    expectKpis(pointOf(seriesOf(report, "p2", "voice")!.points, "2026-11-03T00:00:00.000Z"), goldenKpis.dayP2Voice03, "p2 voice on the 3rd");
  }, 120_000); // ~1,500 requests: seconds alone, much longer on a loaded machine

  it("by hour and by 15 minutes: the interval of endedAt", async () => {
    const hours = await supervisorReport(`${range}&interval=hour`);
    expectKpis(pointOf(hours.points, "2026-11-02T09:00:00.000Z"), goldenKpis.hour09, "09:00");
    expectKpis(pointOf(hours.points, "2026-11-02T10:00:00.000Z"), goldenKpis.hour10, "10:00");
    expectKpis(hours.total, goldenKpis.whole, "hours add up to the whole");

    const quarters = await supervisorReport(`${range}&interval=15m`);
    expect(quarters.points.map((p) => p.intervalStart)).toEqual([
      "2026-11-02T09:00:00.000Z",
      "2026-11-02T09:15:00.000Z",
      "2026-11-02T09:30:00.000Z",
      "2026-11-02T10:00:00.000Z",
      "2026-11-03T00:00:00.000Z",
    ]);
    expectKpis(pointOf(quarters.points, "2026-11-02T09:00:00.000Z"), goldenKpis.quarter0900, "09:00–09:15");
    expectKpis(pointOf(quarters.points, "2026-11-02T09:15:00.000Z"), goldenKpis.quarter0915, "09:15–09:30");
    expectKpis(pointOf(quarters.points, "2026-11-02T09:30:00.000Z"), goldenKpis.quarter0930, "09:30–09:45");
    expectKpis(pointOf(quarters.points, "2026-11-02T10:00:00.000Z"), goldenKpis.quarter1000, "10:00–10:15");
    expectKpis(pointOf(quarters.points, "2026-11-03T00:00:00.000Z"), goldenKpis.quarterNextDay, "00:00 the next day");
  });

  it("by queue and by agent, over every provider and channel", async () => {
    const queues = await supervisorReport(`${range}&interval=day&by=queue`);
    expect(queues.splits?.map((s) => s.value)).toEqual(["", "billing", "sales", "support", "webchat"]);
    expectKpis(splitOf(queues, "support"), goldenKpis.queueSupport, "support");
    expectKpis(splitOf(queues, "sales"), goldenKpis.queueSales, "sales");
    expectKpis(splitOf(queues, "billing"), goldenKpis.queueBilling, "billing");
    expectKpis(splitOf(queues, "webchat"), goldenKpis.queueWebchat, "webchat");
    expectKpis(splitOf(queues, ""), goldenKpis.queueNone, "no queue");
    expectKpis(queues.total, goldenKpis.whole, "queues add up to the whole");
    // Per interval too: billing is p2 voice only, so its split is that series; support's days add up to its total.
    const billing = queues.splits!.find((s) => s.value === "billing")!;
    expect(billing.points).toEqual(seriesOf(queues, "p2", "voice", "billing")!.points);
    const support = queues.splits!.find((s) => s.value === "support")!;
    expect(support.points.reduce((sum, p) => sum + p.kpis.offered, 0)).toBe(goldenKpis.queueSupport.offered);

    const byAgent = await supervisorReport(`${range}&interval=day&by=agent`);
    expect(byAgent.splits?.map((s) => s.value)).toEqual(["", "a1", "a2", "a3", "a4"]);
    expectKpis(splitOf(byAgent, "a1"), goldenKpis.agentA1, "a1");
    expectKpis(splitOf(byAgent, "a2"), goldenKpis.agentA2, "a2");
    expectKpis(splitOf(byAgent, "a3"), goldenKpis.agentA3, "a3");
    expectKpis(splitOf(byAgent, "a4"), goldenKpis.agentA4, "a4");
    expectKpis(splitOf(byAgent, ""), goldenKpis.agentNone, "no agent");
    expectKpis(byAgent.total, goldenKpis.whole, "agents add up to the whole, each missed leg once");
  });

  it("a partner reads its own provider's figures, the same ones, and no other provider's", async () => {
    const res = await call<KpiReport>(`${stack.apiUrl}/v1/analytics/kpis?${range}&interval=day`, { key: keys.p2 });
    expect(res.status).toBe(200);
    expect(res.body.series.map((s) => `${s.providerId}/${s.channel}`)).toEqual(["p2/voice"]);
    expectKpis(res.body.total, goldenKpis.p2Voice, "p2 as its partner reads it");
    expect(res.body.rowsRead).toBeGreaterThan(0);
    const other = await call(`${stack.apiUrl}/v1/analytics/kpis?${range}&providerId=p1`, { key: keys.p2 });
    expect(other.status).toBe(403);
    expect(other.headers.get("content-type")).toBe("application/problem+json");
  });

  it("only supervisors read the tenant's figures and settings", async () => {
    expect((await asSupervisor(`${range}&interval=day`, agentOnly)).status).toBe(403);
    const settings = await call(`${stack.apiUrl}/v1/agent/analytics/settings`, { headers: { cookie: agentOnly } });
    expect(settings.status).toBe(403);
    // Nor do they hear of KPI changes: only a supervisor's connection joins the supervisors' group.
    const negotiated = await call(`${stack.apiUrl}/v1/agent/negotiate`, { method: "POST", headers: { cookie: agentOnly } });
    expect(negotiated.body.groups).toEqual([`tenant.${tenantId}`]);
  });
});

describe("tenant settings: 'a changed setting applies to past intervals too'", () => {
  it("10 s / 30 s: the figures follow after the projection; back to 5 s / 20 s, they return", async () => {
    const put = (json: object) => call(`${stack.apiUrl}/v1/agent/analytics/settings`, { method: "PUT", headers: { cookie: supervisor }, json });
    expect((await put({ shortAbandonSeconds: 10, serviceLevelSeconds: 30 })).status).toBe(200);
    await drainKpiProjection(stack.services);
    const changed = await supervisorReport(`${range}&interval=day`);
    expect(changed.settings).toEqual({ shortAbandonSeconds: 10, serviceLevelSeconds: 30 });
    expectKpis(changed.total, goldenKpis.wholeChanged, "whole set, 10 s / 30 s");
    expectKpis(seriesOf(changed, "p1", "voice")?.total, goldenKpis.p1VoiceChanged, "p1 voice, 10 s / 30 s");
    expectKpis(seriesOf(changed, "p1", "chat")?.total, goldenKpis.p1ChatChanged, "p1 chat, 10 s / 30 s");
    expectKpis(seriesOf(changed, "p2", "voice")?.total, goldenKpis.p2VoiceChanged, "p2 voice, 10 s / 30 s");

    const bad = await put({ shortAbandonSeconds: "ten", serviceLevelSeconds: 30 });
    expect(bad.status).toBe(400);
    expect((await call(`${stack.apiUrl}/v1/agent/analytics/settings`, { headers: { cookie: supervisor } })).body).toEqual({ shortAbandonSeconds: 10, serviceLevelSeconds: 30 });

    expect((await put({ shortAbandonSeconds: 5, serviceLevelSeconds: 20 })).status).toBe(200);
    await drainKpiProjection(stack.services);
    expectKpis((await supervisorReport(`${range}&interval=day`)).total, goldenKpis.whole, "whole set, back to 5 s / 20 s");
  });
});

describe("partner-defined analytics events (CIF 2.0 logAnalyticsEvent): 'sees them counted'", () => {
  const event = (eventId: string, conversationId: string, eventName: string, eventTimestamp: string) => ({
    eventId,
    conversationId,
    eventName,
    eventTimestamp,
    sessionId: "s-1",
    participantId: "customer",
    eventReason: "survey",
    customData: { score: 5 },
  });

  it("count once per eventId, by name, in the interval of eventTimestamp, for the conversation's channel", async () => {
    const events = [
      event("pe-1", "g-c01", "surveyOffered", "2026-11-02T09:05:00Z"),
      event("pe-2", "g-c01", "csatSubmitted", "2026-11-02T09:20:00Z"),
      event("pe-3", "g-c33", "surveyOffered", "2026-11-02T09:40:00Z"), // chat
      event("pe-4", "g-later", "surveyOffered", "2026-11-02T09:10:00Z"), // no conversation events yet
    ];
    const post = () => call(`${stack.apiUrl}/v1/analytics/events`, { key: keys.p1, json: { events } });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200); // a resend: stored once, counted once
    await drainKpiProjection(stack.services);

    const quarters = await supervisorReport(`${range}&interval=15m&providerId=p1`);
    expect(pointOf(seriesOf(quarters, "p1", "voice")!.points, "2026-11-02T09:00:00.000Z")?.partnerEvents).toEqual({ surveyOffered: 1 });
    expect(pointOf(seriesOf(quarters, "p1", "voice")!.points, "2026-11-02T09:15:00.000Z")?.partnerEvents).toEqual({ csatSubmitted: 1 });
    expect(seriesOf(quarters, "p1", "chat")!.total.partnerEvents).toEqual({ surveyOffered: 1 });
    // The conversation figures do not move.
    expectKpis(seriesOf(quarters, "p1", "voice")!.total, goldenKpis.p1Voice, "p1 voice with partner events");

    // "g-later" counts once its first event says its channel.
    const initiated = { type: "initiated", eventId: "g-later-e1", conversationId: "g-later", occurredAt: "2026-11-02T09:09:00Z", channel: "chat", direction: "inbound" };
    expect((await call(`${stack.apiUrl}/v1/conversations/events`, { key: keys.p1, json: initiated })).status).toBe(202);
    await drainKpiProjection(stack.services);
    const after = await supervisorReport(`${range}&interval=day&providerId=p1`);
    expect(seriesOf(after, "p1", "chat")!.total.partnerEvents).toEqual({ surveyOffered: 2 });
    expect(after.total.partnerEvents).toEqual({ surveyOffered: 3, csatSubmitted: 1 });
    expect(after.total.offered).toBe(goldenKpis.p1Voice.offered + goldenKpis.p1Chat.offered); // g-later has not ended
  });
});

describe("export of per-conversation facts: 'incrementally (cursor, CSV or JSON lines)'", () => {
  const since = "2026-01-01T00:00:00Z";
  const exportUrl = (query: string) => `${stack.apiUrl}/v1/analytics/conversations?${query}`;

  /** Reads the export from `cursor` until a page comes back empty; the last record per conversation wins. */
  async function readAll(start: string): Promise<{ latest: Map<string, ConversationFactsRecord>; cursor: string; pages: number }> {
    const latest = new Map<string, ConversationFactsRecord>();
    let query = start;
    let pages = 0;
    for (;;) {
      const res = await call<{ records: ConversationFactsRecord[]; nextCursor: string }>(exportUrl(`${query}&limit=20`), { key: keys.p1 });
      expect(res.status).toBe(200);
      pages += 1;
      for (const record of res.body.records) latest.set(record.conversationId, record);
      if (res.body.records.length === 0) return { latest, cursor: res.body.nextCursor, pages };
      query = `cursor=${res.body.nextCursor}`;
    }
  }

  it("JSON pages with a cursor: every ended conversation of the provider, then nothing new until something changes", async () => {
    // Records are exported a few seconds after they are computed (docs/kpis.md, "Export").
    let all = await readAll(`since=${since}`);
    const settledAll = async () => {
      all = await readAll(`since=${since}`);
      return [all.latest.size, all.latest.get("g-c01")?.partnerEvents];
    };
    // 43 ended conversations; c01's last record is the one computed after its partner events.
    await expect.poll(settledAll, { timeout: 20_000, interval: 500 }).toEqual([43, { surveyOffered: 1, csatSubmitted: 1 }]);
    expect(all.pages).toBeGreaterThan(2);
    const c01 = all.latest.get("g-c01")!;
    expect(c01).toMatchObject({ providerId: "p1", channel: "voice", answered: true, outcome: expect.any(String), partnerEvents: { surveyOffered: 1, csatSubmitted: 1 } });
    expect([...all.latest.values()].every((r) => r.providerId === "p1")).toBe(true);

    const nothing = await call<{ records: unknown[]; nextCursor: string }>(exportUrl(`cursor=${all.cursor}`), { key: keys.p1 });
    expect(nothing.body.records).toEqual([]);

    // A late wrap-up of c27 (docs: 'a wrap-up not completed yet counts 0 until it is') changes its facts.
    const c27 = golden.find((c) => c.name === "c27")!;
    const late = { ...c27.events.at(-1)!, type: "wrapUpCompleted", eventId: "g-c27-late", occurredAt: "2026-11-02T09:40:00Z" };
    const before = all.latest.get("g-c27")!;
    expect((await call(`${stack.apiUrl}/v1/conversations/events`, { key: keys.p1, json: late })).status).toBe(202);
    await drainKpiProjection(stack.services);
    let changed: ConversationFactsRecord[] = [];
    await expect
      .poll(async () => (changed = [...(await readAll(`cursor=${all.cursor}`)).latest.values()]).map((r) => r.conversationId), { timeout: 20_000, interval: 500 })
      .toEqual(["g-c27"]);
    expect(changed[0]!.projectedAt > before.projectedAt).toBe(true);
  });

  it("CSV and JSON lines carry the same records, the cursor in a header", async () => {
    const json = await call<{ records: ConversationFactsRecord[]; nextCursor: string }>(exportUrl(`since=${since}&limit=5`), { key: keys.p1 });
    const csv = await call<string>(exportUrl(`since=${since}&limit=5&format=csv`), { key: keys.p1 });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("webcti-next-cursor")).toBe(json.body.nextCursor);
    const lines = csv.body.trimEnd().split("\r\n");
    expect(lines[0]).toBe(factsCsvColumns.join(","));
    expect(lines).toHaveLength(6);
    expect(lines[1]!.split(",")[0]).toBe(json.body.records[0]!.conversationId);

    const jsonl = await call<string>(exportUrl(`since=${since}&limit=5&format=jsonl`), { key: keys.p1 });
    expect(jsonl.headers.get("content-type")).toBe("application/jsonl; charset=utf-8");
    expect(jsonl.body.trimEnd().split("\n").map((line) => JSON.parse(line))).toEqual(json.body.records);

    const agentCsv = await call<string>(`${stack.apiUrl}/v1/agent/analytics/conversations?providerId=p2&since=${since}&format=csv&limit=100`, { headers: { cookie: supervisor } });
    expect(agentCsv.status).toBe(200);
    expect(new Set(agentCsv.body.trimEnd().split("\r\n").slice(1).map((line) => line.split(",")[0])).size).toBe(10); // p2's ended conversations
  });
});

describe("rebuild: 'can be rebuilt from the stored conversations by a command'", () => {
  it("npm run ops -- kpis rebuild: every figure back from the events after the KPI rows are lost, while the timer's run goes on", async () => {
    const views = [`${range}&interval=day`, `${range}&interval=15m&by=agent`, `${range}&interval=hour&by=queue`];
    const before = await Promise.all(views.map(supervisorReport));
    const t = stack.services.tables;
    for (const table of [t.kpiFacts, t.kpiQuarterHours, t.kpiHours, t.kpiDays]) {
      for await (const row of table.listEntities()) await table.deleteEntity(row.partitionKey!, row.rowKey!);
    }
    expect((await supervisorReport(views[0]!)).series).toEqual([]);

    const env = {
      WEBCTI_TABLES_CONNECTION_STRING: stack.tablesConnectionString,
      WEBCTI_WEBPUBSUB_CONNECTION_STRING: stack.webPubSub.connectionString,
      WEBCTI_TABLE_PREFIX: stack.config.WEBCTI_TABLE_PREFIX,
    };
    const lines: string[] = [];
    const [code] = await Promise.all([
      runOps(["kpis", "rebuild", "--tenant", tenantId], { env, print: (line) => lines.push(line) }),
      drainKpiProjection(stack.services), // another run at the same time (the timer)
    ]);
    expect(code, lines.join("\n")).toBe(0);
    expect(JSON.parse(lines.join("\n"))).toMatchObject({ tenantId, rebuild: "done" });
    await drainKpiProjection(stack.services); // whatever the two runs re-marked for each other
    const after = await Promise.all(views.map(supervisorReport));
    expect(after.map(({ rowsRead: _, ...report }) => report)).toEqual(before.map(({ rowsRead: _, ...report }) => report));
    expectKpis(after[0]!.series.find((s) => s.providerId === "p2")!.total, goldenKpis.p2Voice, "p2 voice after the rebuild");
  });
});

describe("one projection run at a time", () => {
  it("a second run while one holds the lease does nothing (busy); the lease is released after the run", async () => {
    await stack.services.tables.kpiDirty.upsertEntity({ partitionKey: "07", rowKey: "c|kpi-golden|p1|g-c01" }, "Merge");
    const [first, second] = await Promise.all([runKpiProjection(stack.services), runKpiProjection(stack.services)]);
    expect([first.busy, second.busy].sort()).toEqual([false, true]);
    expect((await runKpiProjection(stack.services)).busy).toBe(false);
  });
});
