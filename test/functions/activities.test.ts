import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { demo } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { linkPrincipal } from "../../shared/auth/agentPrincipal.js";
import { putAgent, putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { saveRecord } from "../../shared/directory/saveRecord.js";
import { demoIdentityProvider } from "../../local/easyAuthEmulator.js";

let stack: Stack;
let cookie: string;
let otherCookie: string;

const post = (json: unknown, session = cookie) => call(`${stack.apiUrl}/v1/agent/activities`, { json, headers: { cookie: session } });
const timeline = (id: string, session = cookie) => call(`${stack.apiUrl}/v1/agent/directory/contacts/${id}/activities`, { headers: { cookie: session } });
async function rows(): Promise<number> {
  let n = 0;
  for await (const _ of stack.services.tables.activities.listEntities()) n++;
  return n;
}

const base = { providerId: demo.providerId, record: { type: "contact", id: "c-alice" }, subject: "Call with Alice" };

beforeAll(async () => {
  ({ stack } = await startTestStack());
  cookie = await signInCookie(stack.url);
  const s = stack.services;
  await putTenant(s, { tenantId: "fabrikam", name: "Fabrikam" });
  await putAgent(s, { tenantId: "fabrikam", agentId: "fa", displayName: "F" });
  await putProvider(s, { tenantId: "fabrikam", providerId: demo.providerId, label: "Same id" });
  await saveRecord(s, "fabrikam", "contact", "c-alice", { name: "Another Alice" });
  await linkPrincipal(s, { identityProvider: demoIdentityProvider, principalId: "fred" }, { tenantId: "fabrikam", agentId: "fa" });
  otherCookie = await signInCookie(stack.url, "fred");
});
afterAll(() => stack?.close());

describe("activities on a record's timeline", () => {
  it("stores an activity and lists the timeline newest first", async () => {
    const first = await post({ ...base, subject: "Morning call", endedAt: "2026-11-24T09:00:00Z", durationSeconds: 120 });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ subject: "Morning call", agentId: demo.agentId, providerId: demo.providerId, channel: "voice", direction: "inbound" });
    const second = await post({ ...base, subject: "Afternoon chat", channel: "chat", endedAt: "2026-11-24T15:00:00Z", disposition: "Resolved" });
    expect(second.status).toBe(201);
    const list = await timeline("c-alice");
    expect(list.body.activities.map((a: { subject: string }) => a.subject)).toEqual(["Afternoon chat", "Morning call"]);
  });

  it("stores a resend with the same id once, and refuses the id for other content", async () => {
    const body = { ...base, activityId: "call-42", subject: "Call 42", durationSeconds: 30 };
    const first = await post(body);
    const before = await rows();
    const again = await post(body);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await rows()).toBe(before);
    const clash = await post({ ...body, subject: "Something else" });
    expect(clash.status).toBe(409);
    expect(await rows()).toBe(before);
  });

  it("makes an activity id unique in the tenant, not per record", async () => {
    expect((await post({ ...base, activityId: "agent-once", subject: "Once" })).status).toBe(201);
    const elsewhere = await post({ ...base, activityId: "agent-once", subject: "Once", record: { type: "account", id: "acc-fabrikam" } });
    expect(elsewhere.status).toBe(409);
  });

  it("pages the timeline with opaque cursors", async () => {
    const first = await call(`${stack.apiUrl}/v1/agent/directory/contacts/c-alice/activities?limit=1`, { headers: { cookie } });
    expect(first.body.activities).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const next = await call(`${stack.apiUrl}/v1/agent/directory/contacts/c-alice/activities?limit=1&cursor=${first.body.nextCursor}`, {
      headers: { cookie },
    });
    expect(next.body.activities).toHaveLength(1);
    expect(next.body.activities[0].activityId).not.toBe(first.body.activities[0].activityId);
    // A cursor continues the timeline it came from: on another record's it is refused, not read as empty.
    const elsewhere = await call(`${stack.apiUrl}/v1/agent/directory/contacts/c-bob/activities?limit=1&cursor=${first.body.nextCursor}`, {
      headers: { cookie },
    });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body).toMatchObject({ code: "invalid_request", errors: [{ parameter: "cursor" }] });
  });

  it("keeps tenants apart", async () => {
    const theirs = await timeline("c-alice", otherCookie);
    expect(theirs.status).toBe(200);
    expect(theirs.body.activities).toEqual([]); // their c-alice is another record
    await post({ ...base, subject: "Fabrikam call" }, otherCookie);
    const ours = await timeline("c-alice");
    expect(ours.body.activities.some((a: { subject: string }) => a.subject === "Fabrikam call")).toBe(false);
  });

  describe("bad input gets problem+json and stores nothing", () => {
    const cases: Array<[string, () => unknown, number, string?]> = [
      ["an unknown provider", () => ({ ...base, providerId: "nope" }), 400, "#/providerId"],
      ["a record that does not exist", () => ({ ...base, record: { type: "contact", id: "c-nobody" } }), 400, "#/record/id"],
      ["an end before the start", () => ({ ...base, startedAt: "2026-11-24T10:00:00Z", endedAt: "2026-11-24T09:00:00Z" }), 400, "#/endedAt"],
      ["a missing subject", () => ({ ...base, subject: undefined }), 400, "#/subject"],
      ["a recording link that is not http(s)", () => ({ ...base, recordingUrl: "javascript:alert(1)" }), 400, "#/recordingUrl"],
      ["a negative duration", () => ({ ...base, durationSeconds: -1 }), 400, "#/durationSeconds"],
    ];
    it.each(cases)("%s", async (_name, body, status, pointer) => {
      const before = await rows();
      const res = await post(body());
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      if (pointer) expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
      expect(await rows()).toBe(before);
    });
    it("needs a signed-in agent", async () => {
      expect((await call(`${stack.apiUrl}/v1/agent/activities`, { json: base })).status).toBe(401);
      expect((await call(`${stack.apiUrl}/v1/agent/directory/contacts/c-alice/activities`)).status).toBe(401);
    });
    it("answers 404 for the timeline of a record that does not exist", async () => {
      expect((await timeline("c-nobody")).status).toBe(404);
    });
  });
});
