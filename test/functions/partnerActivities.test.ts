import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { odata } from "@azure/data-tables";
import { call, startTestStack } from "../support/stack.js";
import { demo, type DemoSeed } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { saveRecord } from "../../shared/directory/saveRecord.js";

let stack: Stack;
let seed: DemoSeed;
let otherKey: string;

// Without an activityId the route needs an Idempotency-Key: a fresh one per request here.
const post = (json: unknown, key = seed.apiKey) =>
  call(`${stack.apiUrl}/v1/activities`, { json, key, headers: { "idempotency-key": randomUUID() } });
const get = (id: string, key = seed.apiKey) => call(`${stack.apiUrl}/v1/activities/${encodeURIComponent(id)}`, { key });
const timeline = (collection: string, id: string, query = "", key = seed.apiKey) =>
  call(`${stack.apiUrl}/v1/directory/${collection}/${id}/activities${query}`, { key });

async function count(table: "activities" | "activityIds"): Promise<number> {
  let n = 0;
  for await (const _ of stack.services.tables[table].listEntities()) n++;
  return n;
}
const stored = async () => ({ activities: await count("activities"), activityIds: await count("activityIds") });

const base = { record: { type: "contact", id: "c-alice" }, subject: "Support call" };

beforeAll(async () => {
  ({ stack, seed } = await startTestStack());
  const s = stack.services;
  await putTenant(s, { tenantId: "tailspin", name: "Tailspin" });
  await putProvider(s, { tenantId: "tailspin", providerId: demo.providerId, label: "Same provider id" });
  otherKey = (await issuePartnerKey(s.tables, "tailspin", demo.providerId, new Date())).apiKey;
  await saveRecord(s, "tailspin", "contact", "c-tail", { name: "Tailspin contact" });
});
afterAll(() => stack?.close());

describe("partner activities", () => {
  it("stores an activity with its durations, links and agent, and reads it back by id", async () => {
    const body = {
      ...base,
      activityId: "crm-call-1",
      channel: "voice",
      direction: "outbound",
      notes: "Renewal questions",
      disposition: "Resolved",
      from: "+14255550100",
      to: "+12065550101",
      startedAt: "2026-11-24T09:00:00Z",
      endedAt: "2026-11-24T09:07:30Z",
      durationSeconds: 450,
      durations: { ringSeconds: 12, talkSeconds: 400, holdSeconds: 60, holdCount: 2, wrapUpSeconds: 38 },
      recordingUrl: "https://recordings.example/r/1",
      transcriptUrl: "https://recordings.example/t/1",
      conversationId: "conv-1",
      agentId: demo.agentId,
    };
    const res = await post(body);
    expect(res.status).toBe(201);
    const { agentId: _agent, ...rest } = body;
    expect(res.body).toEqual({ ...rest, agentId: demo.agentId, providerId: demo.providerId, createdAt: expect.any(String) });
    const read = await get("crm-call-1");
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it("works without an agent and without an id (WebCTI chooses one)", async () => {
    const res = await post({ ...base, channel: "sms", subject: "Text exchange" });
    expect(res.status).toBe(201);
    expect(res.body.agentId).toBeUndefined();
    expect(res.body.activityId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await get(res.body.activityId)).body).toEqual(res.body);
  });

  it("needs an activityId or an Idempotency-Key, so that a resend is never stored twice", async () => {
    const before = [await count("activities"), await count("activityIds")];
    const res = await call(`${stack.apiUrl}/v1/activities`, { json: { ...base, subject: "No id, no key" }, key: seed.apiKey });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { header?: string; pointer?: string }) => e.header ?? e.pointer)).toEqual(["Idempotency-Key", "#/activityId"]);
    expect([await count("activities"), await count("activityIds")]).toEqual(before);

    const headers = { "idempotency-key": randomUUID() };
    const first = await call(`${stack.apiUrl}/v1/activities`, { json: { ...base, subject: "Keyed" }, key: seed.apiKey, headers });
    const resent = await call(`${stack.apiUrl}/v1/activities`, { json: { ...base, subject: "Keyed" }, key: seed.apiKey, headers });
    expect(first.status).toBe(201);
    expect(resent.body).toEqual(first.body);
    expect(await count("activityIds")).toBe(before[1]! + 1);
  });

  it("takes the durations from the conversation's stored events when it names one and sends none", async () => {
    const conversationId = `dur-${randomUUID()}`;
    const at = (t: string) => `2026-11-24T10:${t}Z`;
    const e = (type: string, t: string, more: Record<string, unknown> = {}) => ({ type, eventId: `${conversationId}-${type}`, conversationId, occurredAt: at(t), ...more });
    const agent = { agentId: demo.agentId };
    const events = [
      e("initiated", "00:00"), e("queued", "00:05"), e("ringing", "00:35", agent), e("answered", "00:40", agent),
      e("held", "01:40", agent), e("resumed", "02:10", agent), e("ended", "05:40", agent), e("wrapUpCompleted", "06:40", agent),
    ];
    const sent = await call(`${stack.apiUrl}/v1/conversations/events/batch`, { json: { events: events.reverse() }, key: seed.apiKey });
    expect(sent.status).toBe(200);
    const activity = { ...base, activityId: `${conversationId}-act`, conversationId, agentId: demo.agentId, subject: "Derived durations" };
    const res = await post(activity);
    expect(res.status).toBe(201);
    // queue 30 + ring 5; talk 300 including the 30 s hold; wrap-up 60 (docs/conversations.md formulas).
    expect(res.body.durations).toEqual({ ringSeconds: 35, talkSeconds: 300, holdSeconds: 30, holdCount: 1, wrapUpSeconds: 60 });
    // Sent again: the same activity (recognized by what was sent), nothing doubled.
    expect((await post(activity)).body).toEqual(res.body);
    // Durations the partner sends win.
    const own = await post({ ...activity, activityId: `${conversationId}-own`, durations: { talkSeconds: 1 } });
    expect(own.body.durations).toEqual({ talkSeconds: 1 });
  });

  it("answers a resend with the first activity and stores nothing more", async () => {
    const body = { ...base, activityId: "crm-call-2", subject: "Resent call", durations: { talkSeconds: 30 } };
    const first = await post(body);
    expect(first.status).toBe(201);
    const before = await stored();
    const again = await post({ activityId: "crm-call-2", durations: { talkSeconds: 30 }, ...base, subject: "Resent call" }); // keys in another order
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await stored()).toEqual(before);
  });

  it("refuses an id already used for other content (409), on any record of the tenant", async () => {
    const body = { ...base, activityId: "crm-call-3", subject: "First use" };
    expect((await post(body)).status).toBe(201);
    const before = await stored();
    for (const other of [
      { ...body, subject: "Other subject" },
      { ...body, record: { type: "account", id: "acc-fabrikam" } },
      { ...body, agentId: demo.agentId },
    ]) {
      const clash = await post(other);
      expect(clash.status).toBe(409);
      expect(clash.body).toMatchObject({ code: "conflict", errors: [{ pointer: "#/activityId" }] });
    }
    expect(await stored()).toEqual(before);
    expect((await get("crm-call-3")).body.subject).toBe("First use");
  });

  it("stores 20 parallel copies of one request exactly once, and answers them all alike", async () => {
    const before = await stored();
    const body = { ...base, activityId: "crm-burst", subject: "Burst", agentId: demo.agentId };
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(body)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    for (const answer of answers) expect(answer.body).toEqual(answers[0]!.body);
    expect(await stored()).toEqual({ activities: before.activities + 1, activityIds: before.activityIds + 1 });
    const rows = stack.services.tables.activities.listEntities<{ activity: string }>({
      queryOptions: { filter: odata`PartitionKey eq ${`${demo.tenantId}|contact|c-alice`}` },
    });
    let burst = 0;
    for await (const row of rows) if (JSON.parse(row.activity).activityId === "crm-burst") burst++;
    expect(burst).toBe(1);
  });

  it("pages a record's timeline newest first with opaque cursors", async () => {
    await saveRecord(stack.services, demo.tenantId, "contact", "c-paged", { name: "Paged" });
    const times = [3, 0, 6, 1, 5, 2, 4]; // posted out of order: the timeline orders by when they happened
    for (const hour of times) {
      const at = `2026-11-2${hour}T10:00:00Z`;
      expect((await post({ record: { type: "contact", id: "c-paged" }, subject: `day ${hour}`, endedAt: at })).status).toBe(201);
    }
    const subjects: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=3${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await timeline("contacts", "c-paged", query);
      expect(page.status).toBe(200);
      expect(page.body.activities.length).toBeLessThanOrEqual(3);
      subjects.push(...page.body.activities.map((a: { subject: string }) => a.subject));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(subjects).toEqual(["day 6", "day 5", "day 4", "day 3", "day 2", "day 1", "day 0"]);
    expect(pages).toBeGreaterThanOrEqual(3);

    const whole = await timeline("contacts", "c-paged", "?limit=50");
    expect(whole.body.nextCursor).toBeNull();
    expect(whole.body.activities).toHaveLength(7);
    const bad = await timeline("contacts", "c-paged", "?cursor=not-ours");
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ parameter: "cursor" })]);
    expect((await timeline("contacts", "c-paged", "?limit=0")).status).toBe(400);
  });

  it("keeps tenants apart: another tenant's key gets 404 and its ids are its own", async () => {
    expect((await get("crm-call-1", otherKey)).status).toBe(404);
    expect((await timeline("contacts", "c-alice", "", otherKey)).status).toBe(404);
    expect((await timeline("contacts", "c-tail")).status).toBe(404);
    // The same activity id in another tenant is another activity.
    const theirs = await post({ record: { type: "contact", id: "c-tail" }, subject: "Theirs", activityId: "crm-call-1" }, otherKey);
    expect(theirs.status).toBe(201);
    expect((await get("crm-call-1")).body.subject).toBe("Support call");
    // Their key cannot log on our record, nor name our agent.
    expect((await post({ ...base, subject: "Sneaky" }, otherKey)).status).toBe(400);
    expect((await post({ record: { type: "contact", id: "c-tail" }, subject: "x", agentId: demo.agentId }, otherKey)).status).toBe(404);
  });

  describe("bad input gets problem+json and stores nothing", () => {
    const cases: Array<[string, () => unknown, number, string]> = [
      ["a record that does not exist", () => ({ ...base, record: { type: "contact", id: "c-nobody" } }), 400, "#/record/id"],
      ["an agent the tenant does not have", () => ({ ...base, agentId: "ghost" }), 404, "#/agentId"],
      ["a missing record", () => ({ subject: "x" }), 400, "#/record"],
      ["an unknown record type", () => ({ ...base, record: { type: "lead", id: "c-alice" } }), 400, "#/record/type"],
      ["a missing subject", () => ({ ...base, subject: undefined }), 400, "#/subject"],
      ["an unknown channel", () => ({ ...base, channel: "pigeon" }), 400, "#/channel"],
      ["an end before the start", () => ({ ...base, startedAt: "2026-11-24T10:00:00Z", endedAt: "2026-11-24T09:00:00Z" }), 400, "#/endedAt"],
      ["a negative talk time", () => ({ ...base, durations: { talkSeconds: -1 } }), 400, "#/durations/talkSeconds"],
      ["an unknown duration", () => ({ ...base, durations: { queueSeconds: 3 } }), 400, "#/durations"],
      ["a fractional hold count", () => ({ ...base, durations: { holdCount: 1.5 } }), 400, "#/durations/holdCount"],
      ["a transcript link that is not http(s)", () => ({ ...base, transcriptUrl: "file:///etc/passwd" }), 400, "#/transcriptUrl"],
      ["an activity id with a bar", () => ({ ...base, activityId: "a|b" }), 400, "#/activityId"],
    ];
    it.each(cases)("%s", async (_name, body, status, pointer) => {
      const before = await stored();
      const res = await post(body());
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
      expect(await stored()).toEqual(before);
    });

    it("answers 404 for an activity id that was never used", async () => {
      const res = await get("never-used");
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("not_found");
    });
  });

  describe("needs a valid partner key", () => {
    const keys: Array<[string, Record<string, string>]> = [
      ["no key", {}],
      ["a malformed key", { authorization: "Bearer nope" }],
      ["a key that was never issued", { authorization: `Bearer wcti_0123456789abcdef_${"A".repeat(43)}` }],
    ];
    it.each(keys)("%s gets 401 everywhere and stores nothing", async (_name, headers) => {
      const before = await stored();
      for (const res of [
        await call(`${stack.apiUrl}/v1/activities`, { json: base, headers }),
        await call(`${stack.apiUrl}/v1/activities/crm-call-1`, { headers }),
        await call(`${stack.apiUrl}/v1/directory/contacts/c-alice/activities`, { headers }),
      ]) {
        expect(res.status).toBe(401);
        expect(res.body.code).toBe("unauthenticated");
      }
      expect(await stored()).toEqual(before);
    });
  });
});
