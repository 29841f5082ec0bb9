import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Frame, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";
import { createServices } from "../../shared/services.js";
import { readConfig } from "../../shared/config.js";
import { putProvider } from "../../shared/tenancy/tenancyStore.js";

/**
 * Agent sessions in the reference desktop (widget protocol 1.2): screen pops open sessions shown in the
 * session bar, the agent switches between them, and a widget on the public SDK (the demo softphone)
 * creates, focuses and closes sessions and tabs. Also: a widget accepts only the desktops in its
 * `hostOrigins`, which it must give.
 */
let stack: RunningStack;
let browser: Browser;
let page: Page;
let originWidget: Server;
let originWidgetUrl: string;
let callNumber = 0;

const chips = () => page.locator("#session-bar .session-chip");
const chip = (title: string) => chips().filter({ hasText: title });
const focusedChip = () => page.locator('#session-bar .session-chip[data-focused="true"]');
const shownRecord = () => page.locator("#page [data-record-id]").first().getAttribute("data-record-id");

async function ring(phone: string): Promise<string> {
  callNumber += 1;
  const conversationId = `sessions-${callNumber}`;
  const response = await fetch(`${stack.apiUrl}/v1/conversations/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ type: "ringing", eventId: `${conversationId}:ringing`, conversationId, occurredAt: new Date().toISOString(), agentId: stack.agentId, customer: { phone } }),
  });
  expect(response.status).toBe(202);
  return conversationId;
}

async function frameOf(providerId: string): Promise<Frame> {
  const frame = await page.locator(`.webcti-panel[data-provider-id="${providerId}"] iframe`).elementHandle().then((h) => h?.contentFrame());
  if (!frame) throw new Error(`the ${providerId} frame is not there`);
  return frame;
}

/** A widget SDK call in the demo softphone's frame: its result, or its error's code and message. */
async function widget<T = unknown>(script: string): Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }> {
  return (await frameOf("demo-softphone")).evaluate(async (source) => {
    const host = (window as unknown as { webctiHost: unknown }).webctiHost;
    try {
      return { ok: true as const, value: await new Function("host", `return (${source})(host);`)(host) };
    } catch (e) {
      return { ok: false as const, error: { code: (e as { code: string }).code, message: (e as Error).message } };
    }
  }, script) as never;
}

/** A widget page on its own origin that accepts the hosts in its `?hostOrigins=` (none: the option left out). */
async function startOriginWidget(webctiUrl: string): Promise<Server> {
  const html = `<!doctype html><p id="status">Connecting…</p><script type="module">
    const { connectToHost } = await import(${JSON.stringify(`${webctiUrl}/webcti/widget.js`)});
    const given = new URLSearchParams(location.search).get("hostOrigins");
    const status = document.getElementById("status");
    try {
      const host = await connectToHost(given === null ? {} : { hostOrigins: given ? given.split(",") : [], handshakeTimeoutMs: 2000 });
      status.dataset.result = "connected";
      status.textContent = "connected to " + host.environment.agentId;
    } catch (error) {
      status.dataset.result = error.code;
      status.textContent = error.code + ": " + error.message;
    }
  </script>`;
  const server = createServer((_request, response) => response.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

beforeAll(async () => {
  stack = await startProductionStack();
  originWidget = await startOriginWidget(stack.url);
  originWidgetUrl = `http://127.0.0.1:${(originWidget.address() as AddressInfo).port}/`;
  const services = createServices(readConfig({ WEBCTI_TABLES_CONNECTION_STRING: stack.tablesConnectionString, WEBCTI_WEBPUBSUB_CONNECTION_STRING: stack.webPubSub.connectionString }));
  const desktop = new URL(stack.url).origin;
  // Three panels of the same widget page, hidden, on the page's own (trusted) origin: it lists the desktop; it lists another origin; it gives none.
  for (const [providerId, query, order] of [["lists-desktop", `?hostOrigins=${desktop}`, 40], ["lists-other", "?hostOrigins=http://127.0.0.1:9", 41], ["lists-none", "", 42]] as const) {
    await putProvider(services, {
      tenantId: stack.tenantId,
      providerId,
      label: providerId,
      panel: { widgetUrl: `${originWidgetUrl}${query}`, trustedOrigins: [new URL(originWidgetUrl).origin], order, clickToAct: false, defaultMode: "hidden" },
    });
  }
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  await page.goto(stack.url);
  await page.locator("[data-demo-sign-in]").click();
  await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 15_000 });
  await page.locator('.webcti-panel[data-provider-id="demo-softphone"][data-state="ready"]').waitFor({ timeout: 15_000 });
  await (await frameOf("demo-softphone")).evaluate(() => {
    const w = window as unknown as { webctiHost: { on(type: string, handler: (event: { type: string; session?: { sessionId: string }; sessionId?: string }) => void): void }; sessionEvents: string[] };
    w.sessionEvents = [];
    for (const type of ["sessionCreated", "sessionFocused", "sessionClosed", "tabCreated", "tabFocused"]) {
      w.webctiHost.on(type, (event) => w.sessionEvents.push(`${event.type} ${event.session?.sessionId ?? event.sessionId}`));
    }
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => originWidget?.close(resolve));
  await stack?.stop();
});

describe("agent sessions in the reference desktop", () => {
  it("opens a session chip for a pop, a second for a second call, and switches back to the first's record", async () => {
    await ring("+1 206 555 0101");
    await expect.poll(() => chips().count(), { timeout: 15_000 }).toBe(1);
    await expect(focusedChip().textContent()).resolves.toContain("Alice Johnson");
    await expect(chip("Alice Johnson").locator(".session-channel").textContent()).resolves.toBe("voice");
    await expect.poll(shownRecord).toBe("c-alice");

    await ring("+1 206 555 0150");
    await expect.poll(() => chips().count(), { timeout: 15_000 }).toBe(2);
    await expect.poll(() => focusedChip().textContent()).toContain("+12065550150");
    await page.locator("#page [data-page='search']").waitFor();

    await chip("Alice Johnson").locator(".session-switch").click();
    await expect.poll(() => focusedChip().textContent()).toContain("Alice Johnson");
    await expect(chip("Alice Johnson").locator(".session-switch").getAttribute("aria-current")).resolves.toBe("true");
    await expect.poll(shownRecord).toBe("c-alice");

    const seen = await widget<{ sessions: Array<{ title: string; conversationId: string; tabs: unknown[] }>; focusedSessionId: string; maxSessions: number }>("(host) => host.getSessions()");
    expect(seen.ok && seen.value).toMatchObject({
      focusedSessionId: "s-1",
      maxSessions: 10,
      sessions: [
        { sessionId: "s-1", title: "Alice Johnson", channel: "voice", conversationId: "sessions-1", tabs: [{ record: { type: "contact", id: "c-alice" } }] },
        { sessionId: "s-2", title: "+12065550150", conversationId: "sessions-2", tabs: [{ query: "+12065550150" }] },
      ],
    });
    const events = await (await frameOf("demo-softphone")).evaluate(() => (window as unknown as { sessionEvents: string[] }).sessionEvents);
    expect(events).toEqual(["sessionCreated s-1", "sessionFocused s-1", "tabCreated s-1", "tabFocused s-1", "sessionCreated s-2", "sessionFocused s-2", "tabCreated s-2", "tabFocused s-2", "sessionFocused s-1"]);
  });

  it("lets a widget create a session, open a record in it, badge it, set its context, focus and close it", async () => {
    const created = await widget<{ sessionId: string }>(`(host) => host.createSession({ title: "Chat with Bob", channel: "chat", context: { queue: "sales" }, focus: false })`);
    expect(created).toMatchObject({ ok: true, value: { sessionId: "s-3", title: "Chat with Bob", channel: "chat", createdBy: "demo-softphone", context: { queue: "sales" }, activityCount: 0 } });
    await expect.poll(() => chips().count()).toBe(3);
    await expect.poll(() => focusedChip().textContent()).toContain("Alice Johnson");

    await expect(widget(`(host) => host.notifySessionActivity("s-3", 2)`)).resolves.toMatchObject({ ok: true, value: { activityCount: 2 } });
    await expect.poll(() => chip("Chat with Bob").locator("[data-unread]").textContent()).toBe("2");
    await expect(widget(`(host) => host.updateSessionContext("s-3", { tier: "gold" })`)).resolves.toMatchObject({ ok: true, value: { context: { queue: "sales", tier: "gold" } } });

    await expect(widget(`(host) => host.focusSession("s-3")`)).resolves.toMatchObject({ ok: true, value: { sessionId: "s-3", activityCount: 0 } });
    await expect.poll(() => chip("Chat with Bob").locator("[data-unread]").count()).toBe(0);
    const tab = await widget(`(host) => host.createTab("s-3", { record: { type: "contact", id: "c-bob", name: "Bob Smith" } })`);
    expect(tab).toEqual({ ok: true, value: { tabId: "t-3", title: "Bob Smith", record: { type: "contact", id: "c-bob", name: "Bob Smith" } } });
    await expect.poll(shownRecord).toBe("c-bob");

    // Switching away and back shows the session's last tab.
    await chip("Alice Johnson").locator(".session-switch").click();
    await expect.poll(shownRecord).toBe("c-alice");
    await chip("Chat with Bob").locator(".session-switch").click();
    await expect.poll(shownRecord).toBe("c-bob");

    await expect(widget(`(host) => host.closeSession("s-3")`)).resolves.toEqual({ ok: true });
    await expect.poll(() => chips().count()).toBe(2);
    await expect.poll(() => focusedChip().textContent()).toContain("Alice Johnson");
  });

  it("refuses a bad tab and an unknown session with coded errors and changes nothing", async () => {
    const before = await widget("(host) => host.getSessions()");
    await expect(widget(`(host) => host.createTab("s-1", { record: { type: "contact", id: "c-bob" }, query: "x" })`)).resolves.toMatchObject({ ok: false, error: { code: "invalid_argument" } });
    await expect(widget(`(host) => host.focusSession("s-99")`)).resolves.toMatchObject({ ok: false, error: { code: "not_found" } });
    await expect(widget(`(host) => host.notifySessionActivity("s-1", -1)`)).resolves.toMatchObject({ ok: false, error: { code: "invalid_argument" } });
    await expect(widget("(host) => host.getSessions()")).resolves.toEqual(before);
  });

  it("closes a session from its chip's close button", async () => {
    await page.getByRole("button", { name: "Close session +12065550150" }).click();
    await expect.poll(() => chips().count()).toBe(1);
  });
});

describe("a widget's hostOrigins", () => {
  const status = async (providerId: string) => (await frameOf(providerId)).locator("#status");

  it("completes the handshake with a desktop it lists", async () => {
    await expect.poll(async () => (await status("lists-desktop")).getAttribute("data-result"), { timeout: 15_000 }).toBe("connected");
  });

  it("never completes it with a desktop on an origin it does not list", async () => {
    await expect.poll(async () => (await status("lists-other")).getAttribute("data-result"), { timeout: 15_000 }).toBe("handshake_failed");
    await expect(page.locator('.webcti-panel[data-provider-id="lists-other"]').getAttribute("data-state")).resolves.not.toBe("ready");
  });

  it("is required: without it the SDK refuses at once and never trusts the embedding page", async () => {
    await expect.poll(async () => (await status("lists-none")).getAttribute("data-result"), { timeout: 15_000 }).toBe("invalid_argument");
    await expect(page.locator('.webcti-panel[data-provider-id="lists-none"]').getAttribute("data-state")).resolves.not.toBe("ready");
  });
});
