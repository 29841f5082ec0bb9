import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import { demo } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putProvider } from "../../shared/tenancy/tenancyStore.js";
import { runDueRetries } from "../../shared/webhooks/runDueRetries.js";
import { deliveryRowKey } from "../../shared/webhooks/deliveryRow.js";
import { listParkedAttempts } from "../../shared/webhooks/deliverySchedule.js";
import { key as tableKey } from "../../shared/storage/tables.js";
import { runOps } from "../../tools/ops.js";

/**
 * Issue 16, item 1, for the webhook retry timer: a due delivery the timer cannot work on (its stored row no
 * longer reads) holds up no other; it waits with backoff, is parked after 8 tries (listed by the operator
 * CLI) and, once fixed and put back, is delivered.
 */
let stack: Stack;
let receiver: Server;
let key: string;
let tablePrefix: string;
let offsetMs = 0;
let failing = true;
const provider = "retry-isolation";

const deliveries = async () => (await call<{ deliveries: Array<{ deliveryId: string; status: string }> }>(`${stack.apiUrl}/v1/webhooks/deliveries`, { key })).body.deliveries;
const presence = (status: string) => call(`${stack.apiUrl}/v1/agents/${demo.agentId}/presence`, { method: "PUT", key, json: { status } });
const run = () => runDueRetries({ ...stack.services, now: () => new Date(Date.now() + offsetMs) });

beforeAll(async () => {
  receiver = createServer((request, response) => {
    request.resume();
    request.on("end", () => response.writeHead(failing ? 503 : 204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  ({ stack } = await startTestStack({ timers: false }));
  tablePrefix = stack.services.config.WEBCTI_TABLE_PREFIX;
  await putProvider(stack.services, { tenantId: demo.tenantId, providerId: provider, label: "Retry isolation" });
  key = (await issuePartnerKey(stack.services.tables, demo.tenantId, provider, new Date())).apiKey;
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  expect((await call(`${stack.apiUrl}/v1/webhooks/endpoint`, { method: "PUT", key, json: { url, eventTypes: ["presence.changed"] } })).status).toBe(200);
});
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe("a due webhook retry the timer cannot work on", () => {
  let broken: string;
  let healthy: string;

  it("waits alone: the other due deliveries are sent", async () => {
    expect((await presence("busy")).status).toBe(200);
    expect((await presence("away")).status).toBe(200);
    await expect.poll(async () => (await deliveries()).filter((d) => d.status === "pending").length).toBe(2);
    [broken, healthy] = (await deliveries()).map((d) => d.deliveryId) as [string, string];
    // Its row as a hand edit or an older version could have left it: its attempt log no longer reads.
    await stack.services.tables.webhookDeliveries.updateEntity({ partitionKey: tableKey(demo.tenantId, provider), rowKey: deliveryRowKey(broken), attempts: "{not json" }, "Merge");
    failing = false;
    offsetMs += 60_000;
    const first = await run();
    expect(first).toMatchObject({ due: 2, errors: 1, parked: 0, delivered: 1 });
    const statuses = Object.fromEntries((await deliveries()).map((d) => [d.deliveryId, d.status]));
    expect(statuses).toEqual({ [broken]: "pending", [healthy]: "delivered" });
    expect(await run()).toMatchObject({ due: 0 }); // it waits for its next try
  });

  it("is parked after 8 tries and listed by the operator CLI", async () => {
    for (let tries = 2; tries <= 8; tries += 1) {
      offsetMs += 31 * 60_000;
      expect(await run()).toMatchObject({ errors: 1, parked: tries === 8 ? 1 : 0 });
    }
    offsetMs += 31 * 60_000;
    expect(await run()).toMatchObject({ due: 0 });
    const printed: string[] = [];
    const env = { WEBCTI_TABLES_CONNECTION_STRING: inject("tablesConnectionString"), WEBCTI_TABLE_PREFIX: tablePrefix };
    expect(await runOps(["webhooks", "parked"], { env, print: (line) => printed.push(line) })).toBe(0);
    expect(JSON.parse(printed[0]!)).toMatchObject({ parked: [{ deliveryId: broken, errors: 8, lastError: expect.stringContaining("JSON") }] });
  });

  it("is delivered once fixed and put back", async () => {
    await stack.services.tables.webhookDeliveries.updateEntity({ partitionKey: tableKey(demo.tenantId, provider), rowKey: deliveryRowKey(broken), attempts: "[]" }, "Merge");
    const printed: string[] = [];
    const env = { WEBCTI_TABLES_CONNECTION_STRING: inject("tablesConnectionString"), WEBCTI_TABLE_PREFIX: tablePrefix };
    expect(await runOps(["webhooks", "unpark"], { env, print: (line) => printed.push(line) })).toBe(0);
    expect(JSON.parse(printed[0]!)).toEqual({ unparked: 1 });
    expect(await listParkedAttempts(stack.services)).toEqual([]);
    expect(await run()).toMatchObject({ errors: 0, delivered: 1 });
    expect((await deliveries()).find((d) => d.deliveryId === broken)?.status).toBe("delivered");
  });
});
