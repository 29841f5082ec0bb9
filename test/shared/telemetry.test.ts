import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { WebPubSubClient, WebPubSubJsonReliableProtocol } from "@azure/web-pubsub-client";
import { createAgentClient, memoryStorage, type AgentClient } from "../../client/agent/index.js";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { demo, type DemoSeed } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";

// An in-memory exporter behind a real SDK (AsyncLocalStorage context), as WEBCTI_TELEMETRY=console/azure
// would register one; registered before the stack starts, in this test file's own process.
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();

let stack: Stack;
let seed: DemoSeed;
let cookie: string;
let n = 0;
const sockets: WebPubSubClient[] = [];
const clients: AgentClient[] = [];

beforeAll(async () => {
  ({ stack, seed } = await startTestStack());
  cookie = await signInCookie(stack.url);
});
afterAll(async () => {
  for (const s of sockets) s.stop();
  for (const c of clients) c.stop();
  await stack?.close();
  await provider.shutdown();
});

async function ring(): Promise<string> {
  n += 1;
  const res = await call(`${stack.apiUrl}/v1/conversations/events`, {
    key: seed.apiKey,
    json: { type: "ringing", eventId: `tr-${n}`, conversationId: `tr-call-${n}`, occurredAt: new Date().toISOString(), agentId: demo.agentId, customer: { phone: demo.numbers.oneContact } },
  });
  expect(res.status).toBe(202);
  return res.body.screenPop.id as string;
}

const spans = () => exporter.getFinishedSpans();
const named = (name: string, popId: string) =>
  spans().find((s) => s.name === name && Object.values(s.attributes).includes(popId));
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** The partner's request span for the event that made this pop, the event's span, and the rest of the trace. */
async function eventTrace(popId: string) {
  const push = await expect.poll(() => named("webcti.push", popId)).toBeDefined().then(() => named("webcti.push", popId)!);
  const traceId = push.spanContext().traceId;
  const inTrace = spans().filter((s) => s.spanContext().traceId === traceId);
  const request = inTrace.find((s) => s.name === "POST /api/v1/conversations/events")!;
  const event = inTrace.find((s) => s.name === "webcti.event")!;
  return { traceId, push, request, event, inTrace };
}

describe("one trace from the partner's event to the agent's ack", () => {
  it("records the event request, the event, and its look-up, event store, push and pop store", async () => {
    const popId = await ring();
    const { request, event, push, inTrace } = await eventTrace(popId);
    expect(request.attributes).toMatchObject({ "webcti.tenant_id": demo.tenantId, "http.response.status_code": 202 });
    expect(parentOf(event)).toBe(request.spanContext().spanId);
    expect(event.attributes).toMatchObject({ "webcti.pop_id": popId, "webcti.conversation_id": `tr-call-${n}`, "webcti.event_id": `tr-${n}` });
    for (const name of ["webcti.lookup", "webcti.event.store", "webcti.push"]) {
      const child = inTrace.find((s) => s.name === name);
      expect(child, name).toBeDefined();
      expect(parentOf(child!), name).toBe(event.spanContext().spanId);
    }
    await expect.poll(() => inTraceOf(request).some((s) => s.name === "webcti.pop.store")).toBe(true);
    expect(push.attributes["webcti.pop_id"]).toBe(popId);
  });

  it("pushes the pop with its traceparent, and the ack that sends it back joins the pop's trace", async () => {
    const { body } = await call(`${stack.apiUrl}/v1/agent/negotiate`, { method: "POST", headers: { cookie } });
    const ws = new WebPubSubClient(body.url, { protocol: WebPubSubJsonReliableProtocol(), autoReconnect: false });
    sockets.push(ws);
    const received: Array<{ pop?: { id: string }; traceparent?: string }> = [];
    ws.on("server-message", (e) => void received.push(e.message.data as (typeof received)[number]));
    await ws.start();

    const popId = await ring();
    await expect.poll(() => received.find((m) => m.pop?.id === popId)).toBeDefined();
    const message = received.find((m) => m.pop?.id === popId)!;
    const { traceId, push } = await eventTrace(popId);
    expect(message.traceparent).toBe(`00-${traceId}-${push.spanContext().spanId}-01`);

    const ack = await call(`${stack.apiUrl}/v1/agent/screen-pops/${popId}/ack`, { method: "POST", headers: { cookie, traceparent: message.traceparent! } });
    expect(ack.status).toBe(200);
    const ackRequest = await expect
      .poll(() => named("POST /api/v1/agent/screen-pops/{popId}/ack", popId) ?? spans().find((s) => s.name.endsWith("/ack") && s.spanContext().traceId === traceId))
      .toBeDefined()
      .then(() => spans().find((s) => s.name.endsWith("/ack") && s.spanContext().traceId === traceId)!);
    expect(ackRequest.spanContext().traceId).toBe(traceId);
    expect(parentOf(ackRequest)).toBe(push.spanContext().spanId);
    const ackStore = spans().find((s) => s.name === "webcti.pop.ack" && s.attributes["webcti.pop_id"] === popId)!;
    expect(ackStore.spanContext().traceId).toBe(traceId);
    expect(parentOf(ackStore)).toBe(ackRequest.spanContext().spanId);
    expect(ackStore.links).toEqual([]); // already in the event's trace
  });

  it("the browser client sends the pushed traceparent with its ack", async () => {
    const opened: string[] = [];
    const client = createAgentClient({
      adapter: { openRecord: (_r, pop) => void opened.push(pop.id), openSearch: () => {}, openNewRecord: () => {} },
      apiBase: stack.apiUrl,
      headers: { cookie },
      storage: memoryStorage(),
    });
    clients.push(client);
    await client.start();
    const popId = await ring();
    await expect.poll(() => opened).toContain(popId);
    const { traceId } = await eventTrace(popId);
    await expect
      .poll(() => spans().some((s) => s.name === "webcti.pop.ack" && s.attributes["webcti.pop_id"] === popId && s.spanContext().traceId === traceId))
      .toBe(true);
    client.stop(); // the next test acknowledges its pops itself
  });

  it("an ack without a traceparent, or with a malformed one, starts its own trace and still succeeds", async () => {
    for (const traceparent of [undefined, "00-00000000000000000000000000000000-0000000000000000-01", "garbage"]) {
      const popId = await ring();
      const { traceId } = await eventTrace(popId);
      const headers: Record<string, string> = { cookie, ...(traceparent ? { traceparent } : {}) };
      const ack = await call(`${stack.apiUrl}/v1/agent/screen-pops/${popId}/ack`, { method: "POST", headers });
      expect(ack.status).toBe(200);
      await expect.poll(() => spans().find((s) => s.name === "webcti.pop.ack" && s.attributes["webcti.pop_id"] === popId)).toBeDefined();
      const ackStore = spans().find((s) => s.name === "webcti.pop.ack" && s.attributes["webcti.pop_id"] === popId)!;
      expect(ackStore.spanContext().traceId).not.toBe(traceId);
      // The pop row kept the event's trace: the ack's store span links to the event's span.
      const eventSpan = spans().find((s) => s.name === "webcti.event" && s.spanContext().traceId === traceId)!;
      expect(ackStore.links.map((l) => l.context.spanId)).toEqual([eventSpan.spanContext().spanId]);
    }
  });
});

function inTraceOf(span: ReadableSpan): ReadableSpan[] {
  return spans().filter((s) => s.spanContext().traceId === span.spanContext().traceId);
}
