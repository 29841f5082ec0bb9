import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startStack, type Stack } from "../../local/stack.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putAgent, putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { runKpiProjection } from "../../shared/analytics/runProjection.js";
import { listParked, maxAttempts, parkedPrefix, retryDelayMs } from "../../shared/analytics/projectionFailures.js";
import { conversationMark, intervalMark, mark } from "../../shared/analytics/kpiStore.js";
import { shardOf } from "../../shared/storage/shardOf.js";
import { runOps } from "../../tools/ops.js";
import type { KpiReport } from "../../shared/schemas/analytics.js";
import { call, uniquePrefix } from "../support/stack.js";

/**
 * Issue 16, item 1: the KPI projection's items fail one at a time. A conversation whose stored events no
 * longer read is tried again with backoff while every other conversation (of its tenant and others) is
 * projected; after 8 tries it is parked, which the operator CLI lists, and once fixed, puts back.
 */
let stack: Stack;
let tablePrefix: string;
const keys: Record<string, string> = {};
let clock = new Date("2026-11-02T12:00:00Z");
const services = () => ({ ...stack.services, now: () => clock });

async function ended(tenantId: string, conversationId: string) {
  const at = (minute: number) => `2026-11-02T10:0${minute}:00Z`;
  const events = [
    { type: "ringing", eventId: `${conversationId}-1`, conversationId, occurredAt: at(0), agentId: "agent-1" },
    { type: "answered", eventId: `${conversationId}-2`, conversationId, occurredAt: at(1), agentId: "agent-1" },
    { type: "ended", eventId: `${conversationId}-3`, conversationId, occurredAt: at(2) },
  ];
  const res = await call(`${stack.apiUrl}/v1/conversations/events/batch`, { key: keys[tenantId]!, json: { events } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const offered = async (tenantId: string) =>
  (await call<KpiReport>(`${stack.apiUrl}/v1/analytics/kpis?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z&interval=day`, { key: keys[tenantId]! })).body.total.offered;

/** A row in the conversation's partition as an older version or a hand edit could have left it. */
const poison = { rowKey: "event|zz-broken", body: "{not json" };
const poisonPartition = () => `poisoned|p|c-bad`;

const marker = (rowKey: string) => stack.services.tables.kpiDirty.getEntity<{ attempts?: number; retryAt?: string; lastError?: string }>(shardOf(rowKey), rowKey);

beforeAll(async () => {
  tablePrefix = uniquePrefix();
  stack = await startStack({ port: 0, tablePrefix, tablesConnectionString: inject("tablesConnectionString"), timers: false, log: () => undefined });
  for (const tenantId of ["poisoned", "healthy"]) {
    await putTenant(stack.services, { tenantId, name: tenantId });
    await putProvider(stack.services, { tenantId, providerId: "p", label: "P" });
    await putAgent(stack.services, { tenantId, agentId: "agent-1", displayName: "Agent One" });
    keys[tenantId] = (await issuePartnerKey(stack.services.tables, tenantId, "p", new Date())).apiKey;
  }
});
afterAll(() => stack?.close());

describe("a KPI projection item that fails", () => {
  it("waits with backoff while the others of its tenant and of other tenants are projected", async () => {
    await ended("poisoned", "c-bad");
    await ended("poisoned", "c-good");
    await ended("healthy", "c-1");
    await stack.services.tables.conversations.createEntity({ partitionKey: poisonPartition(), ...poison });

    const first = await runKpiProjection(services());
    expect(first).toMatchObject({ failed: 1, parked: 0 });
    expect(first.conversations).toBe(2);
    await runKpiProjection(services()); // the quarter-hours the two marked
    expect(await offered("healthy")).toBe(1);
    expect(await offered("poisoned")).toBe(1);

    const bad = await marker(conversationMark("poisoned", "p", "c-bad"));
    expect(bad).toMatchObject({ attempts: 1, retryAt: new Date(clock.getTime() + retryDelayMs(1)).toISOString() });
    expect(bad.lastError).toContain("does not parse");
    // Before its time it is not tried again.
    expect(await runKpiProjection(services())).toMatchObject({ failed: 0, conversations: 0 });
  });

  it("is parked after 8 tries, listed by the operator CLI with its last error", async () => {
    for (let attempt = 2; attempt <= maxAttempts; attempt += 1) {
      clock = new Date(clock.getTime() + retryDelayMs(attempt - 1) + 1000);
      expect(await runKpiProjection(services())).toMatchObject({ failed: 1, parked: attempt === maxAttempts ? 1 : 0 });
    }
    await expect(marker(conversationMark("poisoned", "p", "c-bad"))).rejects.toMatchObject({ statusCode: 404 });
    const parked = await listParked(stack.services.tables.kpiDirty, "poisoned");
    expect(parked).toEqual([{ shard: expect.any(String), item: conversationMark("poisoned", "p", "c-bad"), attempts: maxAttempts, lastError: expect.stringContaining("does not parse"), parkedAt: clock.toISOString() }]);
    expect(await listParked(stack.services.tables.kpiDirty, "healthy")).toEqual([]);
    clock = new Date(clock.getTime() + 3_600_000);
    expect(await runKpiProjection(services())).toMatchObject({ failed: 0, conversations: 0 }); // parked: no run reads it

    const printed: string[] = [];
    const env = { WEBCTI_TABLES_CONNECTION_STRING: inject("tablesConnectionString"), WEBCTI_TABLE_PREFIX: tablePrefix };
    expect(await runOps(["kpis", "parked", "--tenant", "poisoned"], { env, print: (line) => printed.push(line) })).toBe(0);
    expect(JSON.parse(printed[0]!)).toMatchObject({ parked: [{ item: "c|poisoned|p|c-bad", attempts: 8 }] });
  });

  it("is put back by the operator once its cause is fixed, and projected", async () => {
    await stack.services.tables.conversations.deleteEntity(poisonPartition(), poison.rowKey);
    const printed: string[] = [];
    const env = { WEBCTI_TABLES_CONNECTION_STRING: inject("tablesConnectionString"), WEBCTI_TABLE_PREFIX: tablePrefix };
    expect(await runOps(["kpis", "unpark", "--tenant", "poisoned"], { env, print: (line) => printed.push(line) })).toBe(0);
    expect(JSON.parse(printed[0]!)).toEqual({ unparked: 1 });
    expect(await listParked(stack.services.tables.kpiDirty)).toEqual([]);
    const rowKeys: string[] = [];
    for await (const row of stack.services.tables.kpiDirty.listEntities({ queryOptions: { select: ["RowKey"] } })) rowKeys.push(row.rowKey!);
    expect(rowKeys.filter((k) => k.startsWith(parkedPrefix))).toEqual([]);

    expect(await runKpiProjection(services())).toMatchObject({ failed: 0, conversations: 1 });
    await runKpiProjection(services());
    expect(await offered("poisoned")).toBe(2);
  });

  it("a quarter-hour that fails to recompute waits alone: the others marked with it are recomputed", async () => {
    const facts = stack.services.tables.kpiFacts;
    let partition = "";
    for await (const row of facts.listEntities({ queryOptions: { filter: "PartitionKey ge 'healthy|' and PartitionKey lt 'healthy}'" } })) if (row.rowKey === "c-1") partition = row.partitionKey!;
    expect(partition).not.toBe("");
    const quarterStart = partition.split("|").at(-1)!;
    await facts.createEntity({ partitionKey: partition, rowKey: "zz-broken", value: "{not json" });
    await ended("poisoned", "c-late");
    await mark(stack.services.tables, [intervalMark("healthy", "p", quarterStart)]);
    // One run: c-late is projected, then its quarter-hour and the broken one are recomputed together.
    const run = await runKpiProjection(services());
    expect(run).toMatchObject({ conversations: 1, failed: 1, quarters: 1 });
    expect(await offered("poisoned")).toBe(3);
    await expect(marker(intervalMark("poisoned", "p", quarterStart))).rejects.toMatchObject({ statusCode: 404 });
    expect(await marker(intervalMark("healthy", "p", quarterStart))).toMatchObject({ attempts: 1 });
    await facts.deleteEntity(partition, "zz-broken");
  });
});
