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
