import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import type { Stack } from "../../local/stack.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putAgent, putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { drainKpiProjection } from "../../shared/analytics/runProjection.js";
import { maxMissedLegs } from "../../shared/analytics/conversationFacts.js";
import type { KpiReport } from "../../shared/schemas/analytics.js";

/**
 * Issue 16, item 1 ("cap what one conversation may add to a row"): a conversation's facts list the agent of
 * each leg missed by an agent; 300 missed legs at agents with 128-character ids made its facts row longer
 * than a column holds (32 K characters) and every KPI projection run failed, for every tenant.
 */

const tenantId = "missed";
const agents = ["a", "b", "c"].map((first) => `${first}${"-".repeat(127)}`);
let stack: Stack;
let apiKey: string;

beforeAll(async () => {
  ({ stack } = await startTestStack({ timers: false }));
  await putTenant(stack.services, { tenantId, name: "Missed legs" });
  await putProvider(stack.services, { tenantId, providerId: "p", label: "p", rateLimit: { requestsPerSecond: 10_000, burst: 10_000 } });
  for (const agentId of agents) await putAgent(stack.services, { tenantId, agentId, displayName: agentId.slice(0, 1) });
  apiKey = (await issuePartnerKey(stack.services.tables, tenantId, "p", new Date())).apiKey;
});
afterAll(() => stack?.close());

describe("legs missed by agents on one conversation", () => {
  it("300 missed legs at 128-character agents: the projection completes and counts the first 100", async () => {
    const conversationId = "ringing-everyone";
    const at = (second: number) => new Date(Date.parse("2026-11-02T09:00:00Z") + second * 1000).toISOString();
    const events = [{ type: "initiated", eventId: "e0", conversationId, occurredAt: at(0) }];
    for (let leg = 0; leg < 300; leg++) {
      const agentId = agents[leg % 3]!;
      events.push(
        { type: "ringing", eventId: `r${leg}`, conversationId, legId: `l${leg}`, agentId, occurredAt: at(1 + leg * 2) } as (typeof events)[number],
        { type: "ended", eventId: `x${leg}`, conversationId, legId: `l${leg}`, agentId, occurredAt: at(2 + leg * 2), reason: "missedByAgent" } as (typeof events)[number],
      );
    }
    events.push({ type: "ended", eventId: "e1", conversationId, occurredAt: at(700) });
    for (let start = 0; start < events.length; start += 100) {
      const res = await call(`${stack.apiUrl}/v1/conversations/events/batch`, { key: apiKey, json: { events: events.slice(start, start + 100) } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }

    await drainKpiProjection(stack.services);

    const res = await call<KpiReport>(`${stack.apiUrl}/v1/analytics/kpis?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z&interval=day&by=agent`, { key: apiKey });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.total.missedByAgent).toBe(maxMissedLegs);
    const byAgent = Object.fromEntries((res.body.splits ?? []).map((s) => [s.value, s.total.missedByAgent]));
    expect(byAgent).toEqual({ [agents[0]!]: 34, [agents[1]!]: 33, [agents[2]!]: 33 });
  });
});
