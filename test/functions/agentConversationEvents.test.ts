import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { demo, type DemoSeed } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putAgent, putProvider } from "../../shared/tenancy/tenancyStore.js";
import { agentUserId } from "../../shared/realtime/agentPush.js";
import { connectClient, stopAllClients, waitFor } from "../local/webpubsub/support.js";

/**
 * POST /v1/agent/conversations/events: a widget without a server integration reports its agent's calls.
 * Stored and popped as the partner route does, and one pop per call whichever side reports it first.
 */
let stack: Stack;
let seed: DemoSeed;
let cookie: string;
let n = 0;

const widgetRoute = () => `${stack.apiUrl}/v1/agent/conversations/events`;
const partnerRoute = () => `${stack.apiUrl}/v1/conversations/events`;
const fromWidget = (json: unknown) => call(widgetRoute(), { headers: { cookie }, json });
const fromPartner = (json: unknown, key = seed.apiKey) => call(partnerRoute(), { key, json });

function newCall() {
  n += 1;
  const conversationId = `wcall-${n}`;
  const base = { conversationId, occurredAt: "2026-12-04T10:00:00Z", agentId: demo.agentId, customer: { phone: demo.numbers.oneContact } };
  return {
    conversationId,
    ringing: (eventId: string) => ({ ...base, type: "ringing", eventId }),
    answered: (eventId: string) => ({ ...base, type: "answered", eventId, occurredAt: "2026-12-04T10:00:05Z" }),
  };
}

async function storedRows(conversationId: string): Promise<string[]> {
  const keys: string[] = [];
  const partition = `${demo.tenantId}|${demo.providerId}|${conversationId}`;
  for await (const row of stack.services.tables.conversations.listEntities({ queryOptions: { filter: `PartitionKey eq '${partition}'` } })) keys.push(row.rowKey!);
  return keys.sort();
}

async function popsOf(conversationId: string): Promise<string[]> {
  const res = await call(`${stack.apiUrl}/v1/agent/screen-pops`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return (res.body.pops as Array<{ id: string; conversationId: string }>).filter((p) => p.conversationId === conversationId).map((p) => p.id);
}

beforeAll(async () => {
  ({ stack, seed } = await startTestStack());
  cookie = await signInCookie(stack.url);
  await putAgent(stack.services, { tenantId: demo.tenantId, agentId: "colleague", displayName: "A colleague" });
});
afterAll(() => stack?.close());

describe("POST /v1/agent/conversations/events", () => {
  it("pops the widget's ringing and answers with the matches, as the partner route does; the partner's report of the same call then pops nothing", async () => {
    const c = newCall();
    const res = await fromWidget({ ...c.ringing("w-1"), providerId: demo.providerId });
    expect(res.status).toBe(202);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.body).toMatchObject({ eventId: "w-1", conversationId: c.conversationId, matches: [expect.objectContaining({ id: "c-alice" })] });
    expect(res.body.screenPop.id).toMatch(/^\d{20}\.demo-agent$/);
    const pop = await call(`${stack.url}${res.body.screenPop.href}`, { key: seed.apiKey });
    expect(pop.body).toMatchObject({ status: "queued", target: { kind: "record", record: { id: "c-alice" } } });

    const partner = await fromPartner(c.ringing("p-1"));
    expect(partner.status).toBe(202);
    expect(partner.body).toMatchObject({ screenPop: null, matches: [expect.objectContaining({ id: "c-alice" })] });
    // A retry of either gets its first answer.
    expect((await fromPartner(c.ringing("p-1"))).body).toEqual(partner.body);
    expect((await fromWidget({ ...c.ringing("w-1"), providerId: demo.providerId })).body).toEqual(res.body);
    expect(await popsOf(c.conversationId)).toEqual([res.body.screenPop.id]);

    // The widget's events are the provider's conversation: the partner reads them back (providerId not stored).
    expect((await fromWidget({ ...c.answered("w-2"), providerId: demo.providerId })).status).toBe(202);
    const conversation = await call(`${stack.apiUrl}/v1/conversations/${c.conversationId}`, { key: seed.apiKey });
    expect(conversation.status).toBe(200);
    expect(conversation.body.legs).toHaveLength(1);
    expect(conversation.body.legs[0]).toMatchObject({ agentId: demo.agentId, state: "connected" });
    const stored = await stack.services.tables.conversations.getEntity<{ body: string }>(`${demo.tenantId}|${demo.providerId}|${c.conversationId}`, "event|w-2");
    expect(JSON.parse(stored.body)).not.toHaveProperty("providerId");
  });

  it("pops nothing for the widget when the partner's server reported the call first", async () => {
    const c = newCall();
    const partner = await fromPartner(c.ringing("p-1"));
    expect(partner.body.screenPop).not.toBeNull();
    const widget = await fromWidget({ ...c.ringing("w-1"), providerId: demo.providerId });
    expect(widget.status).toBe(202);
    expect(widget.body.screenPop).toBeNull();
    expect(await popsOf(c.conversationId)).toEqual([partner.body.screenPop.id]);
  });

  it("pops once when both sides report the call at the same time", async () => {
    for (const _ of [1, 2, 3]) {
      const c = newCall();
      const answers = await Promise.all([fromPartner(c.ringing("p-1")), fromWidget({ ...c.ringing("w-1"), providerId: demo.providerId }), fromPartner(c.ringing("p-2"))]);
      for (const res of answers) expect(res.status).toBe(202);
      const popped = answers.map((res) => res.body.screenPop?.id).filter(Boolean);
      expect(popped).toHaveLength(1);
      expect(await popsOf(c.conversationId)).toEqual(popped);
    }
  });

  it("refuses another agent's call (403) and a provider without a panel (400), storing nothing", async () => {
    await putProvider(stack.services, { tenantId: demo.tenantId, providerId: "no-panel", label: "Webhooks only" });
    const c = newCall();
    const cases: Array<[unknown, number, string, string]> = [
      [{ ...c.ringing("w-1"), agentId: "colleague", providerId: demo.providerId }, 403, "forbidden", "#/agentId"],
      [{ ...c.ringing("w-2"), providerId: "no-panel" }, 400, "invalid_request", "#/providerId"],
      [{ ...c.ringing("w-3"), providerId: "nobody" }, 400, "invalid_request", "#/providerId"],
      [{ ...c.ringing("w-4") }, 400, "invalid_request", "#/providerId"],
      [{ ...c.ringing("w-5"), providerId: demo.providerId, occurredAt: "yesterday" }, 400, "invalid_request", "#/occurredAt"],
      [{ ...c.ringing("w-6"), providerId: demo.providerId, agentId: undefined }, 400, "invalid_request", "#/agentId"],
    ];
    for (const [json, status, code, pointer] of cases) {
      const res = await fromWidget(json);
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.body).toMatchObject({ status, code });
      expect(res.body.errors).toEqual([expect.objectContaining({ pointer })]);
    }
    expect(await storedRows(c.conversationId)).toEqual([]);
    const anonymous = await call(widgetRoute(), { json: { ...c.ringing("w-7"), providerId: demo.providerId } });
    expect(anonymous.status).toBe(401);
    expect(await storedRows(c.conversationId)).toEqual([]);
  });

  it("accepts events that name no agent, and a retry stores nothing twice; other content under a used id is 409", async () => {
    const c = newCall();
    const queued = { type: "queued", eventId: "w-q", conversationId: c.conversationId, occurredAt: "2026-12-04T09:59:50Z", queue: "support", providerId: demo.providerId };
    const first = await fromWidget(queued);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ eventId: "w-q", conversationId: c.conversationId, screenPop: null });
    expect((await fromWidget(queued)).body).toEqual(first.body);
    const changed = await fromWidget({ ...queued, queue: "sales" });
    expect(changed.status).toBe(409);
    expect(await storedRows(c.conversationId)).toEqual(["event|w-q"]);
  });
});

describe("conversation events pushed to the agent's browser for the provider's widget", () => {
  it("sends the provider's events that name the agent when its panel asks, from the partner (one or in a batch) and the widget", async () => {
    const providerId = "pushing-phone";
    const panel = { widgetUrl: "https://widgets.partner.example/phone", trustedOrigins: ["https://widgets.partner.example"], conversationEvents: true };
    await putProvider(stack.services, { tenantId: demo.tenantId, providerId, label: "Pushing phone", panel });
    const { apiKey } = await issuePartnerKey(stack.services.tables, demo.tenantId, providerId, new Date());
    const agent = await connectClient(stack.services.push, { userId: agentUserId(demo.tenantId, demo.agentId) });
    try {
      const c = newCall();
      const pushed = () =>
        agent.server
          .map((m) => m.data as { kind?: string; providerId?: string; source?: string; event?: { eventId: string; conversationId: string } })
          .filter((d) => d.kind === "conversationEvent" && d.event?.conversationId === c.conversationId);
      expect((await fromPartner(c.ringing("p-ring"), apiKey)).status).toBe(202);
      const ended = { type: "ended", eventId: "p-end", conversationId: c.conversationId, occurredAt: "2026-12-04T10:01:00Z", agentId: demo.agentId };
      expect((await call(`${stack.apiUrl}/v1/conversations/events/batch`, { key: apiKey, json: { events: [ended] } })).status).toBe(200);
      expect((await fromWidget({ ...c.answered("w-ans"), providerId })).status).toBe(202);
      // An event that names no agent goes to nobody.
      const queued = { type: "queued", eventId: "p-queue", conversationId: c.conversationId, occurredAt: "2026-12-04T09:59:00Z" };
      expect((await fromPartner(queued, apiKey)).status).toBe(202);

      await waitFor(() => pushed().length >= 3, 5_000, "three conversationEvent pushes");
      const byId = Object.fromEntries(pushed().map((d) => [d.event!.eventId, d]));
      expect(byId["p-ring"]).toMatchObject({ v: 1, kind: "conversationEvent", providerId, source: "partner", event: { type: "ringing", agentId: demo.agentId, channel: "voice" } });
      expect(byId["p-end"]).toMatchObject({ providerId, source: "partner", event: { type: "ended" } });
      expect(byId["w-ans"]).toMatchObject({ providerId, source: "agent", event: { type: "answered" } });
      expect(byId["w-ans"]!.event).not.toHaveProperty("providerId");
      expect(byId["p-queue"]).toBeUndefined();
    } finally {
      await stopAllClients();
    }
  });

  it("sends nothing for a provider whose panel does not ask", async () => {
    const agent = await connectClient(stack.services.push, { userId: agentUserId(demo.tenantId, demo.agentId) });
    try {
      const c = newCall();
      const res = await fromPartner(c.ringing("p-1"));
      await waitFor(() => agent.server.some((m) => (m.data as { kind?: string; pop?: { id: string } }).pop?.id === res.body.screenPop.id), 5_000, "the pop");
      await fromPartner(c.answered("p-2"));
      expect(agent.server.filter((m) => (m.data as { kind?: string }).kind === "conversationEvent")).toEqual([]);
    } finally {
      await stopAllClients();
    }
  });
});
