import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Frame, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";
import { createServices } from "../../shared/services.js";
import { readConfig } from "../../shared/config.js";
import { getProvider, putProvider } from "../../shared/tenancy/tenancyStore.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";

/**
 * Widget protocol 1.3 in Chromium: the call lifecycle from the widget. The demo softphone's page (written
 * against the public SDK), as the widget of a provider whose panel has `conversationEvents: true`, reports
 * its calls with reportConversationEvent — stored as the partner API stores them, popping the caller's
 * record once per call — and hears the conversation's events, from its provider's server and its own, as
 * `conversationEvent` events, each once.
 */
const providerId = "lifecycle-phone";
let stack: RunningStack;
let apiKey: string;
let browser: Browser;
let page: Page;

type Outcome<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };
type Heard = { source: string; type: string; eventId: string; conversationId: string };

async function softphone(): Promise<Frame> {
  const frame = await page.locator(`.webcti-panel[data-provider-id="${providerId}"] iframe`).elementHandle().then((h) => h?.contentFrame());
  if (!frame) throw new Error("the softphone's frame is not there");
  return frame;
}

/** A widget SDK call in the softphone's frame: its result, or its error's code, message and details. */
async function widget<T = unknown>(script: string): Promise<Outcome<T>> {
  return (await softphone()).evaluate(async (source) => {
    const host = (window as unknown as { webctiHost: unknown }).webctiHost;
    try {
      return { ok: true as const, value: await new Function("host", `return (${source})(host);`)(host) };
    } catch (e) {
      const error = e as { code: string; message: string; details?: Record<string, unknown> };
      return { ok: false as const, error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
    }
  }, script) as never;
}

const heard = async (conversationId: string): Promise<Heard[]> =>
  (await (await softphone()).evaluate(() => (window as unknown as { heard: Heard[] }).heard)).filter((h) => h.conversationId === conversationId);

function report(fields: Record<string, unknown>) {
  return widget<{ eventId: string; screenPop: { id: string } | null; matches?: Array<{ id: string }> }>(`(host) => host.reportConversationEvent(${JSON.stringify(fields)})`);
}

async function partnerEvent(event: Record<string, unknown>): Promise<number> {
  const response = await fetch(`${stack.apiUrl}/v1/conversations/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(event),
  });
  await response.body?.cancel();
  return response.status;
}

const shownRecord = () => page.locator("#page [data-record-id]").first().getAttribute("data-record-id");

beforeAll(async () => {
  stack = await startProductionStack();
  const services = createServices(readConfig({ WEBCTI_TABLES_CONNECTION_STRING: stack.tablesConnectionString, WEBCTI_WEBPUBSUB_CONNECTION_STRING: stack.webPubSub.connectionString }));
  const demoPanel = (await getProvider(services, stack.tenantId, "demo-softphone"))!.panel!;
  const panel = { widgetUrl: demoPanel.widgetUrl, trustedOrigins: demoPanel.trustedOrigins, order: 20, clickToAct: false, conversationEvents: true };
  await putProvider(services, { tenantId: stack.tenantId, providerId, label: "Lifecycle phone", panel });
  ({ apiKey } = await issuePartnerKey(services.tables, stack.tenantId, providerId, new Date()));
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  await page.goto(stack.url);
  await page.locator("[data-demo-sign-in]").click();
  await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 15_000 });
  await page.locator(`.webcti-panel[data-provider-id="${providerId}"][data-state="ready"]`).waitFor({ timeout: 15_000 });
  await (await softphone()).evaluate(() => {
    const w = window as unknown as { webctiHost: { on(type: string, handler: (event: { source: string; event: Record<string, string> }) => void): void }; heard: Heard[] };
    w.heard = [];
    w.webctiHost.on("conversationEvent", ({ source, event }) => w.heard.push({ source, type: event.type!, eventId: event.eventId!, conversationId: event.conversationId! }));
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the call lifecycle from the widget (protocol 1.3)", () => {
  it("says so in the handshake", async () => {
    const hello = await widget<{ protocolVersion: string; capabilities: string[] }>("(host) => ({ protocolVersion: host.protocolVersion, capabilities: host.capabilities })");
    expect(hello).toMatchObject({ ok: true, value: { protocolVersion: "1.3" } });
    expect(hello.ok && hello.value.capabilities).toContain("conversations");
  });

  it("stores a ringing call the widget reports and pops the caller's record, with the matches in the answer", async () => {
    const at = new Date().toISOString();
    const answer = await report({ type: "ringing", eventId: "w1:ringing", conversationId: "w1", occurredAt: at, agentId: stack.agentId, customer: { phone: "+1 206 555 0101" } });
    expect(answer).toMatchObject({ ok: true, value: { eventId: "w1:ringing", conversationId: "w1", matches: [{ type: "contact", id: "c-alice" }] } });
    expect(answer.ok && answer.value.screenPop).not.toBeNull();
    await expect.poll(shownRecord, { timeout: 15_000 }).toBe("c-alice");

    // The partner's server sees the event the widget reported, as its own.
    const stored = await fetch(`${stack.apiUrl}/v1/conversations/w1`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(stored.status).toBe(200);
    expect(await stored.json()).toMatchObject({ conversationId: "w1", state: "active", legs: [{ state: "ringing", agentId: stack.agentId }] });
  });

  it("pops once per call: the provider's server reporting the same ring pops nothing more", async () => {
    const first = await report({ type: "ringing", eventId: "w2:ringing:widget", conversationId: "w2", occurredAt: new Date().toISOString(), agentId: stack.agentId, customer: { phone: "+1 206 555 0101" } });
    expect(first.ok && first.value.screenPop).not.toBeNull();
    const response = await fetch(`${stack.apiUrl}/v1/conversations/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "ringing", eventId: "w2:ringing:server", conversationId: "w2", occurredAt: new Date().toISOString(), agentId: stack.agentId, customer: { phone: "+1 206 555 0101" } }),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ eventId: "w2:ringing:server", screenPop: null });
  });

  it("hears the conversation's events from the provider's server and from itself, each once, in the order they came", async () => {
    const base = { conversationId: "w3", agentId: stack.agentId, customer: { phone: "+1 206 555 0150" } };
    const t = Date.now();
    expect((await report({ ...base, type: "ringing", eventId: "w3:ringing", occurredAt: new Date(t).toISOString() })).ok).toBe(true);
    const answered = { ...base, type: "answered", eventId: "w3:answered", occurredAt: new Date(t + 2_000).toISOString() };
    expect(await partnerEvent(answered)).toBe(202);
    expect(await partnerEvent(answered)).toBe(202); // a retry: stored once, pushed again, heard once
    expect((await report({ ...base, type: "ended", eventId: "w3:ended", occurredAt: new Date(t + 30_000).toISOString(), endedBy: "customer" })).ok).toBe(true);
    await expect.poll(() => heard("w3"), { timeout: 15_000 }).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 500)); // nothing more comes
    expect(await heard("w3")).toEqual([
      { source: "agent", type: "ringing", eventId: "w3:ringing", conversationId: "w3" },
      { source: "partner", type: "answered", eventId: "w3:answered", conversationId: "w3" },
      { source: "agent", type: "ended", eventId: "w3:ended", conversationId: "w3" },
    ]);
    const stored = await fetch(`${stack.apiUrl}/v1/conversations/w3`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(await stored.json()).toMatchObject({ state: "wrapUp" });
  });

  it("refuses another agent's event and a malformed one with coded errors, storing nothing", async () => {
    const at = new Date().toISOString();
    const other = await report({ type: "ringing", eventId: "w4:ringing", conversationId: "w4", occurredAt: at, agentId: "someone-else" });
    expect(other).toMatchObject({ ok: false, error: { code: "forbidden", details: { status: 403, apiCode: "forbidden" } } });
    const malformed = await report({ type: "answered", eventId: "w4:answered", conversationId: "w4", agentId: stack.agentId });
    expect(malformed).toMatchObject({ ok: false, error: { code: "invalid_argument", details: { status: 400, errors: [expect.objectContaining({ pointer: "#/occurredAt" })] } } });
    await expect(widget("(host) => host.reportConversationEvent(null)")).resolves.toMatchObject({ ok: false, error: { code: "invalid_argument" } });
    const stored = await fetch(`${stack.apiUrl}/v1/conversations/w4`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(stored.status).toBe(404);
    await stored.body?.cancel();
  });
});
