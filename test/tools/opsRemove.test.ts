import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import { demo } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { runOps } from "../../tools/ops.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { linkPrincipal } from "../../shared/auth/agentPrincipal.js";
import { putAgent, putProvider } from "../../shared/tenancy/tenancyStore.js";

/**
 * Issue 18, item 6: the operator removes an agent and a provider with the ops CLI (no hand edits): what
 * lets them sign in, be named or call in goes; their history stays.
 */
let stack: Stack;
let key: string;

async function ops(...argv: string[]): Promise<{ code: number; output: string }> {
  const printed: string[] = [];
  const env = { WEBCTI_TABLES_CONNECTION_STRING: inject("tablesConnectionString"), WEBCTI_TABLE_PREFIX: stack.services.config.WEBCTI_TABLE_PREFIX };
  const code = await runOps(argv, { env, print: (line) => printed.push(line) });
  return { code, output: printed.join("\n") };
}

async function rowsWhere(table: "principals" | "partnerKeys" | "webhookEndpoints" | "partnerUsers", filter: string) {
  const rows = [];
  for await (const row of stack.services.tables[table].listEntities({ queryOptions: { filter } })) rows.push(row);
  return rows;
}

beforeAll(async () => {
  ({ stack } = await startTestStack({ timers: false }));
  key = (await issuePartnerKey(stack.services.tables, demo.tenantId, demo.providerId, new Date())).apiKey;
});
afterAll(() => stack?.close());

describe("npm run ops -- agent remove", () => {
  it("takes the agent's sign-in, presence and partner id, keeps its conversations", async () => {
    const s = stack.services;
    await putAgent(s, { tenantId: demo.tenantId, agentId: "leaver", displayName: "Lee Leaver" });
    await linkPrincipal(s, { identityProvider: "aad", principalId: "oid-leaver" }, { tenantId: demo.tenantId, agentId: "leaver" });
    expect((await call(`${stack.apiUrl}/v1/agents/leaver/presence`, { method: "PUT", key, json: { status: "busy" } })).status).toBe(200);
    expect((await call(`${stack.apiUrl}/v1/agents/leaver/partner-user`, { method: "PUT", key, json: { partnerUserId: "u-leaver" } })).status).toBe(200);
    const ringing = { type: "ringing", eventId: "rm-1:ringing", conversationId: "rm-1", occurredAt: new Date().toISOString(), agentId: "leaver" };
    expect((await call(`${stack.apiUrl}/v1/conversations/events`, { key, json: ringing })).status).toBe(202);

    const removed = await ops("agent", "remove", "--tenant", demo.tenantId, "--agent", "leaver");
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.output)).toEqual({ tenantId: demo.tenantId, agentId: "leaver", signInLinks: 1, agentTokens: 0, partnerUserIds: 1, removed: true });
    expect(await rowsWhere("principals", `agentId eq 'leaver'`)).toEqual([]);
    expect(await rowsWhere("partnerUsers", `RowKey eq 'u|u-leaver' or RowKey eq 'a|leaver'`)).toEqual([]);
    expect((await call<{ agents: Array<{ agentId: string }> }>(`${stack.apiUrl}/v1/agents`, { key })).body.agents.map((a) => a.agentId)).not.toContain("leaver");
    // History stays: the conversation the agent took is still there.
    expect((await call(`${stack.apiUrl}/v1/conversations/rm-1`, { key })).status).toBe(200);
  });

  it("refuses an agent that does not exist, naming it, and changes nothing", async () => {
    const res = await ops("agent", "remove", "--tenant", demo.tenantId, "--agent", "nobody");
    expect(res.code).toBe(2);
    expect(res.output).toContain("agent 'nobody'");
  });
});

describe("npm run ops -- provider remove", () => {
  it("revokes the provider's keys and deletes its webhook endpoint and partner ids, then the provider", async () => {
    const s = stack.services;
    await putProvider(s, { tenantId: demo.tenantId, providerId: "old-phone", label: "Old phone" });
    const old = (await issuePartnerKey(s.tables, demo.tenantId, "old-phone", new Date())).apiKey;
    const endpoint = await call(`${stack.apiUrl}/v1/webhooks/endpoint`, { method: "PUT", key: old, json: { url: "https://hooks.partner.example/webcti", eventTypes: ["presence.changed"] } });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(200);
    expect((await call(`${stack.apiUrl}/v1/agents/${demo.agentId}/partner-user`, { method: "PUT", key: old, json: { partnerUserId: "old-1" } })).status).toBe(200);

    const removed = await ops("provider", "remove", "--tenant", demo.tenantId, "--provider", "old-phone");
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.output)).toEqual({ tenantId: demo.tenantId, providerId: "old-phone", keysRevoked: 1, webhookEndpoint: true, partnerUserIds: 1, removed: true });
    expect((await rowsWhere("partnerKeys", `providerId eq 'old-phone'`)).every((row) => row.revoked === true)).toBe(true);
    expect(await rowsWhere("webhookEndpoints", `PartitionKey eq '${demo.tenantId}|old-phone'`)).toEqual([]);
    expect(await rowsWhere("partnerUsers", `PartitionKey eq '${demo.tenantId}|old-phone'`)).toEqual([]);
    expect((await ops("key", "issue", "--tenant", demo.tenantId, "--provider", "old-phone")).output).toContain("no provider 'old-phone'");
  });
});
