import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack, uniquePrefix } from "../support/stack.js";
import type { Stack } from "../../local/stack.js";
import type { DemoSeed } from "../../local/seedDemo.js";
import { demo } from "../../local/seedDemo.js";

let stack: Stack;
let seed: DemoSeed;
const post = (events: unknown[]) => call(`${stack.apiUrl}/v1/analytics/events`, { key: seed.apiKey, json: { events } });

async function analyticsRows(conversationId: string): Promise<{ eventName: string; eventTimestamp: string }[]> {
  const rows: { eventName: string; eventTimestamp: string }[] = [];
  for await (const row of stack.services.tables.conversations.listEntities<{ eventName: string; eventTimestamp: string }>({
    queryOptions: { filter: `PartitionKey eq '${demo.tenantId}|${demo.providerId}|${conversationId}' and RowKey ge 'analytics|' and RowKey lt 'analytics}'` },
  }))
    rows.push({ eventName: row.eventName, eventTimestamp: row.eventTimestamp });
  return rows;
}

beforeAll(async () => {
  ({ stack, seed } = await startTestStack());
});
afterAll(() => stack?.close());

describe("partner analytics events (CIF 2.0 logAnalyticsEvent)", () => {
  it("stores each event once by its id, whatever is resent, and rejects an id reused for other content", async () => {
    const conversationId = `${uniquePrefix()}-c`;
    const event = (eventId: string, eventName: string) => ({
      eventId,
      conversationId,
      sessionId: "s-1",
      participantId: "agent-1",
      eventName,
      eventReason: "post-call",
      eventTimestamp: "2026-11-02T09:07:00+01:00",
      customData: { score: 4 },
    });
    const first = await post([event("a1", "surveyOffered"), event("a2", "surveyAnswered"), event("a1", "surveyOffered")]);
    expect(first.status).toBe(200);
    expect(first.body.results.map((r: { status: string }) => r.status)).toEqual(["accepted", "accepted", "accepted"]);
    const again = await post([event("a2", "surveyAnswered"), event("a1", "surveyDeclined")]);
    expect(again.body.results.map((r: { status: string }) => r.status)).toEqual(["accepted", "rejected"]);
    expect(again.body.results[1].problem).toMatchObject({ status: 409, code: "conflict", errors: [{ pointer: "#/events/1/eventId" }] });
    const rows = await analyticsRows(conversationId);
    expect(rows.map((r) => r.eventName).sort()).toEqual(["surveyAnswered", "surveyOffered"]);
    expect(rows[0]!.eventTimestamp).toBe("2026-11-02T08:07:00.000Z");
  });

  it("refuses a batch with an event too long to store with 413 and stores none of it", async () => {
    const conversationId = `${uniquePrefix()}-big`;
    const event = (eventId: string, customData: Record<string, unknown>) => ({
      eventId, conversationId, sessionId: "s-1", participantId: "agent-1", eventName: "bulk", eventReason: "test",
      eventTimestamp: "2026-11-02T09:07:00Z", customData,
    });
    const res = await post([event("ok-1", { score: 1 }), event("big-1", { blob: "x".repeat(31_000) })]);
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body).toMatchObject({ code: "payload_too_large", errors: [{ pointer: "#/events/1" }] });
    expect(await analyticsRows(conversationId)).toEqual([]);
  });

  it("does not disturb the conversation it belongs to", async () => {
    const conversationId = `${uniquePrefix()}-c`;
    const initiated = { type: "initiated", eventId: `${conversationId}-1`, conversationId, occurredAt: "2026-11-02T09:00:00Z" };
    expect((await call(`${stack.apiUrl}/v1/conversations/events`, { key: seed.apiKey, json: initiated })).status).toBe(202);
    await post([{ eventId: "x1", conversationId, eventName: "transcriptReady", eventTimestamp: "2026-11-02T09:01:00Z" }]);
    const conversation = await call(`${stack.apiUrl}/v1/conversations/${conversationId}`, { key: seed.apiKey });
    expect(conversation.body.eventCount).toBe(1);
  });
});
