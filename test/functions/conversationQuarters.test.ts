import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import type { Stack } from "../../local/stack.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putAgent, putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { drainKpiProjection } from "../../shared/analytics/runProjection.js";
import type { KpiReport } from "../../shared/schemas/analytics.js";

/**
 * Issue 16, item 1 ("cap what one conversation may add to a row"): the KPI projection remembered the
 * quarter-hours a conversation counts in as one JSON list in one column; partner events in 1,250 quarter-hours
 * of one conversation made it longer than a column holds (32 K characters) and every projection run failed.
 */

const tenantId = "quarters";
let stack: Stack;
let apiKey: string;

beforeAll(async () => {
  ({ stack } = await startTestStack({ timers: false }));
  await putTenant(stack.services, { tenantId, name: "Quarters" });
  await putProvider(stack.services, { tenantId, providerId: "p", label: "p", rateLimit: { requestsPerSecond: 10_000, burst: 10_000 } });
  await putAgent(stack.services, { tenantId, agentId: "agent-1", displayName: "Agent 1" });
  apiKey = (await issuePartnerKey(stack.services.tables, tenantId, "p", new Date())).apiKey;
});
afterAll(() => stack?.close());

const quarterMs = 15 * 60_000;
const start = Date.parse("2026-11-02T00:00:00Z");

async function send(path: string, json: unknown, status: number) {
  const res = await call(`${stack.apiUrl}/v1/${path}`, { key: apiKey, json });
  expect(res.status, JSON.stringify(res.body)).toBe(status);
}

async function report(from: string, to: string, interval: string): Promise<KpiReport> {
  const res = await call<KpiReport>(`${stack.apiUrl}/v1/analytics/kpis?from=${from}&to=${to}&interval=${interval}`, { key: apiKey });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe("the quarter-hours one conversation counts in", () => {
  it("partner events in 1,250 quarter-hours of one conversation are projected, each in its own", async () => {
    const conversationId = "long";
    const at = (ms: number) => new Date(ms).toISOString();
    await send("conversations/events/batch", { events: [
      { type: "initiated", eventId: "e1", conversationId, occurredAt: at(start) },
      { type: "ended", eventId: "e2", conversationId, occurredAt: at(start + 60_000) },
    ] }, 200);
    const count = 1250;
    for (let first = 0; first < count; first += 100) {
      const events = Array.from({ length: Math.min(100, count - first) }, (_, i) => ({
        eventId: `a${first + i}`, conversationId, eventName: "tick", eventTimestamp: at(start + (first + i) * quarterMs),
      }));
      await send("analytics/events", { events }, 200);
    }

    await drainKpiProjection(stack.services);

    const days = await report("2026-11-02T00:00:00Z", "2026-11-16T00:00:00Z", "day");
    expect(days.total.partnerEvents).toEqual({ tick: count });
    const last = at(start + (count - 1) * quarterMs);
    const quarter = await report(last, at(start + count * quarterMs), "15m");
    expect(quarter.points.map((p) => [p.intervalStart, p.kpis.partnerEvents])).toEqual([[last, { tick: 1 }]]);
  }, 240_000);

  it("a conversation that stops counting in a quarter-hour leaves it, also from the list an older version kept", async () => {
    const conversationId = "moved";
    await send("conversations/events/batch", { events: [
      { type: "initiated", eventId: "m1", conversationId, occurredAt: "2026-11-20T09:00:00Z", agentId: "agent-1" },
      { type: "ended", eventId: "m2", conversationId, occurredAt: "2026-11-20T09:01:00Z", agentId: "agent-1" },
    ] }, 200);
    await drainKpiProjection(stack.services);
    // What an older version kept: the quarter-hours as one list on the `kpi` row (its digest then differs).
    const partitionKey = `${tenantId}|p|${conversationId}`;
    await stack.services.tables.conversations.upsertEntity({ partitionKey, rowKey: "kpi", quarters: JSON.stringify(["2026-11-20T09:00:00.000Z"]), digest: "old" }, "Replace");
    await stack.services.tables.conversations.deleteEntity(partitionKey, "kpi|2026-11-20T09:00:00.000Z").catch(() => undefined);
    // A transfer to a new leg that ends later: the conversation now ends (and counts) at 10:30.
    await send("conversations/events/batch", { events: [
      { type: "transferred", eventId: "m3", conversationId, occurredAt: "2026-11-20T09:00:30Z", toLegId: "leg-2" },
      { type: "initiated", eventId: "m4", conversationId, legId: "leg-2", parentLegId: conversationId, occurredAt: "2026-11-20T09:00:31Z" },
      { type: "ended", eventId: "m5", conversationId, legId: "leg-2", occurredAt: "2026-11-20T10:31:00Z" },
    ] }, 200);
    await drainKpiProjection(stack.services);

    const points = (await report("2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z", "15m")).points;
    expect(points.map((p) => [p.intervalStart, p.kpis.offered])).toEqual([["2026-11-20T10:30:00.000Z", 1]]);
  });
});
