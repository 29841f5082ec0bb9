import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import { demo } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putAgent, putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import type { AgentList } from "../../shared/schemas/agent.js";

/**
 * Issue 18, item 1 (first part): a partner learns the tenant's agent ids — the ids its events, presence
 * updates and pops must name — with their names and presence, a page at a time; another tenant's never.
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
