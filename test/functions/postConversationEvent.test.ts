import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import type { Stack } from "../../local/stack.js";
import type { DemoSeed } from "../../local/seedDemo.js";
import { demo } from "../../local/seedDemo.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putTenant, putProvider, putAgent } from "../../shared/tenancy/tenancyStore.js";
import { agentUserId } from "../../shared/realtime/agentPush.js";
import { connectClient, stopAllClients, waitFor } from "../local/webpubsub/support.js";

let stack: Stack;
let seed: DemoSeed;
let events: string;
let n = 0;

function ringing(overrides: Record<string, unknown> = {}) {
  n += 1;
  return {
    type: "ringing",
    eventId: `evt-${n}`,
    conversationId: `call-${n}`,
    occurredAt: "2026-11-24T10:00:00Z",
    agentId: demo.agentId,
    customer: { phone: demo.numbers.oneContact },
    ...overrides,
  };
}

async function storedEventCount(): Promise<number> {
  let count = 0;
  for await (const _ of stack.services.tables.conversations.listEntities({ queryOptions: { filter: "RowKey ge 'event|' and RowKey lt 'event}'" } })) count++;
  return count;
}

beforeAll(async () => {
  ({ stack, seed } = await startTestStack());
  events = `${stack.apiUrl}/v1/conversations/events`;
});
afterAll(() => stack?.close());

describe("POST /v1/conversations/events", () => {
  it("pops the one matching contact and lets the partner read the pop back", async () => {
    const event = ringing();
    const res = await call(events, { key: seed.apiKey, json: event });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ eventId: event.eventId, conversationId: event.conversationId });
    expect(res.body.screenPop.id).toMatch(/^\d{20}\.demo-agent$/);

    const pop = await call(`${stack.url}${res.body.screenPop.href}`, { key: seed.apiKey });
    expect(pop.status).toBe(200);
    expect(pop.body).toMatchObject({
      status: "queued",
      agentId: demo.agentId,
      target: { kind: "record", record: { type: "contact", id: "c-alice", name: "Alice Johnson" } },
    });
  });

  it("pops a search when two contacts share the number, and a prefilled new contact for an unknown one", async () => {
    const shared = await call(events, { key: seed.apiKey, json: ringing({ customer: { phone: demo.numbers.sharedByTwo } }) });
    const sharedPop = await call(`${stack.url}${shared.body.screenPop.href}`, { key: seed.apiKey });
    expect(sharedPop.body.target.kind).toBe("search");
    expect(sharedPop.body.target.results.map((r: { id: string }) => r.id).sort()).toEqual(["c-bob", "c-carol"]);

    const unknown = await call(events, { key: seed.apiKey, json: ringing({ customer: { phone: "(206) 555-0199" } }) });
    const unknownPop = await call(`${stack.url}${unknown.body.screenPop.href}`, { key: seed.apiKey });
    expect(unknownPop.body.target).toEqual({ kind: "newRecord", recordType: "contact", prefill: { phone: "+12065550199" } });
  });

  it("answers a retry with the same body and stores nothing twice; a changed body under the same id is a conflict", async () => {
    const event = ringing();
    const first = await call(events, { key: seed.apiKey, json: event });
    const before = await storedEventCount();
    const again = await Promise.all([1, 2, 3].map(() => call(events, { key: seed.apiKey, json: event })));
    for (const res of again) {
      expect(res.status).toBe(202);
      expect(res.body).toEqual(first.body);
    }
    expect(await storedEventCount()).toBe(before);

    const changed = await call(events, { key: seed.apiKey, json: { ...event, occurredAt: "2026-11-24T10:00:05Z" } });
    expect(changed.status).toBe(409);
    expect(changed.headers.get("content-type")).toBe("application/problem+json");
    expect(await storedEventCount()).toBe(before);
  });

  it("pushes a retried event's pop under the first attempt's id, never a second pop", async () => {
    const agent = await connectClient(stack.services.push, { userId: agentUserId(demo.tenantId, demo.agentId) });
    try {
      const event = ringing();
      const first = await call(events, { key: seed.apiKey, json: event });
      for (const _ of [1, 2]) expect((await call(events, { key: seed.apiKey, json: event })).body).toEqual(first.body);
      const pushedIds = () =>
        agent.server.map((m) => (m.data as { kind?: string; pop?: { id: string; eventId: string } })).filter((d) => d.kind === "screenPop" && d.pop?.eventId === event.eventId).map((d) => d.pop!.id);
      await waitFor(() => pushedIds().length >= 3, 5_000, "a push per attempt (the pop is still queued)");
      expect(new Set(pushedIds())).toEqual(new Set([first.body.screenPop.id]));
    } finally {
      await stopAllClients();
    }
  });

  it("does not pop on answered or ended under the default policy", async () => {
    const ring = ringing();
    const answered = await call(events, { key: seed.apiKey, json: { ...ring, type: "answered", eventId: `${ring.eventId}-a` } });
    expect(answered.status).toBe(202);
    expect(answered.body.screenPop).toBeNull();
  });

  describe("bad input gets problem+json and stores nothing", () => {
    const cases: Array<[string, () => Parameters<typeof call>[1], number, string]> = [
      ["malformed JSON", () => ({ key: seed.apiKey, body: "{not json", headers: { "content-type": "application/json" } }), 400, "invalid_request"],
      ["a wrong type", () => ({ key: seed.apiKey, json: ringing({ occurredAt: 12 }) }), 400, "invalid_request"],
      ["an event without a type", () => ({ key: seed.apiKey, json: ringing({ type: undefined }) }), 400, "invalid_request"],
      ["no key", () => ({ json: ringing() }), 401, "unauthenticated"],
      ["a wrong key", () => ({ key: "wcti_aaaaaaaaaaaaaaaa_" + "A".repeat(43), json: ringing() }), 401, "unauthenticated"],
      ["a malformed key", () => ({ key: "letmein", json: ringing() }), 401, "unauthenticated"],
      ["an agent that does not exist", () => ({ key: seed.apiKey, json: ringing({ agentId: "nobody" }) }), 404, "not_found"],
      ["a body over the limit", () => ({ key: seed.apiKey, json: ringing({ customer: { name: "x".repeat(40_000) } }) }), 413, "payload_too_large"],
      ["a non-JSON content type", () => ({ key: seed.apiKey, body: "type=ringing", headers: { "content-type": "application/x-www-form-urlencoded" } }), 415, "unsupported_media_type"],
    ];
    it.each(cases)("%s", async (_name, init, status, code) => {
      const before = await storedEventCount();
      const res = await call(events, init());
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.body).toMatchObject({ status, code, type: `urn:webcti:problem:${code}` });
      expect(typeof res.body.detail).toBe("string");
      expect(await storedEventCount()).toBe(before);
    });

    it("points at the invalid field", async () => {
      const res = await call(events, { key: seed.apiKey, json: ringing({ occurredAt: "yesterday" }) });
      expect(res.body.errors).toEqual([expect.objectContaining({ pointer: "#/occurredAt" })]);
    });
  });

  it("keeps tenants apart: another tenant's key cannot pop this tenant's agent or read its pops", async () => {
    const services = stack.services;
    await putTenant(services, { tenantId: "fabrikam", name: "Fabrikam" });
    await putProvider(services, { tenantId: "fabrikam", providerId: "other", label: "Other" });
    await putAgent(services, { tenantId: "fabrikam", agentId: "other-agent", displayName: "Other" });
    const { apiKey: otherKey } = await issuePartnerKey(services.tables, "fabrikam", "other", new Date());

    const ours = await call(events, { key: seed.apiKey, json: ringing() });
    const theirs = await call(events, { key: otherKey, json: ringing() }); // demo-agent is not theirs
    expect(theirs.status).toBe(404);
    const read = await call(`${stack.url}${ours.body.screenPop.href}`, { key: otherKey });
    expect(read.status).toBe(404);
  });

  it("keeps a pop to its provider: another provider of the same tenant reads not_found", async () => {
    await putProvider(stack.services, { tenantId: demo.tenantId, providerId: "second-provider", label: "Second" });
    const { apiKey: secondKey } = await issuePartnerKey(stack.services.tables, demo.tenantId, "second-provider", new Date());
    const ours = await call(events, { key: seed.apiKey, json: ringing() });
    expect((await call(`${stack.url}${ours.body.screenPop.href}`, { key: seed.apiKey })).status).toBe(200);
    const read = await call(`${stack.url}${ours.body.screenPop.href}`, { key: secondKey });
    expect(read.status).toBe(404);
    expect(read.body).toMatchObject({ code: "not_found" });
  });
});
