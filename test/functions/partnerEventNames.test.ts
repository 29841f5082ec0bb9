import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import type { Stack } from "../../local/stack.js";
import type { DemoSeed } from "../../local/seedDemo.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putAgent, putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { drainKpiProjection } from "../../shared/analytics/runProjection.js";
import { maxPartnerEventNames, otherPartnerEvents } from "../../shared/analytics/capPartnerEvents.js";
import type { ConversationFactsRecord, KpiReport } from "../../shared/schemas/analytics.js";

/**
 * Issue 16, item 1: 500 distinct analytics event names on one conversation made its facts row longer than
 * a Table storage column holds, and every KPI projection run failed, for every tenant. A conversation now
 * counts at most 50 names (the most counted, ties by name) and the rest under "(other)".
 */

const range = "from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z";
let stack: Stack;
let seed: DemoSeed;
let otherKey: string;

beforeAll(async () => {
  ({ stack, seed } = await startTestStack({ timers: false }));
  await putTenant(stack.services, { tenantId: "names-other", name: "Another tenant" });
  await putProvider(stack.services, { tenantId: "names-other", providerId: "p", label: "p" });
  for (const tenantId of [seed.tenantId, "names-other"]) await putAgent(stack.services, { tenantId, agentId: "agent-1", displayName: "Agent 1" });
  otherKey = (await issuePartnerKey(stack.services.tables, "names-other", "p", new Date())).apiKey;
});
afterAll(() => stack?.close());

async function answeredCall(key: string, conversationId: string) {
  const at = (second: number) => new Date(Date.parse("2026-11-02T09:00:00Z") + second * 1000).toISOString();
  const events = ["initiated", "ringing", "answered", "ended"].map((type, i) => ({
    type, eventId: `${conversationId}-${type}`, conversationId, occurredAt: at(i * 10), agentId: "agent-1",
  }));
  const res = await call(`${stack.apiUrl}/v1/conversations/events/batch`, { key, json: { events } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function logEvents(key: string, conversationId: string, names: readonly string[]) {
  for (let start = 0; start < names.length; start += 100) {
    const events = names.slice(start, start + 100).map((eventName, i) => ({
      eventId: `${conversationId}-a${start + i}`, conversationId, eventName, eventTimestamp: "2026-11-02T09:01:00Z",
    }));
    const res = await call(`${stack.apiUrl}/v1/analytics/events`, { key, json: { events } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

async function partnerEvents(key: string): Promise<Record<string, number>> {
  const res = await call<KpiReport>(`${stack.apiUrl}/v1/analytics/kpis?${range}&interval=day`, { key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.total.partnerEvents;
}

describe("partner event names per conversation", () => {
  it("500 distinct names of 64 characters on one conversation: the projection completes, 50 names count and the rest under (other)", async () => {
    const names = Array.from({ length: 500 }, (_, i) => `name-${String(i).padStart(3, "0")}`.padEnd(64, "x"));
    // Two names are counted more often: they are kept whatever their place in name order.
    const frequent = [names[499]!, names[498]!, names[499]!];
    await answeredCall(seed.apiKey, "many-names");
    await logEvents(seed.apiKey, "many-names", [...names, ...frequent]);
    await answeredCall(otherKey, "elsewhere");
    await logEvents(otherKey, "elsewhere", ["surveyOffered"]);

    await drainKpiProjection(stack.services);

    const counted = await partnerEvents(seed.apiKey);
    const expected: Record<string, number> = { [names[499]!]: 3, [names[498]!]: 2 };
    for (const name of names.slice(0, maxPartnerEventNames - 2)) expected[name] = 1;
    expected[otherPartnerEvents] = 500 - maxPartnerEventNames;
    expect(counted).toEqual(expected);
    // The export record of the conversation counts the same way.
    const feed = stack.services.tables.kpiFeed.listEntities<{ record: string }>({ queryOptions: { filter: "PartitionKey ge 'contoso|' and PartitionKey lt 'contoso}'" } });
    const records: ConversationFactsRecord[] = [];
    for await (const row of feed) records.push(JSON.parse(row.record) as ConversationFactsRecord);
    expect(records.find((r) => r.conversationId === "many-names")?.partnerEvents).toEqual(expected);
    // Another tenant's figures were projected in the same runs.
    expect(await partnerEvents(otherKey)).toEqual({ surveyOffered: 1 });
  });

  it("500 distinct names over 10 conversations of one quarter-hour: each aggregate row keeps 50, the rest under (other)", async () => {
    await putTenant(stack.services, { tenantId: "names-many", name: "Many names" });
    await putProvider(stack.services, { tenantId: "names-many", providerId: "p", label: "p" });
    await putAgent(stack.services, { tenantId: "names-many", agentId: "agent-1", displayName: "Agent 1" });
    const key = (await issuePartnerKey(stack.services.tables, "names-many", "p", new Date())).apiKey;
    const names = Array.from({ length: 500 }, (_, i) => `name-${String(i).padStart(3, "0")}`.padEnd(64, "x"));
    for (let c = 0; c < 10; c++) {
      await answeredCall(key, `c${c}`);
      await logEvents(key, `c${c}`, names.slice(c * 50, c * 50 + 50));
    }

    await drainKpiProjection(stack.services);

    const expected: Record<string, number> = Object.fromEntries(names.slice(0, maxPartnerEventNames).map((name) => [name, 1]));
    expected[otherPartnerEvents] = 500 - maxPartnerEventNames;
    expect(await partnerEvents(key)).toEqual(expected);
  });
});
