import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAgentClient, memoryStorage, type AgentAdapter, type AgentClient } from "../../../client/agent/index.js";
import type { ScreenPop } from "../../../shared/schemas/screenPop.js";
import { call, startTestStack } from "../../support/stack.js";
import { signInCookie } from "../../support/agentSession.js";
import { waitFor } from "../../local/webpubsub/support.js";
import { demo, type DemoSeed } from "../../../local/seedDemo.js";
import { agentUserId } from "../../../shared/realtime/agentPush.js";
import { AgentApi } from "../../../client/agent/agentApi.js";
import { createPopPipeline } from "../../../client/agent/popPipeline.js";
import { PopLedger } from "../../../client/agent/popLedger.js";
import { createEmitter } from "../../../client/emitter.js";
import type { AgentClientEvents } from "../../../client/agent/agentClient.js";
import type { Stack } from "../../../local/stack.js";

let stack: Stack;
let seed: DemoSeed;
let cookie: string;
let n = 0;
const clients: AgentClient[] = [];

beforeAll(async () => {
  ({ stack, seed } = await startTestStack());
  cookie = await signInCookie(stack.url);
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.stop();
  // Each test starts with no pending pops, so a new client's catch-up brings only that test's pops.
  const pending = await call(`${stack.apiUrl}/v1/agent/screen-pops`, { headers: { cookie } });
  for (const pop of pending.body.pops as Array<{ id: string }>) {
    await call(`${stack.apiUrl}/v1/agent/screen-pops/${pop.id}/ack`, { method: "POST", headers: { cookie } });
  }
});
afterAll(() => stack?.close());

function recordingAdapter() {
  const opened: Array<{ kind: string; pop: ScreenPop }> = [];
  const adapter: AgentAdapter = {
    openRecord: (_r, pop) => void opened.push({ kind: "record", pop: pop! }),
    openSearch: (_s, pop) => void opened.push({ kind: "search", pop: pop! }),
    openNewRecord: (_f, pop) => void opened.push({ kind: "newRecord", pop: pop! }),
  };
  return { adapter, opened };
}

function client(adapter: AgentAdapter, extra: Partial<Parameters<typeof createAgentClient>[0]> = {}) {
  const c = createAgentClient({ adapter, apiBase: stack.apiUrl, headers: { cookie }, storage: memoryStorage(), ...extra });
  clients.push(c);
  return c;
}

async function ring(phone: string) {
  n += 1;
  const res = await call(`${stack.apiUrl}/v1/conversations/events`, {
    key: seed.apiKey,
    json: { type: "ringing", eventId: `cl-${n}`, conversationId: `cl-call-${n}`, occurredAt: new Date().toISOString(), agentId: demo.agentId, customer: { phone } },
  });
  expect(res.status).toBe(202);
  return res.body.screenPop as { id: string; href: string };
}

const status = async (pop: { href: string }) => (await call(`${stack.url}${pop.href}`, { key: seed.apiKey })).body.status as string;

describe("agent browser client", () => {
  it("opens each kind of pop through the adapter and acknowledges it", async () => {
    const { adapter, opened } = recordingAdapter();
    const c = client(adapter);
    await c.start();
    expect(c.state).toBe("connected");
    const pops = [await ring(demo.numbers.oneContact), await ring(demo.numbers.sharedByTwo), await ring(demo.numbers.unknown)];
    await waitFor(() => opened.length === 3, 10_000, "three pops");
    expect(opened.map((o) => o.kind)).toEqual(["record", "search", "newRecord"]);
    for (const pop of pops) await waitFor(async () => (await status(pop)) === "delivered", 5_000, "delivered");
  });

  it("opens a pop once when the live push and the catch-up both bring it", async () => {
    const { adapter, opened } = recordingAdapter();
    let releaseCatchUp!: () => void;
    const catchUpHeld = new Promise<void>((r) => (releaseCatchUp = r));
    let catchUpStarted = false;
    const heldFetch: typeof fetch = async (input, init) => {
      if (String(input).includes("/v1/agent/screen-pops?since=")) {
        catchUpStarted = true;
        await catchUpHeld; // the list is read after the pop below exists, so it includes it
      }
      return fetch(input, init);
    };
    const c = client(adapter, { fetch: heldFetch });
    await c.start();
    await waitFor(() => catchUpStarted, 5_000, "the catch-up request");
    const pop = await ring(demo.numbers.oneContact);
    releaseCatchUp();
    await waitFor(async () => (await status(pop)) === "delivered", 10_000, "delivered");
    const sentinel = await ring(demo.numbers.unknown);
    await waitFor(() => opened.some((o) => o.pop.id === sentinel.id), 10_000, "the sentinel pop");
    expect(opened.filter((o) => o.pop.id === pop.id)).toHaveLength(1);
  });

  it("does not reopen an event's pop when the partner retries the event", async () => {
    const { adapter, opened } = recordingAdapter();
    const c = client(adapter);
    await c.start();
    const event = {
      type: "ringing", eventId: "retried-1", conversationId: "retried-call", occurredAt: new Date().toISOString(),
      agentId: demo.agentId, customer: { phone: demo.numbers.oneContact },
    };
    const first = await call(`${stack.apiUrl}/v1/conversations/events`, { key: seed.apiKey, json: event });
    await waitFor(() => opened.length === 1, 10_000, "the first pop");
    await waitFor(async () => (await status(first.body.screenPop)) === "delivered", 5_000, "delivered");
    const retry = await call(`${stack.apiUrl}/v1/conversations/events`, { key: seed.apiKey, json: event });
    expect(retry.body).toEqual(first.body);
    const sentinel = await ring(demo.numbers.unknown);
    await waitFor(() => opened.some((o) => o.pop.id === sentinel.id), 10_000, "the sentinel");
    expect(opened.filter((o) => o.pop.eventId === "retried-1")).toHaveLength(1);
  });

  it("skips a pop that expired before it arrived and does not acknowledge it", async () => {
    const { adapter, opened } = recordingAdapter();
    const c = client(adapter);
    const seen: string[] = [];
    c.on("pop", (e) => seen.push(`${e.pop.id}:${e.outcome}`));
    await c.start();
    // A pop the service already considers expired, pushed as the service would push it.
    const now = Date.now();
    const stale: ScreenPop = {
      id: `00000000000000000001.${demo.agentId}`,
      seq: "00000000000000000001",
      agentId: demo.agentId,
      providerId: demo.providerId,
      conversationId: "stale",
      eventId: "stale",
      channel: "voice",
      direction: "inbound",
      trigger: "ringing",
      target: { kind: "record", record: { type: "contact", id: "c-alice", name: "Alice Johnson" } },
      status: "queued",
      createdAt: new Date(now - 600_000).toISOString(),
      expiresAt: new Date(now - 300_000).toISOString(),
    };
    await stack.services.push.sendToUser(agentUserId(demo.tenantId, demo.agentId), { v: 1, kind: "screenPop", pop: stale });
    const fresh = await ring(demo.numbers.oneContact);
    await waitFor(() => opened.some((o) => o.pop.id === fresh.id), 10_000, "the fresh pop");
    expect(opened.some((o) => o.pop.id === stale.id)).toBe(false);
    expect(seen).toContain(`${stale.id}:expired`);
  });

  it("opens a pop whose adapter call failed again on the next connection, then acknowledges it", async () => {
    const storage = memoryStorage(); // the tab's sessionStorage, kept across a reload
    const outcomes: string[] = [];
    let crmDown = true;
    const { adapter, opened } = recordingAdapter();
    const flaky: AgentAdapter = {
      ...adapter,
      openRecord: (record, pop) => {
        if (crmDown) throw new Error("the CRM's record page failed to load");
        return adapter.openRecord(record, pop);
      },
    };
    const first = client(flaky, { storage });
    first.on("pop", (e) => outcomes.push(`${e.outcome}:${e.via}`));
    await first.start();
    const pop = await ring(demo.numbers.oneContact);
    await waitFor(() => outcomes.includes("adapterFailed:push"), 10_000, "the failed adapter call");
    expect(await status(pop)).toBe("queued");
    first.stop();

    crmDown = false;
    const second = client(flaky, { storage });
    second.on("pop", (e) => outcomes.push(`${e.outcome}:${e.via}`));
    await second.start();
    await waitFor(async () => (await status(pop)) === "delivered", 10_000, "delivered after the retry");
    expect(opened.filter((o) => o.pop.id === pop.id)).toHaveLength(1);
    expect(outcomes).toEqual(["adapterFailed:push", "opened:catchUp"]);

    // Opened once: a third connection does not open it again.
    second.stop();
    const third = client(flaky, { storage });
    await third.start();
    const sentinel = await ring(demo.numbers.unknown);
    await waitFor(() => opened.some((o) => o.pop.id === sentinel.id), 10_000, "the sentinel pop");
    expect(opened.filter((o) => o.pop.id === pop.id)).toHaveLength(1);
  });

  it("catches up the pops queued while it was away even when a live pop was handled first", async () => {
    // A new connection's first frames can bring a live pop before the client's catch-up runs: the
    // pipeline is driven in that order here, with the real service.
    const { adapter, opened } = recordingAdapter();
    const api = new AgentApi({ apiBase: stack.apiUrl, headers: { cookie } });
    const events = createEmitter<AgentClientEvents>("test");
    const ledger = new PopLedger(memoryStorage(), `webcti.agent.${agentUserId(demo.tenantId, demo.agentId)}`);
    const pipeline = createPopPipeline({ api, adapter, events, ledger: () => ledger, stopped: () => false });
    const whileAway = await ring(demo.numbers.sharedByTwo);
    const live = await ring(demo.numbers.unknown);
    const livePop = (await api.pendingPops("0".repeat(20))).pops.find((pop) => pop.id === live.id)!;
    await pipeline.handle(livePop, "push");
    await pipeline.catchUp();
    await waitFor(async () => (await status(whileAway)) === "delivered", 10_000, "the pop queued while away");
    expect(opened.map((o) => o.pop.id).sort()).toEqual([whileAway.id, live.id].sort());
  });

  it("says reconnecting as soon as its socket drops, and connected once the connection is resumed", async () => {
    const { adapter, opened } = recordingAdapter();
    const c = client(adapter);
    const states: string[] = [];
    c.on("state", (state) => states.push(state));
    await c.start();
    expect(stack.webPubSub.dropConnections({ userId: agentUserId(demo.tenantId, demo.agentId) })).toBeGreaterThan(0);
    await waitFor(() => states.includes("reconnecting"), 2_000, "reconnecting right after the drop");
    await waitFor(() => c.state === "connected", 10_000, "the resumed connection");
    const after = await ring(demo.numbers.oneContact);
    await waitFor(() => opened.some((o) => o.pop.id === after.id), 10_000, "a pop after the resume");
  });

  it("ignores pushed messages that are not screen pops", async () => {
    const { adapter, opened } = recordingAdapter();
    const c = client(adapter);
    await c.start();
    const user = agentUserId(demo.tenantId, demo.agentId);
    await stack.services.push.sendToUser(user, { v: 2, kind: "somethingNew" });
    await stack.services.push.sendToUser(user, "plain text", { contentType: "text/plain" });
    const fresh = await ring(demo.numbers.sharedByTwo);
    await waitFor(() => opened.some((o) => o.pop.id === fresh.id), 10_000, "the real pop");
    expect(opened.map((o) => o.pop.id)).toEqual([fresh.id]);
  });

  it("refuses to start without a signed-in agent, with the API's error code", async () => {
    const { adapter } = recordingAdapter();
    const c = client(adapter, { headers: {} });
    await expect(c.start()).rejects.toMatchObject({ name: "AgentApiError", code: "unauthenticated", status: 401 });
    expect(c.state).toBe("stopped");
  });
});
