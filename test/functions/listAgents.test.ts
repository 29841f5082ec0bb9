import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import { demo } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putAgent, putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import type { AgentList } from "../../shared/schemas/agent.js";

/**
 * Issue 18, item 1: a partner learns the tenant's agent ids — the ids its events, presence updates and pops
 * must name — with their names and presence, a page at a time (another tenant's never), and links its own
 * user ids to them, so its events may name an agent by either.
 */
let stack: Stack;
let key: string;
let otherKey: string;

const list = (query = "", k = key) => call<AgentList>(`${stack.apiUrl}/v1/agents${query}`, { key: k });

beforeAll(async () => {
  ({ stack } = await startTestStack({ timers: false }));
  const s = stack.services;
  key = (await issuePartnerKey(s.tables, demo.tenantId, demo.providerId, new Date())).apiKey;
  for (const [agentId, displayName] of [["agent-b", "Bea Brown"], ["agent-c", "Carl Cole"], ["agent-d", "Dee Dunn"]]) {
    await putAgent(s, { tenantId: demo.tenantId, agentId: agentId!, displayName: displayName! });
  }
  await putTenant(s, { tenantId: "fabrikam", name: "Fabrikam" });
  await putProvider(s, { tenantId: "fabrikam", providerId: demo.providerId, label: "Same id" });
  await putAgent(s, { tenantId: "fabrikam", agentId: "agent-b", displayName: "Fabrikam's Bea" });
  otherKey = (await issuePartnerKey(s.tables, "fabrikam", demo.providerId, new Date())).apiKey;
});
afterAll(() => stack?.close());

describe("GET /api/v1/agents", () => {
  it("lists the tenant's agents by id with their names and presence now", async () => {
    const set = await call(`${stack.apiUrl}/v1/agents/agent-c/presence`, { method: "PUT", key, json: { status: "busy", reason: "On a call" } });
    expect(set.status).toBe(200);
    const res = await list();
    expect(res.status).toBe(200);
    const ids = res.body.agents.map((a) => a.agentId);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(expect.arrayContaining([demo.agentId, "agent-b", "agent-c", "agent-d"]));
    expect(res.body.agents.find((a) => a.agentId === "agent-c")).toEqual({
      agentId: "agent-c",
      displayName: "Carl Cole",
      supervisor: false,
      presence: expect.objectContaining({ agentId: "agent-c", status: "busy", reason: "On a call", changedAt: expect.any(String) }),
    });
    expect(res.body.agents.find((a) => a.agentId === "agent-d")?.presence).toEqual({ agentId: "agent-d", status: "offline" });
    expect(res.body.agents.find((a) => a.agentId === demo.agentId)).toMatchObject({ displayName: demo.agentName, supervisor: true });
    expect(res.body.nextCursor).toBeNull();
  });

  it("pages with cursors: every agent once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Awaited<ReturnType<typeof list>> = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.body.agents.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.agents.map((a) => a.agentId));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual((await list()).body.agents.map((a) => a.agentId));
  });

  it("shows another tenant only its own agents, and refuses its cursor for ours", async () => {
    const theirs = await list("", otherKey);
    expect(theirs.body.agents).toEqual([expect.objectContaining({ agentId: "agent-b", displayName: "Fabrikam's Bea" })]);
    const ours = await list("?limit=1");
    const crossed = await list(`?cursor=${ours.body.nextCursor}`, otherKey);
    expect(crossed.status).toBe(400);
    expect(crossed.body).toMatchObject({ code: "invalid_request", errors: [{ parameter: "cursor" }] });
  });
});

describe("the provider's own ids of agents", () => {
  const link = (agentId: string, partnerUserId: unknown, k = key) =>
    call(`${stack.apiUrl}/v1/agents/${agentId}/partner-user`, { method: "PUT", key: k, json: { partnerUserId } });
  const read = (agentId: string, k = key) => call(`${stack.apiUrl}/v1/agents/${agentId}/partner-user`, { key: k });
  const event = (fields: Record<string, unknown>) => call(`${stack.apiUrl}/v1/conversations/events`, { key, json: { occurredAt: new Date().toISOString(), ...fields } });

  it("links, reads back, replaces and lists the provider's id of an agent", async () => {
    expect((await link("agent-b", "u-1001")).body).toEqual({ agentId: "agent-b", partnerUserId: "u-1001" });
    expect((await link("agent-b", "u-1001")).status).toBe(200); // a repeat changes nothing
    expect((await read("agent-b")).body).toEqual({ agentId: "agent-b", partnerUserId: "u-1001" });
    expect((await link("agent-b", "u-2002")).body).toEqual({ agentId: "agent-b", partnerUserId: "u-2002" });
    // The earlier id names no one now: another agent may take it.
    expect((await link("agent-c", "u-1001")).status).toBe(200);
    const agents = (await list()).body.agents;
    expect(agents.find((a) => a.agentId === "agent-b")?.partnerUserId).toBe("u-2002");
    expect(agents.find((a) => a.agentId === "agent-d")).not.toHaveProperty("partnerUserId");
    // Per provider and tenant: the other tenant's key sees nothing of it.
    expect((await read("agent-b", otherKey)).status).toBe(404);
  });

  it("refuses an id that names another agent, a malformed id and an unknown agent, changing nothing", async () => {
    const taken = await link("agent-d", "u-2002");
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: "conflict", errors: [{ pointer: "#/partnerUserId" }] });
    expect((await link("agent-d", "has space")).body).toMatchObject({ code: "invalid_request", errors: [{ pointer: "#/partnerUserId" }] });
    expect((await link("nobody", "u-3003")).status).toBe(404);
    expect((await read("agent-d")).status).toBe(404);
    expect((await read("agent-b")).body).toEqual({ agentId: "agent-b", partnerUserId: "u-2002" });
  });

  it("lets events name the agent by the provider's id: stored under the agent, the partner's id kept beside it", async () => {
    const first = { type: "ringing", eventId: "pu-1:ringing", conversationId: "pu-1", occurredAt: new Date().toISOString(), agentId: "u-2002", customer: { phone: "+1 206 555 0101" } };
    const ringing = await event(first);
    expect(ringing.status, JSON.stringify(ringing.body)).toBe(202);
    expect((await event(first)).status).toBe(202); // a retry: the same event once resolved again
    const batch = await call(`${stack.apiUrl}/v1/conversations/events/batch`, {
      key,
      json: { events: [{ type: "transferred", eventId: "pu-1:transferred", conversationId: "pu-1", occurredAt: new Date().toISOString(), agentId: "u-2002", toAgentId: "u-1001", toLegId: "pu-1b" }] },
    });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    const conversation = await call<{ legs: Array<{ agentId?: string; transfer?: { toAgentId?: string } }> }>(`${stack.apiUrl}/v1/conversations/pu-1`, { key });
    expect(conversation.body.legs[0]).toMatchObject({ agentId: "agent-b", transfer: { toAgentId: "agent-c" } });
    // An id that names no one is still a 404, pointing at the field.
    expect((await event({ type: "ringing", eventId: "pu-2:ringing", conversationId: "pu-2", agentId: "u-9999" })).status).toBe(404);
  });

  it("unlinks: the id names no one again", async () => {
    const res = await call(`${stack.apiUrl}/v1/agents/agent-c/partner-user`, { method: "DELETE", key });
    expect(res.body).toEqual({ agentId: "agent-c", partnerUserId: "u-1001", deleted: true });
    expect((await read("agent-c")).status).toBe(404);
    expect((await event({ type: "ringing", eventId: "pu-3:ringing", conversationId: "pu-3", agentId: "u-1001" })).status).toBe(404);
  });
});
