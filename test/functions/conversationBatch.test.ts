import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import type { Stack } from "../../local/stack.js";
import type { DemoSeed } from "../../local/seedDemo.js";
import { demo } from "../../local/seedDemo.js";

let stack: Stack;
let seed: DemoSeed;
let single: string;
let batch: string;
let n = 0;

/** A few events of one call, as a partner's CTI server emits them. */
function call3(conversationId = `bc-${++n}`) {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 24, 10, 0, s)).toISOString();
  return [
    { type: "initiated", eventId: `${conversationId}:1`, conversationId, occurredAt: at(0), customer: { phone: demo.numbers.oneContact } },
    { type: "queued", eventId: `${conversationId}:2`, conversationId, occurredAt: at(5), queue: "support" },
    { type: "ended", eventId: `${conversationId}:3`, conversationId, occurredAt: at(40), endedBy: "customer" },
  ];
}

/** The stored event rows of a conversation (its partition also holds the KPI projection's row). */
async function rowsOf(conversationId: string): Promise<number> {
  let count = 0;
  for await (const _ of stack.services.tables.conversations.listEntities({
    queryOptions: { filter: `PartitionKey eq '${demo.tenantId}|${demo.providerId}|${conversationId}' and RowKey ge 'event|' and RowKey lt 'event}'` },
  }))
    count++;
  return count;
}

beforeAll(async () => {
  ({ stack, seed } = await startTestStack());
  single = `${stack.apiUrl}/v1/conversations/events`;
  batch = `${stack.apiUrl}/v1/conversations/events/batch`;
});
afterAll(() => stack?.close());

describe("the ringing event answers with the caller's matches", () => {
  it("lists the matching contacts, and none for an unknown number", async () => {
    const ring = (conversationId: string, phone: string) => ({
      type: "ringing",
      eventId: `${conversationId}:r`,
      conversationId,
      occurredAt: "2026-11-24T10:00:00Z",
      agentId: demo.agentId,
      customer: { phone },
    });
    const two = await call(single, { key: seed.apiKey, json: ring(`m-${++n}`, demo.numbers.sharedByTwo) });
    expect(two.status).toBe(202);
    expect(two.body.matches.map((m: { id: string }) => m.id).sort()).toEqual(["c-bob", "c-carol"]);
    const none = await call(single, { key: seed.apiKey, json: ring(`m-${++n}`, demo.numbers.unknown) });
    expect(none.body.matches).toEqual([]);
    // A retry gets the same answer.
    const again = await call(single, { key: seed.apiKey, json: ring(`m-${n}`, demo.numbers.unknown) });
    expect(again.body).toEqual(none.body);
  });

  it("keeps an event of an unknown type, with unknown fields, and answers 202", async () => {
    const conversationId = `u-${++n}`;
    const res = await call(single, {
      key: seed.apiKey,
      json: { type: "sentimentScored", eventId: `${conversationId}:s`, conversationId, occurredAt: "2026-11-24T10:00:00Z", score: 0.7 },
    });
    expect(res.status).toBe(202);
    const row = await stack.services.tables.conversations.getEntity<{ body: string }>(`${demo.tenantId}|${demo.providerId}|${conversationId}`, `event|${conversationId}:s`);
    expect(JSON.parse(row.body)).toMatchObject({ type: "sentimentScored", score: 0.7 });
  });
});

describe("parallel duplicates", () => {
  it("of one ringing event store one event and one pop, and all get the same answer", async () => {
    const conversationId = `p-${++n}`;
    const event = { type: "ringing", eventId: `${conversationId}:r`, conversationId, occurredAt: "2026-11-24T10:00:00Z", agentId: demo.agentId, customer: { phone: demo.numbers.oneContact } };
    const answers = await Promise.all(Array.from({ length: 20 }, () => call(single, { key: seed.apiKey, json: event })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
    expect(await rowsOf(conversationId)).toBe(1);
    let pops = 0;
    for await (const row of stack.services.tables.screenPops.listEntities<{ pop: string }>({
      queryOptions: { filter: `PartitionKey eq '${demo.tenantId}|${demo.agentId}'` },
    }))
      if (JSON.parse(row.pop).conversationId === conversationId) pops++;
    expect(pops).toBe(1);
  });

  it("of one batch store each event once", async () => {
    const events = [...call3(), ...call3()];
    const answers = await Promise.all(Array.from({ length: 10 }, () => call(batch, { key: seed.apiKey, json: { events } })));
    for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
    expect(await rowsOf(events[0]!.conversationId)).toBe(3);
    expect(await rowsOf(events[3]!.conversationId)).toBe(3);
  });
});

describe("POST /v1/conversations/events/batch", () => {
  it("stores the events of several conversations in one request, one result each in order", async () => {
    const a = call3();
    const b = call3();
    const events = [a[2], b[0], a[0], b[1], a[1], b[2]];
    const res = await call(batch, { key: seed.apiKey, json: { events } });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: string; eventId: string }) => [r.status, r.eventId])).toEqual(
      events.map((e) => ["accepted", e.eventId]),
    );
    expect(await rowsOf(a[0]!.conversationId)).toBe(3);
    expect(await rowsOf(b[0]!.conversationId)).toBe(3);
  });

  it("refuses a batch with an event too long to store with 413, naming it, and stores none of the others", async () => {
    const a = call3();
    const b = call3();
    const tooLong = { ...b[1]!, note: "x".repeat(31_000) };
    const res = await call(batch, { key: seed.apiKey, json: { events: [a[0], a[1], tooLong, a[2]] } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: "payload_too_large", errors: [{ pointer: "#/events/2" }] });
    expect(await rowsOf(a[0]!.conversationId)).toBe(0);
    expect(await rowsOf(b[0]!.conversationId)).toBe(0);
  });

  it("is safe to retry: a resent batch, partly stored before, stores nothing twice and gets the same results", async () => {
    const a = call3();
    await call(single, { key: seed.apiKey, json: a[1] });
    const first = await call(batch, { key: seed.apiKey, json: { events: a } });
    const second = await call(batch, { key: seed.apiKey, json: { events: a } });
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(first.body.results.every((r: { status: string }) => r.status === "accepted")).toBe(true);
    expect(await rowsOf(a[0]!.conversationId)).toBe(3);
  });

  it("rejects only the event that reuses an id for other content, and stores the rest", async () => {
    const a = call3();
    await call(single, { key: seed.apiKey, json: a[0] });
    const changed = { ...a[0]!, occurredAt: "2026-11-24T09:59:00Z" };
    const res = await call(batch, { key: seed.apiKey, json: { events: [a[1], changed, a[2]] } });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(["accepted", "rejected", "accepted"]);
    expect(res.body.results[1].problem).toMatchObject({
      status: 409,
      code: "conflict",
      type: "urn:webcti:problem:conflict",
      errors: [{ pointer: "#/events/1/eventId" }],
    });
    expect(await rowsOf(a[0]!.conversationId)).toBe(3);
  });

  it("stores an event sent twice in one batch once; the same id with other content in the batch is rejected", async () => {
    const a = call3();
    const res = await call(batch, { key: seed.apiKey, json: { events: [a[0], a[0], { ...a[1]!, eventId: a[0]!.eventId }] } });
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(["accepted", "accepted", "rejected"]);
    expect(await rowsOf(a[0]!.conversationId)).toBe(1);
  });

  it("pops and answers matches for a ringing event inside a batch", async () => {
    const conversationId = `bp-${++n}`;
    const ringing = { type: "ringing", eventId: `${conversationId}:r`, conversationId, occurredAt: "2026-11-24T10:00:10Z", agentId: demo.agentId, customer: { phone: demo.numbers.oneContact } };
    const res = await call(batch, { key: seed.apiKey, json: { events: [...call3(conversationId).slice(0, 2), ringing] } });
    const result = res.body.results[2];
    expect(result).toMatchObject({ status: "accepted", matches: [{ type: "contact", id: "c-alice" }] });
    expect(result.screenPop.id).toMatch(/\.demo-agent$/);
  });

  describe("refuses a bad batch whole, storing nothing", () => {
    const cases: [string, () => unknown, number, string, string?][] = [
      ["an empty batch", () => ({ events: [] }), 400, "invalid_request", "#/events"],
      ["one invalid event", () => ({ events: [...call3(), { ...call3()[0], occurredAt: "yesterday" }] }), 400, "invalid_request", "#/events/3/occurredAt"],
      ["an agent of no tenant", () => ({ events: [...call3(), { ...call3()[0], type: "ringing", agentId: "nobody" }] }), 404, "not_found", "#/events/3/agentId"],
      ["more than 100 events", () => ({ events: Array.from({ length: 34 }, () => call3()).flat() }), 400, "invalid_request", "#/events"],
    ];
    it.each(cases)("%s", async (_name, json, status, code, pointer) => {
      const body = json() as { events: { conversationId: string }[] };
      const res = await call(batch, { key: seed.apiKey, json: body });
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.body.code).toBe(code);
      if (pointer) expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
      for (const id of new Set(body.events.map((e) => e.conversationId))) expect(await rowsOf(id)).toBe(0);
    });
  });
});
