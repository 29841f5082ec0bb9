// Bad input the product must refuse with a clear 400 instead of failing with a 500.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import type { Stack } from "../../local/stack.js";
import type { DemoSeed } from "../../local/seedDemo.js";
import { encodeOpaque } from "../../shared/storage/cursor.js";

/** A cursor is opaque, but a caller can forge one: anything WebCTI did not write is a 400, never a 500. */
let stack: Stack;
let seed: DemoSeed;

beforeAll(async () => {
  ({ stack, seed } = await startTestStack());
});
afterAll(() => stack?.close());

const base64 = (text: string) => Buffer.from(text).toString("base64");

describe("forged list cursors", () => {
  it.each([
    ["an inner token that is not JSON", encodeOpaque({ v: 1, t: "not-json-at-all" })],
    ["an inner token of JSON without a partition key", encodeOpaque({ v: 1, t: base64('{"nextRowKey":"x"}') })],
    ["an inner token of JSON that is not an object", encodeOpaque({ v: 1, t: base64("42") })],
    ["no cursor of ours at all", "%%%"],
  ])("refuses %s with 400 naming the cursor", async (_name, cursor) => {
    const res = await call(`${stack.apiUrl}/v1/webhooks/deliveries?cursor=${encodeURIComponent(cursor)}`, { key: seed.apiKey });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body).toMatchObject({ code: "invalid_request", errors: [{ parameter: "cursor" }] });
  });

  it("accepts a cursor shaped as the storage writes it", async () => {
    const cursor = encodeOpaque({ v: 1, t: base64(JSON.stringify({ nextPartitionKey: "x", nextRowKey: "y" })) });
    const res = await call(`${stack.apiUrl}/v1/webhooks/deliveries?cursor=${encodeURIComponent(cursor)}`, { key: seed.apiKey });
    expect(res.status).toBe(200);
  });
});

describe("deeply nested bodies", () => {
  const nested = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

  it.each([
    ["an unknown field of a conversation event", "/v1/conversations/events"],
    ["a directory record's custom data", "/v1/directory/contacts/deep-1"],
  ])("refuses %s nested 6,000 deep with 400 and stores nothing", async (_name, path) => {
    const body = `{"type":"ringing","eventId":"deep-1","conversationId":"deep-1","occurredAt":"2026-11-24T10:00:00Z","agentId":"demo-agent","name":"Deep","extra":${nested(6_000)}}`;
    const res = await fetch(`${stack.apiUrl}${path}`, {
      method: path.includes("directory") ? "PUT" : "POST",
      headers: { authorization: `Bearer ${seed.apiKey}`, "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "invalid_request", errors: [{ pointer: "#", detail: expect.stringContaining("nested deeper") }] });
    const read = await call(`${stack.apiUrl}/v1/conversations/deep-1`, { key: seed.apiKey });
    expect(read.status).toBe(404);
  });

  it("still takes a body nested as deep as a schema allows, and brackets inside strings", async () => {
    const res = await call(`${stack.apiUrl}/v1/conversations/events`, {
      key: seed.apiKey,
      json: { type: "ringing", eventId: "deep-2", conversationId: "deep-2", occurredAt: "2026-11-24T10:00:00Z", agentId: "demo-agent", note: "[[[[{{{{".repeat(100) },
    });
    expect(res.status).toBe(202);
  });
});
