import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TableClient } from "@azure/data-tables";
import { call, startTestStack } from "../support/stack.js";
import type { Stack } from "../../local/stack.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { issueIntegrationKey } from "../../shared/auth/integrationKeys.js";
import { putAgent, putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { drainKpiProjection } from "../../shared/analytics/runProjection.js";
import { maxKeyChars } from "../../shared/storage/keyPart.js";
import type { KpiReport } from "../../shared/schemas/analytics.js";

/**
 * Issue 16, items 1 and 2: every Table storage key built from what a caller sends fits Azure's limits
 * (1 KiB; no / \ # ? or control characters) at the largest sizes the schemas allow: 128-character tenant,
 * provider and agent ids, a 255-character Idempotency-Key whose every character is percent-encoded, and a
 * queue name of 128 characters of three UTF-8 bytes each ("€": 1,152 characters once encoded).
 */

const longId = (first: string) => `${first}${"-".repeat(127)}`;
const tenantId = longId("t");
const providerId = longId("p");
const agentId = longId("a");
const queue = "€".repeat(128);
const range = "from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z";

let stack: Stack;
let apiKey: string;

beforeAll(async () => {
  ({ stack } = await startTestStack({ timers: false }));
  const s = stack.services;
  await putTenant(s, { tenantId, name: "Long ids" });
  await putProvider(s, { tenantId, providerId, label: "Long ids", rateLimit: { requestsPerSecond: 10_000, burst: 10_000 } });
  await putAgent(s, { tenantId, agentId, displayName: "Long id" });
  apiKey = (await issuePartnerKey(s.tables, tenantId, providerId, new Date())).apiKey;
});
afterAll(() => stack?.close());

/** Every key of every row of the table holds no character Table storage refuses and fits its length. */
async function expectKeysWithinLimits(table: TableClient) {
  let rows = 0;
  for await (const row of table.listEntities({ queryOptions: { select: ["PartitionKey", "RowKey"] } })) {
    rows += 1;
    for (const part of [row.partitionKey!, row.rowKey!]) {
      expect(part.length, `${table.tableName}: ${part.slice(0, 80)}…`).toBeLessThanOrEqual(maxKeyChars);
      expect(part).not.toMatch(/[\u0000-\u001f\u007f-\u009f/\\#?]/);
    }
  }
  return rows;
}

const event = (conversationId: string, type: string, occurredAt: string, extra: Record<string, unknown> = {}) => ({
  type,
  eventId: `${conversationId.slice(0, 100)}-${type}`,
  conversationId,
  occurredAt,
  queue,
  ...extra,
});

describe("input-derived keys at the schemas' maximum sizes", () => {
  it("an Idempotency-Key of 255 percent-encoded characters from a 128-character tenant and provider is kept and replayed", async () => {
    const send = (idempotencyKey: string, conversationId: string) =>
      call(`${stack.apiUrl}/v1/conversations/events`, {
        key: apiKey,
        headers: { "idempotency-key": `"${idempotencyKey}"` },
        json: event(conversationId, "initiated", "2026-11-02T09:00:00Z"),
      });
    const first = "%".repeat(254) + "1";
    const second = "%".repeat(254) + "2"; // same beginning: must be another key all the same
    const stored = await send(first, "idem-1");
    expect(stored.status, JSON.stringify(stored.body)).toBe(202);
    const replayed = await send(first, "idem-1");
    expect(replayed.status).toBe(202);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    const other = await send(second, "idem-2");
    expect(other.status, JSON.stringify(other.body)).toBe(202);
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    const reused = await send(first, "idem-3");
    expect(reused.status).toBe(422);
    expect(reused.headers.get("content-type")).toBe("application/problem+json");
    expect(await expectKeysWithinLimits(stack.services.tables.idempotency)).toBe(2);
  });

  it("a queue of 128 '€' and a 128-character agent are projected into the KPIs, split by queue and by agent", async () => {
    const conversationId = longId("c");
    const events = [
      event(conversationId, "initiated", "2026-11-02T09:00:00Z"),
      event(conversationId, "queued", "2026-11-02T09:00:05Z"),
      event(conversationId, "ringing", "2026-11-02T09:00:10Z", { agentId }),
      event(conversationId, "answered", "2026-11-02T09:00:20Z", { agentId }),
      event(conversationId, "ended", "2026-11-02T09:03:00Z", { agentId }),
    ];
    const sent = await call(`${stack.apiUrl}/v1/conversations/events/batch`, { key: apiKey, json: { events } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    await drainKpiProjection(stack.services);

    const report = async (by: string) => {
      const res = await call<KpiReport>(`${stack.apiUrl}/v1/analytics/kpis?${range}&interval=15m&by=${by}`, { key: apiKey });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const byQueue = await report("queue");
    expect(byQueue.splits?.map((s) => [s.value, s.total.answered])).toEqual([[queue, 1]]);
    const byAgent = await report("agent");
    expect(byAgent.splits?.map((s) => [s.value, s.total.answered])).toEqual([[agentId, 1]]);
    const tables = stack.services.tables;
    for (const table of [tables.kpiQuarterHours, tables.kpiHours, tables.kpiDays, tables.kpiFacts, tables.kpiFeed, tables.conversations, tables.kpiDirty])
      await expectKeysWithinLimits(table);
  });

  it("directory records, look-ups, activities, presence and analytics events with 128-character ids are stored within the limits", async () => {
    const recordId = longId("r");
    const email = (i: number) => `${String(i).padStart(2, "0")}${"e".repeat(62)}@${"d".repeat(63)}.${"x".repeat(60)}.${"y".repeat(60)}.com`;
    const emails = Array.from({ length: 20 }, (_, i) => email(i));
    expect(emails[0]!.length).toBe(254);
    const put = await call(`${stack.apiUrl}/v1/directory/contacts/${recordId}`, { method: "PUT", key: apiKey, json: { name: "N".repeat(200), emails, phones: ["+14155550100"] } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const found = await call(`${stack.apiUrl}/v1/directory/lookup?email=${encodeURIComponent(emails[19]!)}`, { key: apiKey });
    expect(found.status).toBe(200);
    expect(JSON.stringify(found.body)).toContain(recordId);
    const activity = await call(`${stack.apiUrl}/v1/activities`, {
      key: apiKey,
      json: { activityId: longId("v"), record: { type: "contact", id: recordId }, subject: "S".repeat(200), conversationId: longId("c"), agentId },
    });
    expect(activity.status, JSON.stringify(activity.body)).toBe(201);
    const timeline = await call(`${stack.apiUrl}/v1/directory/contacts/${recordId}/activities`, { key: apiKey });
    expect(timeline.status, JSON.stringify(timeline.body)).toBe(200);
    const presence = await call(`${stack.apiUrl}/v1/agents/${agentId}/presence`, { method: "PUT", key: apiKey, json: { status: "available" } });
    expect(presence.status, JSON.stringify(presence.body)).toBe(200);
    const analytics = await call(`${stack.apiUrl}/v1/analytics/events`, {
      key: apiKey,
      json: { events: [{ eventId: longId("e"), conversationId: longId("c"), eventName: "n".repeat(64), eventTimestamp: "2026-11-02T09:01:00Z" }] },
    });
    expect(analytics.status, JSON.stringify(analytics.body)).toBe(200);
    const tables = stack.services.tables;
    for (const table of [tables.directory, tables.directoryIndex, tables.activities, tables.activityIds, tables.activityFeed, tables.presence, tables.conversations])
      expect(await expectKeysWithinLimits(table)).toBeGreaterThan(0);
  });

  it("300 queues of 128 characters in one quarter-hour of a provider are projected (the groups it keeps outgrow one column)", async () => {
    const queues = Array.from({ length: 300 }, (_, i) => `${String(i).padStart(3, "0")}`.padEnd(128, "q"));
    const events = queues.flatMap((name, i) => [
      { type: "initiated", eventId: `q${i}-1`, conversationId: `q${i}`, occurredAt: "2026-11-02T10:00:00Z", queue: name },
      { type: "ended", eventId: `q${i}-2`, conversationId: `q${i}`, occurredAt: "2026-11-02T10:01:00Z", queue: name },
    ]);
    for (let start = 0; start < events.length; start += 100) {
      const sent = await call(`${stack.apiUrl}/v1/conversations/events/batch`, { key: apiKey, json: { events: events.slice(start, start + 100) } });
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    }
    await drainKpiProjection(stack.services);
    const res = await call<KpiReport>(`${stack.apiUrl}/v1/analytics/kpis?from=2026-11-02T10:00:00Z&to=2026-11-02T10:15:00Z&interval=15m&by=queue`, { key: apiKey });
    expect(res.status).toBe(200);
    expect(res.body.splits?.map((s) => s.value).sort()).toEqual(queues);
    expect(res.body.total.offered).toBe(300);
  });

  it("indexes a CRM's sign-in issuer of 500 characters (the longest the settings take)", async () => {
    const integrationKey = (await issueIntegrationKey(stack.services.tables, tenantId, new Date())).integrationKey;
    const issuer = `https://login.example.com/${"i".repeat(500 - "https://login.example.com/".length)}`;
    const settings = { origins: ["https://crm.long.example"], entra: { issuer, audience: "api://webcti" } };
    const put = await call(`${stack.apiUrl}/v1/integration/settings`, { method: "PUT", key: integrationKey, json: settings });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(await expectKeysWithinLimits(stack.services.tables.crmIndex)).toBeGreaterThan(0);
    const read = await call<{ entra?: { issuer: string } }>(`${stack.apiUrl}/v1/integration/settings`, { key: integrationKey });
    expect(read.body.entra?.issuer).toBe(issuer);
  });
});
