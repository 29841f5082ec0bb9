import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { demo } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issueIntegrationKey } from "../../shared/auth/integrationKeys.js";
import { putTenant } from "../../shared/tenancy/tenancyStore.js";
import { feedSettleMs } from "../../shared/activities/activityFeed.js";

/**
 * Activities back to the CRM: the tenant's CRM webhook endpoint (integration routes) gets `activity.created`
 * for every activity stored, by a partner's server or an agent's desktop, and the tenant-wide feed lists
 * them with a cursor. The test is the CRM's backend: its receiver verifies each delivery's signature.
 */
let receiver: Server;
let receiverUrl: string;
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

let stack: Stack;
let partnerKey: string;
let integrationKey: string;
let otherTenantKey: string;
let cookie: string;
let secret: string;
let counter = 0;
/** The stack's clock, moved forward so the feed's settle time passes without waiting. */
let offsetMs = 0;

const api = (path: string) => `${stack.apiUrl}/v1${path}`;
const integration = (path: string, init: { method?: string; json?: unknown } = {}, key = integrationKey) => call(api(`/integration${path}`), { ...init, key });
const activity = (record: { type: string; id: string }) => ({ activityId: `crm-act-${++counter}`, record, subject: `Call ${counter}`, channel: "voice", direction: "inbound" });
const postActivity = (json: unknown) => call(api("/activities"), { key: partnerKey, json });

/** Deliveries arrive in the background (the poster does not wait for the CRM): wait for `n`. */
async function deliveries(n: number) {
  for (let i = 0; i < 100 && received.length < n; i++) await new Promise((r) => setTimeout(r, 50));
  return received.map((r) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { type: string; data: any });
}
async function feed(query = "") {
  offsetMs += feedSettleMs + 1_000;
  return integration(`/activities${query}`);
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  ({ stack, seed: { apiKey: partnerKey } } = await startTestStack());
  stack.services.now = () => new Date(Date.now() + offsetMs);
  const { tables } = stack.services;
  integrationKey = (await issueIntegrationKey(tables, demo.tenantId, new Date())).integrationKey;
  await putTenant(stack.services, { tenantId: "fabrikam", name: "Fabrikam" });
  otherTenantKey = (await issueIntegrationKey(tables, "fabrikam", new Date())).integrationKey;
  cookie = await signInCookie(stack.url);
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});
beforeEach(() => {
  received.length = 0;
});

describe("the CRM webhook endpoint", () => {
  it("is created with a secret shown once, read, rotated and deleted like a provider's, and is the tenant's own", async () => {
    const created = await integration("/webhooks/endpoint", { method: "PUT", json: { url: `${receiverUrl}/crud`, eventTypes: ["activity.updated"] } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ tenantId: demo.tenantId, eventTypes: ["activity.updated"], enabled: true });
    expect(created.body.secret).toMatch(/^whsec_/);
    expect((await integration("/webhooks/endpoint")).body.secret).toBeUndefined();
    expect((await integration("/webhooks/endpoint", {}, otherTenantKey)).status).toBe(404);
    const rotated = await integration("/webhooks/endpoint/rotate-secret", { method: "POST" });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect((await integration("/webhooks/endpoint", { method: "DELETE" })).body).toEqual({ tenantId: demo.tenantId, deleted: true });
    expect((await integration("/webhooks/endpoint")).status).toBe(404);
  });

  it("takes activity events only; a provider's endpoint takes none", async () => {
    const crm = await integration("/webhooks/endpoint", { method: "PUT", json: { url: `${receiverUrl}/x`, eventTypes: ["presence.changed"] } });
    expect(crm.status).toBe(400);
    expect(crm.body.errors).toEqual([expect.objectContaining({ pointer: "#/eventTypes/0" })]);
    const partner = await call(api("/webhooks/endpoint"), { method: "PUT", key: partnerKey, json: { url: `${receiverUrl}/x`, eventTypes: ["activity.created"] } });
    expect(partner.status).toBe(400);
  });

  it("refuses a look-up or loopback URL where the deployment does not allow http (the partner endpoints' check)", async () => {
    const res = await integration("/webhooks/endpoint", { method: "PUT", json: { url: "https://user:pw@example.com/x", eventTypes: ["activity.created"] } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: "#/url" })]);
  });
});

describe("activities back", () => {
  beforeAll(async () => {
    const put = await integration("/webhooks/endpoint", { method: "PUT", json: { url: `${receiverUrl}/activities`, eventTypes: ["activity.created", "activity.updated"] } });
    secret = put.body.secret;
  });

  it("sends activity.created for a partner's activity and the agent's, once each (a resend sends nothing)", async () => {
    const start = (await feed()).body.cursor;
    const partnerActivity = activity({ type: "contact", id: "c-alice" });
    expect((await postActivity(partnerActivity)).status).toBe(201);
    expect((await postActivity(partnerActivity)).status).toBe(201);
    const agentActivity = { ...activity({ type: "contact", id: "c-bob" }), providerId: demo.providerId };
    expect((await call(api("/agent/activities"), { headers: { cookie }, json: agentActivity })).status).toBe(201);

    const sent = await deliveries(2);
    await new Promise((r) => setTimeout(r, 200)); // nothing more comes
    expect(received).toHaveLength(2);
    expect(sent.map((d) => [d.type, d.data.tenantId, d.data.activity.activityId])).toEqual(
      expect.arrayContaining([
        ["activity.created", demo.tenantId, partnerActivity.activityId],
        ["activity.created", demo.tenantId, agentActivity.activityId],
      ]),
    );
    const agentSent = sent.find((d) => d.data.activity.activityId === agentActivity.activityId)!;
    expect(agentSent.data.activity).toMatchObject({ agentId: demo.agentId, record: { type: "contact", id: "c-bob" } });

    const log = await integration("/webhooks/deliveries");
    expect(log.body.deliveries.filter((d: { type: string }) => d.type === "activity.created")).toHaveLength(2);
    const one = await integration(`/webhooks/deliveries/${log.body.deliveries[0].deliveryId}`);
    expect(one.body).toMatchObject({ status: "delivered", payload: { type: "activity.created" } });

    const read = await feed(`?cursor=${start}`);
    expect(read.body.activities.map((a: { activityId: string }) => a.activityId)).toEqual([partnerActivity.activityId, agentActivity.activityId]);
    // The cursor continues after them: nothing new, and a cursor again.
    const next = await feed(`?cursor=${read.body.cursor}`);
    expect(next.body).toEqual({ activities: [], cursor: expect.any(String) });
  });

  it("pages the feed by limit, from since, and is the tenant's own", async () => {
    const since = new Date(Date.now() + offsetMs).toISOString();
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const a = activity({ type: "contact", id: "c-alice" });
      ids.push(a.activityId);
      await postActivity(a);
    }
    const first = await feed(`?since=${since}&limit=2`);
    const second = await feed(`?cursor=${first.body.cursor}&limit=2`);
    expect([...first.body.activities, ...second.body.activities].map((a: { activityId: string }) => a.activityId)).toEqual(ids);
    expect(first.body.activities).toHaveLength(2);
    expect((await integration(`/activities?since=${since}`, {}, otherTenantKey)).body.activities).toEqual([]);
    expect((await integration("/activities?cursor=e30")).status).toBe(400);
  });

  it("takes the CRM's record types and ids outside directory mode, and only contacts and accounts that exist in it", async () => {
    const lead = activity({ type: "lead", id: "00Q5e000001" });
    const refused = await postActivity(lead);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ pointer: "#/record/type" })]);
    expect((await integration("/settings", { method: "PUT", json: { records: "host" } })).status).toBe(200);
    try {
      const stored = await postActivity(lead);
      expect(stored.status).toBe(201);
      expect(stored.body.record).toEqual({ type: "lead", id: "00Q5e000001" });
      const [sent] = await deliveries(1);
      expect(sent!.data.activity.record).toEqual({ type: "lead", id: "00Q5e000001" });
    } finally {
      await integration("/settings", { method: "PUT", json: { records: "directory" } });
    }
  });
});
