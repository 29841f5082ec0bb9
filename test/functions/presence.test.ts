import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { demo, type DemoSeed } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putAgent, putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { linkPrincipal } from "../../shared/auth/agentPrincipal.js";
import { demoIdentityProvider } from "../../local/easyAuthEmulator.js";
import { getPresence, isNewer, setPresence } from "../../shared/presence/presenceStore.js";
import { createAgentClient, memoryStorage, type AgentClient } from "../../client/agent/index.js";
import type { Presence } from "../../shared/schemas/presence.js";

let stack: Stack;
let seed: DemoSeed;
let cookie: string;
let otherKey: string;
let otherCookie: string;

const presenceUrl = (agentId: string) => `${stack.apiUrl}/v1/agents/${encodeURIComponent(agentId)}/presence`;
const put = (agentId: string, json: unknown, key = seed.apiKey) => call<Presence>(presenceUrl(agentId), { method: "PUT", key, json });
const get = (agentId: string, key = seed.apiKey) => call<Presence>(presenceUrl(agentId), { key });
const agentUrl = () => `${stack.apiUrl}/v1/agent/presence`;
const putOwn = (json: unknown, session = cookie) => call<Presence>(agentUrl(), { method: "PUT", json, headers: { cookie: session } });
const getOwn = (session = cookie) => call<Presence>(agentUrl(), { headers: { cookie: session } });

async function rows(): Promise<Array<Record<string, unknown>>> {
  const all: Array<Record<string, unknown>> = [];
  for await (const row of stack.services.tables.presence.listEntities<Record<string, unknown>>()) {
    const { etag: _etag, timestamp: _timestamp, ...rest } = row as Record<string, unknown>;
    all.push(rest);
  }
  return all;
}

/** A distinct agent per test, so tests do not see each other's presence. */
let agents = 0;
async function newAgent(): Promise<string> {
  const agentId = `pres-${++agents}`;
  await putAgent(stack.services, { tenantId: demo.tenantId, agentId, displayName: `Agent ${agents}` });
  return agentId;
}

const at = (iso: string) => new Date(iso).toISOString();

beforeAll(async () => {
  ({ stack, seed } = await startTestStack());
  cookie = await signInCookie(stack.url);
  const s = stack.services;
  await putTenant(s, { tenantId: "fabrikam", name: "Fabrikam" });
  await putProvider(s, { tenantId: "fabrikam", providerId: demo.providerId, label: "Same id" });
  await putAgent(s, { tenantId: "fabrikam", agentId: demo.agentId, displayName: "Same id, other tenant" });
  await putAgent(s, { tenantId: "fabrikam", agentId: "fab-only", displayName: "Only in Fabrikam" });
  otherKey = (await issuePartnerKey(s.tables, "fabrikam", demo.providerId, s.now())).apiKey;
  await linkPrincipal(s, { identityProvider: demoIdentityProvider, principalId: "fred" }, { tenantId: "fabrikam", agentId: "fab-only" });
  otherCookie = await signInCookie(stack.url, "fred");
});
afterAll(() => stack?.close());

describe("partner presence API", () => {
  it("reads offline, with no time and no source, for an agent whose presence was never set", async () => {
    const agentId = await newAgent();
    const res = await get(agentId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ agentId, status: "offline" });
  });

  it("sets a status with a reason and reads it back with the partner as its source", async () => {
    const agentId = await newAgent();
    const changedAt = new Date(Date.now() - 1000).toISOString();
    const res = await put(agentId, { status: "away", reason: "Lunch", changedAt });
    expect(res.status).toBe(200);
    const expected = { agentId, status: "away", reason: "Lunch", changedAt, source: { kind: "partner", providerId: demo.providerId } };
    expect(res.body).toEqual(expected);
    expect((await get(agentId)).body).toEqual(expected);
  });

  it("stamps an update without changedAt with the time it arrives, in UTC", async () => {
    const agentId = await newAgent();
    const before = Date.now();
    const res = await put(agentId, { status: "busy" });
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.changedAt!)).toBeGreaterThanOrEqual(before - 5);
    expect(res.body.changedAt).toMatch(/Z$/);
    expect(res.body.reason).toBeUndefined();
  });

  it("normalizes an offset time to UTC", async () => {
    const agentId = await newAgent();
    const res = await put(agentId, { status: "busy", changedAt: "2026-01-02T10:00:00.5+02:00" });
    expect(res.body.changedAt).toBe("2026-01-02T08:00:00.500Z");
  });

  it("ignores an update older than the stored one and answers the stored state", async () => {
    const agentId = await newAgent();
    await put(agentId, { status: "away", reason: "Lunch", changedAt: "2026-03-01T12:00:10Z" });
    const late = await put(agentId, { status: "available", changedAt: "2026-03-01T12:00:05Z" });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ status: "away", reason: "Lunch", changedAt: at("2026-03-01T12:00:10Z") });
    expect((await get(agentId)).body).toMatchObject({ status: "away", reason: "Lunch" });
    // A newer one wins, and drops the reason it does not repeat.
    const newer = await put(agentId, { status: "available", changedAt: "2026-03-01T12:00:20Z" });
    expect(newer.body).toEqual({ agentId, status: "available", changedAt: at("2026-03-01T12:00:20Z"), source: { kind: "partner", providerId: demo.providerId } });
  });

  it("writes a resend of the stored update once", async () => {
    const agentId = await newAgent();
    const body = { status: "busy", reason: "On a call", changedAt: "2026-03-01T12:00:00Z" };
    const first = await put(agentId, body);
    const stored = await stack.services.tables.presence.getEntity(`${demo.tenantId}|${agentId}`, "");
    const again = await put(agentId, body);
    expect(again.body).toEqual(first.body);
    const after = await stack.services.tables.presence.getEntity(`${demo.tenantId}|${agentId}`, "");
    expect(after.etag).toBe(stored.etag);
  });

  describe("bad input gets problem+json and stores nothing", () => {
    const cases: Array<[string, unknown, string?]> = [
      ["an unknown status", { status: "gone" }, "#/status"],
      ["no status", { reason: "Lunch" }, "#/status"],
      ["a reason over 64 characters", { status: "away", reason: "x".repeat(65) }, "#/reason"],
      ["an empty reason", { status: "away", reason: "  " }, "#/reason"],
      ["a reason with a control character", { status: "away", reason: "Lunch\u0007" }, "#/reason"],
      ["a time that is not RFC 3339", { status: "away", changedAt: "yesterday" }, "#/changedAt"],
      ["a time without a zone", { status: "away", changedAt: "2026-03-01T12:00:00" }, "#/changedAt"],
      ["a time in the future", { status: "away", changedAt: new Date(Date.now() + 3_600_000).toISOString() }, "#/changedAt"],
      ["a reason that is not a string", { status: "away", reason: 42 }, "#/reason"],
    ];
    it.each(cases)("%s", async (_name, body, pointer) => {
      const agentId = await newAgent();
      const before = await rows();
      const res = await put(agentId, body);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.body).toMatchObject({ code: "invalid_request" });
      if (pointer) expect((res.body as unknown as { errors: unknown[] }).errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
      expect(await rows()).toEqual(before);
    });

    it("a body that is not JSON", async () => {
      const agentId = await newAgent();
      const before = await rows();
      const res = await call(presenceUrl(agentId), { method: "PUT", key: seed.apiKey, body: "{", headers: { "content-type": "application/json" } });
      expect(res.status).toBe(400);
      expect(await rows()).toEqual(before);
    });

    it("an agent id that cannot be one", async () => {
      const res = await put("bad|id", { status: "away" });
      expect(res.status).toBe(400);
      expect((res.body as unknown as { errors: unknown[] }).errors).toEqual([expect.objectContaining({ parameter: "agentId" })]);
    });
  });

  it("answers 404 for an agent not in the caller's tenant, and stores nothing", async () => {
    const before = await rows();
    for (const res of [await put("fab-only", { status: "away" }), await get("fab-only"), await put("nobody", { status: "away" }), await get("nobody")]) {
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(await rows()).toEqual(before);
  });

  it("keeps tenants apart when agent ids are the same", async () => {
    await put(demo.agentId, { status: "busy", reason: "Contoso call" }, seed.apiKey);
    const theirs = await get(demo.agentId, otherKey);
    expect(theirs.status).toBe(200);
    expect(theirs.body).toEqual({ agentId: demo.agentId, status: "offline" });
    await put(demo.agentId, { status: "away", reason: "Fabrikam lunch" }, otherKey);
    expect((await get(demo.agentId)).body).toMatchObject({ status: "busy", reason: "Contoso call" });
  });

  it("needs a partner key (401)", async () => {
    const agentId = await newAgent();
    const before = await rows();
    const missing = await call(presenceUrl(agentId), { method: "PUT", json: { status: "away" } });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    expect((await call(presenceUrl(agentId))).status).toBe(401);
    expect((await put(agentId, { status: "away" }, "wcti_0000000000000000_" + "a".repeat(43))).status).toBe(401);
    expect(await rows()).toEqual(before);
  });
});

describe("agent presence API", () => {
  it("reads and sets the signed-in agent's own presence, with the agent as its source", async () => {
    expect((await getOwn(otherCookie)).body).toEqual({ agentId: "fab-only", status: "offline" });
    const res = await putOwn({ status: "away", reason: "Training" }, otherCookie);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ agentId: "fab-only", status: "away", reason: "Training", source: { kind: "agent" } });
    expect((await getOwn(otherCookie)).body).toEqual(res.body);
    // The partner of that tenant reads what the agent set.
    expect((await get("fab-only", otherKey)).body).toEqual(res.body);
  });

  it("takes the time from the service's clock, not from the browser", async () => {
    const before = Date.now();
    const res = await putOwn({ status: "available", changedAt: "2020-01-01T00:00:00Z" });
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.changedAt!)).toBeGreaterThanOrEqual(before - 5);
  });

  it("refuses bad input and stores nothing", async () => {
    const before = await rows();
    for (const body of [{ status: "lunch" }, { status: "away", reason: "x".repeat(65) }, {}]) {
      const res = await putOwn(body);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(await rows()).toEqual(before);
  });

  it("needs a signed-in agent (401)", async () => {
    expect((await call(agentUrl())).status).toBe(401);
    expect((await call(agentUrl(), { method: "PUT", json: { status: "available" } })).status).toBe(401);
  });

  it("pushes each change to the agent's browser client", async () => {
    const received: Presence[] = [];
    const client: AgentClient = createAgentClient({
      adapter: { openRecord() {}, openSearch() {}, openNewRecord() {} },
      apiBase: stack.apiUrl,
      headers: { cookie },
      storage: memoryStorage(),
    });
    client.on("message", (message) => {
      if (message.kind === "presence") received.push(message.presence);
    });
    try {
      await client.start();
      const set = await put(demo.agentId, { status: "away", reason: "Lunch" });
      await expect.poll(() => received.at(-1)).toEqual(set.body);
      const own = await putOwn({ status: "available" });
      await expect.poll(() => received.at(-1)).toEqual(own.body);
      // A stale update changes nothing, and pushes nothing new.
      const count = received.length;
      await put(demo.agentId, { status: "busy", changedAt: "2020-01-01T00:00:00Z" });
      const marker = await put(demo.agentId, { status: "busy", reason: "after the stale one" });
      await expect.poll(() => received.at(-1)).toEqual(marker.body);
      expect(received.length).toBe(count + 1);
    } finally {
      client.stop();
    }
  });
});

describe("concurrent writers", () => {
  it("converge on the newest changedAt whatever order the writes land in", async () => {
    const agentId = await newAgent();
    const base = Date.parse("2026-05-01T09:00:00Z");
    const updates = Array.from({ length: 12 }, (_, i) => ({
      status: (["available", "busy", "away"] as const)[i % 3],
      reason: `r${i}`,
      changedAt: new Date(base + i * 1000).toISOString(),
    }));
    const shuffled = [...updates].sort(() => Math.random() - 0.5);
    const results = await Promise.all(shuffled.map((u) => put(agentId, u)));
    for (const r of results) expect(r.status).toBe(200);
    const newest = updates.at(-1)!;
    expect((await get(agentId)).body).toMatchObject({ status: newest.status, reason: newest.reason, changedAt: newest.changedAt });
  });

  it("pick the same winner for updates in the same millisecond, in either order", async () => {
    const changedAt = "2026-05-01T09:00:00.000Z";
    const a = { status: "away" as const, reason: "Lunch", changedAt, source: { kind: "partner" as const, providerId: "p1" } };
    const b = { status: "busy" as const, changedAt, source: { kind: "agent" as const } };
    const winners: Presence[] = [];
    for (const order of [[a, b], [b, a]]) {
      const agentId = await newAgent();
      await Promise.all(order.map((u) => setPresence(stack.services.tables, demo.tenantId, agentId, u)));
      winners.push(await getPresence(stack.services.tables, demo.tenantId, agentId));
      const agentId2 = await newAgent();
      for (const u of order) await setPresence(stack.services.tables, demo.tenantId, agentId2, u);
      winners.push(await getPresence(stack.services.tables, demo.tenantId, agentId2));
    }
    const states = winners.map(({ agentId: _, ...rest }) => rest);
    expect(new Set(states.map((s) => JSON.stringify(s))).size).toBe(1);
  });

  it("report changed only when the status or reason changes, and applied when the update is stored", async () => {
    const agentId = await newAgent();
    const tables = stack.services.tables;
    const src = { kind: "agent" as const };
    expect(await setPresence(tables, demo.tenantId, agentId, { status: "offline", changedAt: "2026-01-01T00:00:00Z", source: src })).toMatchObject({ changed: false, applied: true });
    expect(await setPresence(tables, demo.tenantId, agentId, { status: "away", changedAt: "2026-01-01T00:00:01Z", source: src })).toMatchObject({ changed: true, applied: true });
    expect(await setPresence(tables, demo.tenantId, agentId, { status: "away", changedAt: "2026-01-01T00:00:02Z", source: src })).toMatchObject({ changed: false, applied: true });
    expect(await setPresence(tables, demo.tenantId, agentId, { status: "away", changedAt: "2026-01-01T00:00:02Z", source: src })).toMatchObject({ changed: false, applied: true });
    expect(await setPresence(tables, demo.tenantId, agentId, { status: "busy", changedAt: "2026-01-01T00:00:00Z", source: src })).toMatchObject({ changed: false, applied: false, presence: { status: "away" } });
  });

  it("order states by time, then by a fixed order, never both ways", () => {
    const p = (status: Presence["status"], changedAt?: string): Presence => ({ agentId: "a", status, ...(changedAt ? { changedAt, source: { kind: "agent" } } : {}) });
    expect(isNewer(p("away", "2026-01-01T00:00:01Z"), p("busy", "2026-01-01T00:00:00Z"))).toBe(true);
    expect(isNewer(p("offline", "2000-01-01T00:00:00Z"), p("offline"))).toBe(true);
    const [x, y] = [p("away", "2026-01-01T00:00:00Z"), p("busy", "2026-01-01T00:00:00Z")];
    expect(isNewer(x, y)).not.toBe(isNewer(y, x));
    expect(isNewer(x, x)).toBe(false);
  });
});
