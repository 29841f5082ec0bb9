import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { demo } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issueIntegrationKey } from "../../shared/auth/integrationKeys.js";
import { linkPrincipal } from "../../shared/auth/agentPrincipal.js";
import { putAgent, putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { saveRecord } from "../../shared/directory/saveRecord.js";
import { demoIdentityProvider } from "../../local/easyAuthEmulator.js";

/**
 * PATCH /v1/agent/activities/{activityId}, as a widget's updateActivity reaches it through the agent
 * desktop: the fields sent replace the stored ones, the ETag guards against lost updates, the timeline
 * shows the change, and the tenant's CRM endpoint gets `activity.updated` (the test is the CRM's receiver).
 */
let stack: Stack;
let cookie: string;
let otherCookie: string;
let secret: string;
let partnerKey: string;
let receiver: Server;
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
let counter = 0;

const api = (path: string) => `${stack.apiUrl}/v1${path}`;
const record = { type: "contact", id: "c-alice" };
const log = (json: Record<string, unknown> = {}) =>
  call(api("/agent/activities"), { headers: { cookie }, json: { activityId: `upd-${++counter}`, providerId: demo.providerId, record, subject: "Call", ...json } });
const patch = (activityId: string, json: unknown, headers: Record<string, string> = {}, session = cookie) =>
  call(api(`/agent/activities/${activityId}`), { method: "PATCH", headers: { cookie: session, ...headers }, json });
const stored = async (activityId: string) => (await call(api(`/activities/${activityId}`), { key: partnerKey })).body;
const timeline = async () => (await call(api("/agent/directory/contacts/c-alice/activities?limit=100"), { headers: { cookie } })).body.activities as Array<{ activityId: string; subject: string }>;

/** The verified deliveries of `type` about one activity, once there are `n` (or after 5 s). */
async function deliveries(type: string, n: number, activityId: string) {
  const verified = () =>
    received
      .map((r) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { type: string; data: { activity: Record<string, unknown> } })
      .filter((d) => d.type === type && d.data.activity.activityId === activityId);
  for (let i = 0; i < 100 && verified().length < n; i++) await new Promise((r) => setTimeout(r, 50));
  return verified();
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
  ({ stack, seed: { apiKey: partnerKey } } = await startTestStack());
  const s = stack.services;
  cookie = await signInCookie(stack.url);
  await putProvider(s, { tenantId: demo.tenantId, providerId: "other-chat", label: "Other Chat" });
  await putTenant(s, { tenantId: "fabrikam", name: "Fabrikam" });
  await putAgent(s, { tenantId: "fabrikam", agentId: "fa", displayName: "F" });
  await putProvider(s, { tenantId: "fabrikam", providerId: demo.providerId, label: "Same id" });
  await saveRecord(s, "fabrikam", "contact", "c-alice", { name: "Another Alice" });
  await linkPrincipal(s, { identityProvider: demoIdentityProvider, principalId: "fred-upd" }, { tenantId: "fabrikam", agentId: "fa" });
  otherCookie = await signInCookie(stack.url, "fred-upd");
  const key = (await issueIntegrationKey(s.tables, demo.tenantId, new Date())).integrationKey;
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  const endpoint = await call(api("/integration/webhooks/endpoint"), { method: "PUT", key, json: { url, eventTypes: ["activity.created", "activity.updated"] } });
  secret = endpoint.body.secret;
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});
beforeEach(() => {
  received.length = 0;
});

describe("changing an activity", () => {
  it("replaces the fields sent, keeps the others, answers the ETag, and tells the CRM", async () => {
    const { activityId } = (await log({ subject: "Call with Alice", notes: "Asked about billing", endedAt: "2026-11-24T09:00:00Z" })).body;
    const res = await patch(activityId, { providerId: demo.providerId, disposition: "Resolved", notes: "Refund issued" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ activityId, subject: "Call with Alice", disposition: "Resolved", notes: "Refund issued", record, agentId: demo.agentId, updatedAt: expect.any(String) });
    expect(res.headers.get("etag")).toMatch(/^"[\w-]+"$/);
    expect(await stored(activityId)).toEqual(res.body);
    expect((await timeline()).find((a) => a.activityId === activityId)).toEqual(res.body);
    const events = await deliveries("activity.updated", 1, activityId);
    expect(events.map((d) => d.data.activity)).toEqual([res.body]);
  });

  it("applies an If-Match of the current ETag, and refuses a stale one with 412, changing nothing", async () => {
    const { activityId } = (await log()).body;
    const first = await patch(activityId, { providerId: demo.providerId, subject: "First" });
    const etag = first.headers.get("etag")!;
    const second = await patch(activityId, { providerId: demo.providerId, subject: "Second" }, { "if-match": etag });
    expect(second.status).toBe(200);
    expect(second.headers.get("etag")).not.toBe(etag);
    const stale = await patch(activityId, { providerId: demo.providerId, subject: "Lost update" }, { "if-match": etag });
    expect(stale.status).toBe(412);
    expect(stale.headers.get("content-type")).toBe("application/problem+json");
    expect(stale.body).toMatchObject({ code: "precondition_failed", status: 412, errors: [expect.objectContaining({ header: "If-Match" })] });
    expect((await stored(activityId)).subject).toBe("Second");
    expect((await patch(activityId, { providerId: demo.providerId, subject: "Any" }, { "if-match": "*" })).status).toBe(200);
  });

  it("changes nothing, and sends nothing, for an update that changes nothing", async () => {
    const { activityId } = (await log({ subject: "Same" })).body;
    const before = await stored(activityId);
    const res = await patch(activityId, { providerId: demo.providerId, subject: "Same" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(before);
    await new Promise((r) => setTimeout(r, 1000)); // a delivery's first attempt takes a few ms here
    // Only this activity's: an earlier test's delivery may still arrive (the first attempt is not awaited).
    expect(await deliveries("activity.updated", 0, activityId)).toEqual([]);
  });

  it("moves the activity on the timeline when its time changes, without leaving a copy", async () => {
    const { activityId } = (await log({ subject: "Old call", endedAt: "2020-01-01T10:00:00Z" })).body;
    const res = await patch(activityId, { providerId: demo.providerId, endedAt: "2099-01-01T10:00:00Z" });
    expect(res.status).toBe(200);
    const rows = (await timeline()).filter((a) => a.activityId === activityId);
    expect(rows).toHaveLength(1);
    expect((await timeline())[0]!.activityId).toBe(activityId); // newest first
  });

  it("finishes on its retry an update that stopped after storing the change", async () => {
    const { activityId } = (await log({ subject: "Before the crash", endedAt: "2020-01-01T10:00:00Z" })).body;
    // The change reached the activity's row, then the process stopped: timeline, feed and CRM not told.
    const claims = stack.services.tables.activityIds;
    const row = await claims.getEntity<{ activity: string }>(`${demo.tenantId}|${activityId}`, "");
    const changed = { ...JSON.parse(row.activity), subject: "After the crash", endedAt: "2099-06-01T10:00:00Z", updatedAt: new Date().toISOString() };
    await claims.updateEntity({ partitionKey: row.partitionKey, rowKey: "", activity: JSON.stringify(changed) }, "Merge");
    expect((await timeline()).find((a) => a.activityId === activityId)?.subject).toBe("Before the crash");

    const retry = await patch(activityId, { providerId: demo.providerId, subject: "After the crash", endedAt: "2099-06-01T10:00:00Z" });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(changed);
    const rows = (await timeline()).filter((a) => a.activityId === activityId);
    expect(rows).toEqual([changed]);
    expect((await deliveries("activity.updated", 1, activityId)).map((d) => d.data.activity)).toEqual([changed]);
  });

  it.each([
    ["an empty subject", { subject: "" }, "#/subject"],
    ["a record (an activity stays on its record)", { record: { type: "contact", id: "c-bob" } }, "#"],
    ["a channel", { channel: "chat" }, "#"],
    ["nothing to change", {}, "#"],
    ["an end before the stored start", { startedAt: "2026-11-24T10:00:00Z", endedAt: "2026-11-24T09:00:00Z" }, "#/endedAt"],
  ])("refuses %s with 400 and changes nothing", async (_name, change, pointer) => {
    const { activityId } = (await log({ subject: "Untouched" })).body;
    const before = await stored(activityId);
    const res = await patch(activityId, { providerId: demo.providerId, ...change });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body).toMatchObject({ code: "invalid_request", errors: expect.arrayContaining([expect.objectContaining({ pointer })]) });
    expect(await stored(activityId)).toEqual(before);
  });

  it("finds only the provider's activities of the agent's tenant", async () => {
    const { activityId } = (await log({ subject: "Mine" })).body;
    const before = await stored(activityId);
    const otherTenant = await patch(activityId, { providerId: demo.providerId, subject: "Probe" }, {}, otherCookie);
    expect(otherTenant.status).toBe(404);
    expect(otherTenant.body.code).toBe("not_found");
    const otherProvider = await patch(activityId, { providerId: "other-chat", subject: "Probe" });
    expect(otherProvider.status).toBe(404);
    expect((await patch("never-used", { providerId: demo.providerId, subject: "Probe" })).status).toBe(404);
    expect(await stored(activityId)).toEqual(before);
  });

  it("answers a resend of the original create with the activity as it is now", async () => {
    const body = { activityId: `upd-resend-${++counter}`, providerId: demo.providerId, record, subject: "Original" };
    const created = await call(api("/agent/activities"), { headers: { cookie }, json: body });
    expect(created.status).toBe(201);
    const updated = await patch(body.activityId, { providerId: demo.providerId, subject: "Changed" });
    const resent = await call(api("/agent/activities"), { headers: { cookie }, json: body });
    expect(resent.status).toBe(201);
    expect(resent.body).toEqual(updated.body);
  });
});
