import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzuriteTables, type AzuriteTables } from "../../local/azurite.js";
import { startStack, type Stack } from "../../local/stack.js";
import { demo, seedDemo, type DemoSeed } from "../../local/seedDemo.js";
import { runIdempotently } from "../../functions/http/runIdempotently.js";
import { defaultIdempotencyTimes } from "../../shared/idempotency/idempotencyStore.js";
import { drainKpiProjection, projectionLeaseKey, runKpiProjection, takeProjectionLease } from "../../shared/analytics/runProjection.js";
import { conversationMark, holdConversations, kpiHoldMs } from "../../shared/analytics/kpiStore.js";
import { shardOf } from "../../shared/storage/shardOf.js";
import { eventRow } from "../../shared/conversation/ingestEvent.js";
import { call, uniquePrefix } from "../support/stack.js";
import { startLocalWebPubSub, type LocalWebPubSub } from "../../local/webpubsub/index.js";

/**
 * Storage hung for real (issue 16, items 11–13): our own Azurite, stopped with SIGSTOP and continued with
 * SIGCONT. Requests fail fast with 503 problem+json while it is down and work again after; the health
 * endpoint says which; an Idempotency-Key whose release failed is free again soon after storage returns;
 * the KPI projection's lease, left held by a run that lost its storage, lapses within seconds.
 */
const timeoutMs = 1500;
let azurite: AzuriteTables;
let webPubSub: LocalWebPubSub;
let stack: Stack;
let seed: DemoSeed;
let n = 0;

const stop = () => process.kill(azurite.process.pid!, "SIGSTOP");
const resume = () => process.kill(azurite.process.pid!, "SIGCONT");
const ringing = () => {
  n += 1;
  return {
    type: "ringing",
    eventId: `outage-${n}`,
    conversationId: `outage-call-${n}`,
    occurredAt: "2026-11-24T10:00:00Z",
    agentId: demo.agentId,
    customer: { phone: demo.numbers.oneContact },
  };
};
const timed = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
  const started = Date.now();
  const value = await run();
  return [value, Date.now() - started];
};
async function until<T>(what: () => Promise<T>, ok: (value: T) => boolean, withinMs: number): Promise<T> {
  const end = Date.now() + withinMs;
  for (;;) {
    const value = await what();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  process.env.WEBCTI_STORAGE_TIMEOUT_MS = String(timeoutMs);
  azurite = await startAzuriteTables();
  webPubSub = await startLocalWebPubSub();
  stack = await startStack({ port: 0, tablePrefix: uniquePrefix(), tablesConnectionString: azurite.connectionString, webPubSub, timers: false });
  seed = await seedDemo(stack.services, undefined, { widgetBaseUrl: stack.widgetUrl });
}, 60_000);
afterAll(async () => {
  delete process.env.WEBCTI_STORAGE_TIMEOUT_MS;
  if (azurite) resume();
  await stack?.close();
  await webPubSub?.close();
  await azurite?.close();
});

describe("with Table storage hung", () => {
  it("answers 503 storage_unavailable fast, says so on /api/health, and recovers after it continues", async () => {
    const events = `${stack.apiUrl}/v1/conversations/events`;
    const health = () => call(`${stack.url}/api/health`);
    const ready = await health();
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: "ready", storage: { latencyMs: expect.any(Number) }, push: { latencyMs: expect.any(Number) } });
    expect(JSON.stringify(ready.body)).not.toContain(seed.tenantId);
    expect((await call(events, { key: seed.apiKey, json: ringing() })).status).toBe(202);

    stop();
    const [first, firstMs] = await timed(() => call(events, { key: seed.apiKey, json: ringing() }));
    expect(first.status).toBe(503);
    expect(first.headers.get("content-type")).toBe("application/problem+json");
    expect(first.body).toMatchObject({ code: "storage_unavailable", status: 503 });
    expect(Number(first.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(firstMs).toBeLessThan(timeoutMs * 3); // its calls, not 35 s
    // Known down now: the next request does not wait for a deadline at all.
    const [second, secondMs] = await timed(() => call(events, { key: seed.apiKey, json: ringing() }));
    expect(second.status).toBe(503);
    expect(secondMs).toBeLessThan(timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 2100)); // the health answer is shared for 2 s
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: "storage_unavailable" });
    expect(Number(down.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);

    resume();
    const back = await until(() => call(events, { key: seed.apiKey, json: ringing() }), (r) => r.status === 202, 40_000);
    expect(back.status).toBe(202);
    expect((await until(health, (r) => r.status === 200, 5000)).status).toBe(200);
  }, 90_000);

  it("frees an Idempotency-Key whose release failed as soon as storage is back, not after a long lock", async () => {
    const table = stack.services.tables.idempotency;
    const request = {
      table,
      scope: { tenantId: seed.tenantId, kind: "provider" as const, id: seed.providerId },
      key: `outage-key-${Date.now()}`,
      fingerprint: { method: "POST", target: "/api/v1/conversations/events", bodySha256: "same" },
      now: new Date(),
      times: defaultIdempotencyTimes,
    };
    const failures: string[] = [];
    const log = { warn: () => undefined, failed: (message: string) => void failures.push(message) };
    // The request reserves its key, then storage hangs: it answers 503, and its release cannot be written.
    const failed = await runIdempotently(
      request,
      async () => {
        stop();
        // The handler's own write gets no answer (so the release after it is refused at once, never sent).
        await expect(table.createEntity({ partitionKey: "outage", rowKey: String(n++) })).rejects.toMatchObject({ code: "storage_unavailable" });
        return { answer: { status: 503, headers: { "content-type": "application/problem+json" }, body: "{}" } };
      },
      log,
    );
    expect(failed.answer.status).toBe(503);
    expect(failures).toHaveLength(1);
    resume();
    // A correct retry (same key, same body) runs again within seconds of storage coming back.
    const started = Date.now();
    let ran = false;
    await until(
      async () => {
        try {
          return await runIdempotently({ ...request, now: new Date() }, async () => ((ran = true), { answer: { status: 202, headers: {}, body: "{}" } }), log);
        } catch (error) {
          return error;
        }
      },
      () => ran,
      20_000,
    );
    expect(ran).toBe(true);
    expect(Date.now() - started).toBeLessThan(6000); // before: the 60 s lock; now the release is written again once storage answers
  }, 60_000);

  it("lets the KPI projection run again within seconds after a run lost its storage holding the lease", async () => {
    const services = stack.services;
    const { lease } = await takeProjectionLease(services);
    expect(lease).toBeDefined();
    stop();
    // The run's next call gets no answer; then its release fails at once (storage known down) and is never sent.
    await expect(services.tables.kpiDirty.getEntity("lease", "none")).rejects.toMatchObject({ code: "storage_unavailable" });
    await lease!.release();
    resume();
    const started = Date.now();
    // Once storage answers (the guard probes it again within seconds), a run is blocked by the dead holder…
    const attempt = () => runKpiProjection(services).catch((error: unknown) => ({ busy: undefined, error }));
    const blocked = await until(attempt, (r) => r.busy !== undefined, 10_000);
    expect(blocked).toMatchObject({ busy: true, heldUntil: expect.any(String) });
    // …for a short lease, not 2 minutes.
    const run = await until(attempt, (r) => r.busy === false, 30_000);
    expect(run.busy).toBe(false);
    expect(Date.now() - started).toBeLessThan(20_000); // was 120 s
    const row = await services.tables.kpiDirty.getEntity(projectionLeaseKey.partitionKey, projectionLeaseKey.rowKey);
    expect(row["lastRunAt"]).toEqual(expect.any(String));
  }, 60_000);

  it("projects an event whose request died between storing it and marking it, once the hold has passed", async () => {
    const services = stack.services;
    const event = ringing();
    const marker = conversationMark(seed.tenantId, seed.providerId, event.conversationId);
    const readMarker = () => services.tables.kpiDirty.getEntity(shardOf(marker), marker).then(() => true, () => false);
    // What an event's request does before its event row (ingestEvent.ts), then the row; then it dies.
    await holdConversations(services.tables, seed.tenantId, seed.providerId, [event.conversationId], services.now());
    await services.tables.conversations.createEntity(eventRow(seed.tenantId, seed.providerId, event as never, services.now()));
    // While held, the projection leaves it (the request might still be storing its events)…
    await drainKpiProjection(services);
    expect(await readMarker()).toBe(true);
    // …and once the hold has passed, folds the conversation with the event and settles the marker.
    const later = { ...services, now: () => new Date(Date.now() + kpiHoldMs + 1000) };
    const run = await drainKpiProjection(later);
    expect(run.conversations).toBeGreaterThanOrEqual(1);
    expect(await readMarker()).toBe(false);
  }, 60_000);

  it("an event sent normally releases its own hold: projected at once", async () => {
    const res = await call(`${stack.apiUrl}/v1/conversations/events`, { key: seed.apiKey, json: ringing() });
    expect(res.status).toBe(202);
    const marker = conversationMark(seed.tenantId, seed.providerId, res.body.conversationId);
    const row = await stack.services.tables.kpiDirty.getEntity(shardOf(marker), marker);
    expect(row["heldUntil"]).toBe("");
    expect(row["heldBy"]).toBe("");
    const run = await drainKpiProjection(stack.services);
    expect(run.conversations).toBeGreaterThanOrEqual(1);
  }, 30_000);
});

describe("an Idempotency-Key's short lock", () => {
  it("is renewed while its request runs: a retry during a long request still gets in_use", async () => {
    const request = {
      table: stack.services.tables.idempotency,
      scope: { tenantId: seed.tenantId, kind: "provider" as const, id: seed.providerId },
      key: `long-${Date.now()}`,
      fingerprint: { method: "POST", target: "/api/v1/conversations/events", bodySha256: "long" },
      now: new Date(),
      times: { ttlSeconds: 60, lockSeconds: 1 },
    };
    const log = { warn: () => undefined, failed: () => undefined };
    let ranAgain = false;
    const first = runIdempotently(request, () => new Promise((resolve) => setTimeout(() => resolve({ answer: { status: 202, headers: {}, body: "{}" } }), 3000)), log);
    await new Promise((resolve) => setTimeout(resolve, 2000)); // twice the lock: without renewal it has lapsed
    const retry = runIdempotently({ ...request, now: new Date() }, async () => ((ranAgain = true), { answer: { status: 202, headers: {}, body: "{}" } }), log);
    await expect(retry).rejects.toMatchObject({ code: "idempotency_key_in_use" });
    expect((await first).answer.status).toBe(202);
    expect(ranAgain).toBe(false);
  }, 20_000);
});

describe("with Web PubSub down", () => {
  it("/api/health answers 503 push_unavailable, and ready again once it is back", async () => {
    const health = () => call(`${stack.url}/api/health`);
    await new Promise((resolve) => setTimeout(resolve, 2100)); // a fresh check, not the shared one
    expect((await health()).status).toBe(200);
    const { port } = new URL(webPubSub.endpoint);
    const { accessKey } = webPubSub;
    await webPubSub.close();
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.headers.get("content-type")).toBe("application/problem+json");
    expect(down.body).toMatchObject({ code: "push_unavailable" });
    expect(Number(down.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    webPubSub = await startLocalWebPubSub({ port: Number(port), accessKey });
    expect((await until(health, (r) => r.status === 200, 40_000)).status).toBe(200);
  }, 60_000);
});
