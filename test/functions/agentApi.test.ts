import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeJwt } from "jose";
import { WebPubSubClient, WebPubSubJsonReliableProtocol, type ServerDataMessage } from "@azure/web-pubsub-client";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { waitFor } from "../local/webpubsub/support.js";
import { demo, type DemoSeed } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { linkPrincipal } from "../../shared/auth/agentPrincipal.js";
import { putAgent, putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { insertPop, popIdFor } from "../../shared/screenPop/popStore.js";
import { demoIdentityProvider } from "../../local/easyAuthEmulator.js";

let stack: Stack;
let seed: DemoSeed;
let cookie: string;
let otherCookie: string;
let n = 0;
const sockets: WebPubSubClient[] = [];

const agentCall = (path: string, init: Parameters<typeof call>[1] = {}, session = cookie) =>
  call(`${stack.apiUrl}${path}`, { ...init, headers: { cookie: session, ...init.headers } });

async function ring(phone: string = demo.numbers.oneContact) {
  n += 1;
  const res = await call(`${stack.apiUrl}/v1/conversations/events`, {
    key: seed.apiKey,
    json: { type: "ringing", eventId: `ag-${n}`, conversationId: `ag-call-${n}`, occurredAt: new Date().toISOString(), agentId: demo.agentId, customer: { phone } },
  });
  return res.body.screenPop as { id: string; href: string };
}

beforeAll(async () => {
  ({ stack, seed } = await startTestStack());
  cookie = await signInCookie(stack.url);
  // A second tenant with its own agent, signed in as another user.
  const s = stack.services;
  await putTenant(s, { tenantId: "fabrikam", name: "Fabrikam" });
  await putProvider(s, { tenantId: "fabrikam", providerId: "other", label: "Other" });
  await putAgent(s, { tenantId: "fabrikam", agentId: demo.agentId, displayName: "Same id, other tenant" });
  await linkPrincipal(s, { identityProvider: demoIdentityProvider, principalId: "frank" }, { tenantId: "fabrikam", agentId: demo.agentId });
  otherCookie = await signInCookie(stack.url, "frank");
});
afterAll(async () => {
  for (const s of sockets) s.stop();
  await stack?.close();
});

describe("agent identity", () => {
  it("describes the signed-in agent", async () => {
    const me = await agentCall("/v1/agent/me");
    expect(me.status).toBe(200);
    // The demo agent is also the demo tenant's supervisor (the KPI dashboard).
    // Where the tenant's records live tells the browser client where record operations go (the demo: the directory).
    expect(me.body).toEqual({ tenantId: demo.tenantId, agentId: demo.agentId, displayName: demo.agentName, supervisor: true, crm: { records: "directory" } });
  });

  it("answers 401 without a session and 403 for a signed-in user who is no agent", async () => {
    const anonymous = await call(`${stack.apiUrl}/v1/agent/me`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toBe("application/problem+json");
    const stranger = await agentCall("/v1/agent/me", {}, await signInCookie(stack.url, "nobody-linked"));
    expect(stranger.status).toBe(403);
    expect(stranger.body.code).toBe("forbidden");
  });

  it("ignores an x-ms-client-principal header sent by the browser", async () => {
    const forged = Buffer.from(JSON.stringify({ auth_typ: "demo", claims: [{ typ: "sub", val: demo.signInUser }] })).toString("base64");
    const res = await call(`${stack.apiUrl}/v1/agent/me`, { headers: { "x-ms-client-principal": forged, "x-ms-client-principal-id": demo.signInUser } });
    expect(res.status).toBe(401);
  });
});

describe("negotiate", () => {
  it("gives a token for this agent's stream, tenant group and (a supervisor) supervisors' group, with no roles", async () => {
    const res = await agentCall("/v1/agent/negotiate", { method: "POST" });
    expect(res.status).toBe(200);
    expect(res.body.userId).toBe(`${demo.tenantId}|${demo.agentId}`);
    expect(res.body.groups).toEqual([`tenant.${demo.tenantId}`, `supervisors.${demo.tenantId}`]);
    const token = new URL(res.body.url).searchParams.get("access_token")!;
    const claims = decodeJwt(token);
    expect(claims.sub).toBe(`${demo.tenantId}|${demo.agentId}`);
    expect(claims["role"] ?? []).toEqual([]);
    expect(claims["webpubsub.group"]).toEqual([`tenant.${demo.tenantId}`, `supervisors.${demo.tenantId}`]);
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now());
  });

  it("lets the connection receive its own pops but neither join other groups nor send to its group", async () => {
    const { body } = await agentCall("/v1/agent/negotiate", { method: "POST" });
    const received: ServerDataMessage[] = [];
    const ws = new WebPubSubClient(body.url, { protocol: WebPubSubJsonReliableProtocol(), autoReconnect: false, messageRetryOptions: { maxRetries: 0 } });
    sockets.push(ws);
    ws.on("server-message", (e) => void received.push(e.message));
    await ws.start();
    await expect(ws.joinGroup("tenant.fabrikam")).rejects.toThrow();
    await expect(ws.sendToGroup(`tenant.${demo.tenantId}`, "hello", "text")).rejects.toThrow();
    const pop = await ring();
    await waitFor(() => received.some((m) => (m.data as { pop?: { id: string } }).pop?.id === pop.id), 5_000, "the pop");
  });

  it("keeps agents of two tenants with the same agent id apart", async () => {
    const { body } = await agentCall("/v1/agent/negotiate", { method: "POST" }, otherCookie);
    expect(body.userId).toBe(`fabrikam|${demo.agentId}`);
    const received: ServerDataMessage[] = [];
    const ws = new WebPubSubClient(body.url, { protocol: WebPubSubJsonReliableProtocol(), autoReconnect: false, messageRetryOptions: { maxRetries: 0 } });
    sockets.push(ws);
    ws.on("server-message", (e) => void received.push(e.message));
    await ws.start();
    const pop = await ring();
    // The contoso agent's pending list has the pop; the fabrikam agent neither receives nor lists it.
    await waitFor(async () => (await agentCall("/v1/agent/screen-pops")).body.pops.some((p: { id: string }) => p.id === pop.id), 5_000, "listed");
    expect(received).toEqual([]);
    const theirs = await agentCall("/v1/agent/screen-pops", {}, otherCookie);
    expect(theirs.body.pops).toEqual([]);
    const ack = await agentCall(`/v1/agent/screen-pops/${pop.id}/ack`, { method: "POST" }, otherCookie);
    expect(ack.status).toBe(404);
  });
});

describe("screen pops for the agent", () => {
  it("lists pending pops after a sequence number, oldest first, and drops them once acknowledged", async () => {
    const first = await ring();
    const second = await ring(demo.numbers.unknown);
    const all = await agentCall(`/v1/agent/screen-pops?since=${first.id.slice(0, 20)}`);
    expect(all.body.pops.map((p: { id: string }) => p.id)).toEqual([second.id]);
    const listed = (await agentCall("/v1/agent/screen-pops")).body.pops.map((p: { id: string }) => p.id);
    expect(listed.indexOf(first.id)).toBeLessThan(listed.indexOf(second.id));

    const ack = await agentCall(`/v1/agent/screen-pops/${first.id}/ack`, { method: "POST" });
    expect(ack.status).toBe(200);
    expect(ack.body.status).toBe("delivered");
    const again = await agentCall(`/v1/agent/screen-pops/${first.id}/ack`, { method: "POST" });
    expect(again.body).toEqual(ack.body); // idempotent
    const after = (await agentCall("/v1/agent/screen-pops")).body.pops.map((p: { id: string }) => p.id);
    expect(after).not.toContain(first.id);
    const partnerView = await call(`${stack.url}${first.href}`, { key: seed.apiKey });
    expect(partnerView.body).toMatchObject({ status: "delivered", deliveredAt: expect.any(String) });
  });

  it("reports a pop that was not delivered in time as expired, and refuses its late ack", async () => {
    const now = Date.now();
    const seq = `${String(now - 600_000).padStart(14, "0")}000123`;
    const id = popIdFor(seq, demo.agentId);
    await insertPop(stack.services.tables, demo.tenantId, {
      id, seq, agentId: demo.agentId, providerId: demo.providerId, conversationId: "old-call", eventId: "old",
      channel: "voice", direction: "inbound", trigger: "ringing",
      target: { kind: "record", record: { type: "contact", id: "c-alice", name: "Alice Johnson" } },
      status: "queued", createdAt: new Date(now - 600_000).toISOString(), expiresAt: new Date(now - 300_000).toISOString(),
    });
    const partnerView = await call(`${stack.apiUrl}/v1/screen-pops/${id}`, { key: seed.apiKey });
    expect(partnerView.body.status).toBe("expired");
    const pending = (await agentCall("/v1/agent/screen-pops")).body.pops.map((p: { id: string }) => p.id);
    expect(pending).not.toContain(id);
    const ack = await agentCall(`/v1/agent/screen-pops/${id}/ack`, { method: "POST" });
    expect(ack.status).toBe(409);
    expect((await call(`${stack.apiUrl}/v1/screen-pops/${id}`, { key: seed.apiKey })).body.status).toBe("expired");
  });

  it("rejects a malformed sequence number or pop id", async () => {
    const since = await agentCall("/v1/agent/screen-pops?since=yesterday");
    expect(since.status).toBe(400);
    expect(since.body.errors).toEqual([expect.objectContaining({ parameter: "since" })]);
    const ack = await agentCall("/v1/agent/screen-pops/not-a-pop/ack", { method: "POST" });
    expect([400, 404]).toContain(ack.status);
    expect(ack.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("agent directory", () => {
  it("deletes a record and its numbers stop matching; deleting again is 404", async () => {
    const before = await call(`${stack.apiUrl}/v1/directory/lookup?phone=%2B442079460958`, { key: seed.apiKey });
    expect(before.body.matches).toEqual([{ type: "contact", id: "c-dave", name: "Dave Kim" }]);
    const deleted = await agentCall("/v1/agent/directory/contacts/c-dave", { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ type: "contact", id: "c-dave", deleted: true });
    const after = await call(`${stack.apiUrl}/v1/directory/lookup?phone=%2B442079460958`, { key: seed.apiKey });
    expect(after.body.matches).toEqual([]);
    expect((await agentCall("/v1/agent/directory/contacts/c-dave")).status).toBe(404);
    const again = await agentCall("/v1/agent/directory/contacts/c-dave", { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(again.headers.get("content-type")).toBe("application/problem+json");
    expect((await call(`${stack.apiUrl}/v1/agent/directory/contacts/c-alice`, { method: "DELETE" })).status).toBe(401);
    expect((await agentCall("/v1/agent/directory/contacts/c-alice", { method: "DELETE" }, otherCookie)).status).toBe(404);
  });
});
