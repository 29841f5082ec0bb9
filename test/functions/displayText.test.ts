import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack, type ApiResponse } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { demo, type DemoSeed } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { tableNames } from "../../shared/storage/tables.js";

/**
 * Issue 16, item 9: one printable-text rule for every field a person sees. Each route that takes such a
 * field refuses control characters, bidi overrides and isolates and lone surrogates with a 400 whose
 * `errors` item points at the field and names the character, and stores nothing.
 */
let stack: Stack;
let seed: DemoSeed;
let cookie: string;

/** The refused characters, one of each kind. */
const refused: Array<[string, string, string]> = [
  ["a bell (C0)", "\u0007", "U+0007, a control character"],
  ["an escape (C0)", "\u001b", "U+001B, a control character"],
  ["DEL", "\u007f", "U+007F, a control character"],
  ["a C1 control", "\u0085", "U+0085, a control character"],
  ["a right-to-left override", "\u202e", "U+202E, a bidi override"],
  ["a left-to-right embedding", "\u202a", "U+202A, a bidi embedding"],
  ["a first-strong isolate", "\u2068", "U+2068, a bidi isolate"],
  ["a lone high surrogate", "\ud83d", "U+D83D, a lone surrogate"],
];

type Request = (text: string) => Promise<ApiResponse<any>>;

const partner = (method: string, path: string, json: unknown, headers: Record<string, string> = {}) =>
  call(`${stack.apiUrl}${path}`, { method, key: seed.apiKey, json, headers });
const agent = (method: string, path: string, json: unknown) => call(`${stack.apiUrl}${path}`, { method, json, headers: { cookie } });
const keyed = () => ({ "idempotency-key": randomUUID() });
const record = { type: "contact", id: "c-alice" };
const event = (type: string, fields: Record<string, unknown>) => ({
  type,
  eventId: `dt-${randomUUID()}`,
  conversationId: `dt-${randomUUID()}`,
  occurredAt: "2026-11-24T10:00:00Z",
  ...fields,
});

/** Every route and field the rule guards, with where the problem points. */
const fields: Array<[string, string, Request]> = [
  ["partner activity subject", "#/subject", (t) => partner("POST", "/v1/activities", { record, subject: `Call ${t}` }, keyed())],
  ["partner activity notes", "#/notes", (t) => partner("POST", "/v1/activities", { record, subject: "Call", notes: `line 1\n${t}` }, keyed())],
  ["partner activity disposition", "#/disposition", (t) => partner("POST", "/v1/activities", { record, subject: "Call", disposition: `Sold${t}` }, keyed())],
  ["partner activity from", "#/from", (t) => partner("POST", "/v1/activities", { record, subject: "Call", from: `+1206${t}` }, keyed())],
  ["agent activity subject", "#/subject", (t) => agent("POST", "/v1/agent/activities", { providerId: demo.providerId, record, subject: t })],
  ["agent activity change", "#/notes", (t) => agent("PATCH", "/v1/agent/activities/dt-logged", { providerId: demo.providerId, notes: t })],
  ["directory name", "#/name", (t) => partner("PUT", "/v1/directory/contacts/dt-new", { name: `Eve ${t}` })],
  ["directory title", "#/title", (t) => partner("PUT", "/v1/directory/contacts/dt-new", { name: "Eve", title: t })],
  ["directory notes", "#/notes", (t) => partner("PUT", "/v1/directory/contacts/dt-new", { name: "Eve", notes: t })],
  ["directory phone label", "#/phones/0/label", (t) => partner("PUT", "/v1/directory/contacts/dt-new", { name: "Eve", phones: [{ number: "+12065550199", label: t }] })],
  ["directory phone", "#/phones/0", (t) => partner("PUT", "/v1/directory/contacts/dt-new", { name: "Eve", phones: [`+1206555${t}0199`] })],
  [
    "directory batch name",
    "#/operations/0/record/name",
    (t) => partner("POST", "/v1/directory/batch", { operations: [{ op: "upsert", type: "contact", id: "dt-new", record: { name: t } }] }, keyed()),
  ],
  ["event queue", "#/queue", (t) => partner("POST", "/v1/conversations/events", event("queued", { queue: `Sales${t}` }))],
  ["event transfer queue", "#/toQueue", (t) => partner("POST", "/v1/conversations/events", event("transferred", { toQueue: t }))],
  ["event disposition", "#/disposition", (t) => partner("POST", "/v1/conversations/events", event("wrapUpCompleted", { disposition: t }))],
  ["event customer name", "#/customer/name", (t) => partner("POST", "/v1/conversations/events", event("initiated", { customer: { name: `Eve${t}` } }))],
  ["event customer phone", "#/customer/phone", (t) => partner("POST", "/v1/conversations/events", event("initiated", { customer: { phone: `+1206${t}5550199` } }))],
  [
    "analytics event name",
    "#/events/0/eventName",
    (t) => partner("POST", "/v1/analytics/events", { events: [{ ...event("x", {}), eventTimestamp: "2026-11-24T10:00:00Z", eventName: `csat${t}` }] }),
  ],
  [
    "analytics event reason",
    "#/events/0/eventReason",
    (t) => partner("POST", "/v1/analytics/events", { events: [{ ...event("x", {}), eventTimestamp: "2026-11-24T10:00:00Z", eventName: "csat", eventReason: t }] }),
  ],
  ["partner presence reason", "#/reason", (t) => partner("PUT", `/v1/agents/${demo.agentId}/presence`, { status: "away", reason: `Lunch${t}` })],
  ["agent presence reason", "#/reason", (t) => agent("PUT", "/v1/agent/presence", { status: "away", reason: t })],
];

/** Every row of every table, as text: a refused request must leave it as it was. */
async function everything(): Promise<string> {
  const all: string[] = [];
  for (const name of tableNames) {
    for await (const row of stack.services.tables[name].listEntities<Record<string, unknown>>()) {
      const { etag: _etag, timestamp: _timestamp, ...rest } = row as Record<string, unknown>;
      all.push(`${name} ${JSON.stringify(rest)}`);
    }
  }
  return all.sort().join("\n");
}

beforeAll(async () => {
  ({ stack, seed } = await startTestStack({ timers: false }));
  cookie = await signInCookie(stack.url);
  const logged = await agent("POST", "/v1/agent/activities", { activityId: "dt-logged", providerId: demo.providerId, record, subject: "Logged" });
  expect(logged.status).toBe(201);
});
afterAll(() => stack?.close());

describe("one printable-text rule for every displayed field", () => {
  it.each(fields)("%s: each refused kind of character is a 400 at %s that stores nothing", async (_name, pointer, send) => {
    const before = await everything();
    for (const [kind, character, detail] of refused) {
      const res = await send(character);
      expect(res.status, kind).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe("invalid_request");
      const item = res.body.errors.find((e: { pointer?: string }) => e.pointer === pointer);
      expect(item, `${kind}: ${JSON.stringify(res.body.errors)}`).toBeDefined();
      expect(item.detail).toContain(detail);
    }
    expect(await everything()).toBe(before);
  });

  it("keeps line feeds and tabs in notes, and any printable script, emoji and bidi marks", async () => {
    const notes = "Line 1\n\tindented: שלום عربي 📞 \u200f(RLM)\u200e (LRM)";
    const res = await partner("POST", "/v1/activities", { record, subject: "Call 📞 — Ünïcode עברית", notes }, keyed());
    expect(res.status).toBe(201);
    expect(res.body.notes).toBe(notes);
    const put = await partner("PUT", "/v1/directory/contacts/dt-ok", { name: "Ève O’Brien 李", title: "CEO", notes: "a\n\tb" });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
  });

  it("refuses a tab or a line break in a one-line field, and a carriage return even in notes", async () => {
    for (const [json, pointer] of [
      [{ record, subject: "Call\tnow" }, "#/subject"],
      [{ record, subject: "Call\nnow" }, "#/subject"],
      [{ record, subject: "Call", notes: "Windows\r\nline" }, "#/notes"],
    ] as const) {
      const res = await partner("POST", "/v1/activities", json, keyed());
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    }
  });
});
