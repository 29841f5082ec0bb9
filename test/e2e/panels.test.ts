import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Frame, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";
import { createServices } from "../../shared/services.js";
import { readConfig } from "../../shared/config.js";
import { putProvider } from "../../shared/tenancy/tenancyStore.js";
import { deleteEndpoint } from "../../shared/webhooks/endpointStore.js";
import { demo } from "../../local/seedDemo.js";

/**
 * The demo softphone as a partner widget in the reference desktop: handshake across origins, panel modes
 * and sizes from both sides, click-to-act, re-handshake after the widget reloads, an untrusted frame.
 */
let stack: RunningStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleLines: string[] = [];

const panel = (providerId = "demo-softphone") => page.locator(`.webcti-panel[data-provider-id="${providerId}"]`);

async function frameOf(providerId: string): Promise<Frame> {
  const frame = await panel(providerId).locator("iframe").elementHandle().then((h) => h?.contentFrame());
  if (!frame) throw new Error(`the ${providerId} frame is not there`);
  return frame;
}
const softphone = () => frameOf("demo-softphone");

/** Runs a widget SDK call inside the softphone frame and returns its result or its error's fields. */
async function widget<T = unknown>(script: string): Promise<{ ok: true; value: T } | { ok: false; error: { name: string; code: string; message: string; correlationId: string; details?: Record<string, unknown> } }> {
  return (await softphone()).evaluate(async (source) => {
    const host = (window as unknown as { webctiHost: unknown }).webctiHost;
    try {
      const value = await new Function("host", `return (${source})(host);`)(host);
      return { ok: true as const, value };
    } catch (e) {
      const error = e as { name: string; code: string; message: string; correlationId: string; details?: Record<string, unknown> };
      return { ok: false as const, error: { name: error.name, code: error.code, message: error.message, correlationId: error.correlationId, details: error.details } };
    }
  }, script) as never;
}

async function waitReady() {
  await panel().and(page.locator('[data-state="ready"]')).waitFor({ timeout: 15_000 });
  await (await softphone()).locator('#status[data-state="connected"]').waitFor({ timeout: 15_000 });
}

beforeAll(async () => {
  stack = await startProductionStack();
  // A second provider whose widget page is on an origin it does not trust: its frame must get nothing.
  const services = createServices(
    readConfig({ WEBCTI_TABLES_CONNECTION_STRING: stack.tablesConnectionString, WEBCTI_WEBPUBSUB_CONNECTION_STRING: stack.webPubSub.connectionString }),
  );
  await putProvider(services, {
    tenantId: stack.tenantId,
    providerId: "untrusted-chat",
    label: "Untrusted Chat",
    panel: {
      widgetUrl: `${stack.widgetUrl}/softphone/`,
      trustedOrigins: ["http://127.0.0.1:9"],
      order: 20,
      clickToAct: true,
      defaultMode: "docked",
      width: { default: 300, min: 240, max: 600 },
    },
  });
  // A widget that loads the SDK with one classic script tag.
  await putProvider(services, {
    tenantId: stack.tenantId,
    providerId: "script-tag",
    label: "Script Tag Widget",
    // Hidden (behind its launcher) and without click-to-act, so the other tests see the layout and clicks as before.
    panel: { widgetUrl: `${stack.widgetUrl}/minimal/`, trustedOrigins: [new URL(stack.widgetUrl).origin], order: 30, clickToAct: false, defaultMode: "hidden" },
  });
  // The demo dialer (no widget) takes the clicks no widget takes; without its endpoint, the widget's own
  // click-to-act switch is tested alone (the webhook fallback: clickToActWebhook.test.ts).
  await deleteEndpoint(services, stack.tenantId, demo.dialerProviderId);
  browser = await launchChromium();
  context = await browser.newContext();
  page = await context.newPage();
  page.on("console", (message) => consoleLines.push(message.text()));
  await page.goto(stack.url);
  await page.locator("[data-demo-sign-in]").click();
  await waitReady();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("partner widget panel", () => {
  it("hands the widget the protocol version, capabilities and environment", async () => {
    const hello = await widget<{ protocolVersion: string; capabilities: string[]; environment: { agentId: string; agentName: string; tenantId: string; providerId: string; locale: string } }>(
      "async (host) => ({ protocolVersion: host.protocolVersion, capabilities: host.capabilities, environment: host.environment })",
    );
    expect(hello.ok).toBe(true);
    if (!hello.ok) return;
    expect(hello.value.protocolVersion).toBe("1.3");
    expect(hello.value.capabilities).toEqual(expect.arrayContaining(["panel.mode", "panel.size", "clickToAct", "openRecord"]));
    expect(hello.value.environment).toMatchObject({ tenantId: stack.tenantId, agentId: stack.agentId, agentName: "Dana Reyes", providerId: "demo-softphone" });
    await expect((await softphone()).locator("#agent").textContent()).resolves.toBe("Agent: Dana Reyes");
  });

  it("connects a widget that loads the SDK with one classic script tag", async () => {
    await panel("script-tag").and(page.locator('[data-state="ready"]')).waitFor({ state: "attached", timeout: 15_000 });
    await expect((await frameOf("script-tag")).locator("#status").textContent()).resolves.toBe("Hello Dana Reyes");
  });

  it("lets the widget size its panel within the limits and rejects the rest with a coded error", async () => {
    const resized = await widget<{ width: number; mode: string }>("(host) => host.setPanelSize(480)");
    expect(resized).toEqual({ ok: true, value: expect.objectContaining({ width: 480, mode: "docked", limits: { width: { min: 240, max: 800 } } }) });
    await expect(panel().evaluate((el) => el.getBoundingClientRect().width)).resolves.toBe(480);

    const tooWide = await widget("(host) => host.setPanelSize(5000)");
    expect(tooWide).toEqual({
      ok: false,
      error: expect.objectContaining({ name: "WidgetError", code: "out_of_range", details: { min: 240, max: 800 }, correlationId: expect.stringMatching(/.+/) }),
    });
    expect(tooWide.ok || tooWide.error.message).toContain("between 240 and 800");
    const badMode = await widget("(host) => host.setPanelMode('sideways')");
    expect(badMode).toEqual({ ok: false, error: expect.objectContaining({ code: "invalid_argument" }) });
    await expect(panel().evaluate((el) => el.getBoundingClientRect().width)).resolves.toBe(480);
  });

  it("tells the widget when the agent changes the mode, and keeps mode and width across a reload", async () => {
    await (await softphone()).evaluate(() => {
      const w = window as unknown as { modeEvents: string[]; webctiHost: { on(type: string, fn: (e: { mode: string }) => void): void } };
      w.modeEvents = [];
      w.webctiHost.on("panelModeChanged", (e) => w.modeEvents.push(e.mode));
    });
    await panel().locator('button[data-mode="minimized"]').click();
    await expect(panel().getAttribute("data-mode")).resolves.toBe("minimized");
    await panel().locator('button[data-mode="expanded"]').click();
    await expect(panel().getAttribute("data-mode")).resolves.toBe("expanded");
    await expect.poll(async () => (await softphone()).evaluate(() => (window as unknown as { modeEvents: string[] }).modeEvents)).toEqual(["minimized", "expanded"]);

    const docked = await widget<{ mode: string }>("(host) => host.setPanelMode('docked')");
    expect(docked).toEqual({ ok: true, value: expect.objectContaining({ mode: "docked", width: 480 }) });
    await page.reload();
    await waitReady();
    await expect(panel().getAttribute("data-mode")).resolves.toBe("docked");
    await expect(panel().evaluate((el) => el.getBoundingClientRect().width)).resolves.toBe(480);
  });

  it("lets the agent drag or key the width, within the limits, and tells the widget", async () => {
    await (await softphone()).evaluate(() => {
      const w = window as unknown as { widths: number[]; webctiHost: { on(type: string, fn: (e: { width: number }) => void): void } };
      w.widths = [];
      w.webctiHost.on("panelSizeChanged", (e) => w.widths.push(e.width));
    });
    const edge = panel().locator(".webcti-panel-resize");
    const box = (await edge.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 50);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 60, box.y + 50, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => panel().evaluate((el) => el.getBoundingClientRect().width)).toBe(540);
    await edge.focus();
    await page.keyboard.press("ArrowRight"); // narrower by 16
    await expect.poll(() => panel().evaluate((el) => el.getBoundingClientRect().width)).toBe(524);
    await page.keyboard.press("End");
    await expect.poll(() => panel().evaluate((el) => el.getBoundingClientRect().width)).toBe(800);
    await expect(edge.getAttribute("aria-valuenow")).resolves.toBe("800");
    await page.keyboard.press("Home");
    await expect.poll(() => panel().evaluate((el) => el.getBoundingClientRect().width)).toBe(240);
    await expect.poll(async () => (await softphone()).evaluate(() => (window as unknown as { widths: number[] }).widths.at(-1))).toBe(240);
    expect(await widget("(host) => host.setPanelSize(480)")).toEqual({ ok: true, value: expect.objectContaining({ width: 480 }) });
  });

  it("hides the panel behind a launcher and brings it back without reloading the widget", async () => {
    await (await softphone()).evaluate(() => void ((window as unknown as { marker: number }).marker = 42));
    await panel().locator('button[data-mode="hidden"]').click();
    await expect(panel().isHidden()).resolves.toBe(true);
    await page.locator('.webcti-panel-launcher[data-provider-id="demo-softphone"]').click();
    await expect(panel().getAttribute("data-mode")).resolves.toBe("docked");
    await expect((await softphone()).evaluate(() => (window as unknown as { marker?: number }).marker)).resolves.toBe(42);
  });

  it("keeps the widget loaded while the agent moves around the CRM, and tells it where the agent is", async () => {
    await (await softphone()).evaluate(() => {
      const w = window as unknown as { marker: number; pages: unknown[]; webctiHost: { on(type: string, fn: (e: { page: unknown }) => void): void } };
      w.marker = 7;
      w.pages = [];
      w.webctiHost.on("navigation", (e) => w.pages.push(e.page));
    });
    await page.evaluate(() => void (location.hash = "#/accounts"));
    await page.locator('[data-page="accounts-list"]').waitFor();
    await page.evaluate(() => void (location.hash = "#/contacts/c-alice"));
    await page.locator('[data-page="contact"][data-record-id="c-alice"]').waitFor();
    await expect((await softphone()).evaluate(() => (window as unknown as { marker?: number }).marker)).resolves.toBe(7);
    await expect
      .poll(async () => (await softphone()).evaluate(() => (window as unknown as { pages: Array<{ record?: { id: string } }> }).pages.at(-1)?.record?.id))
      .toBe("c-alice");
    const env = await widget<{ page: { record?: { id: string; type: string; name: string } } }>("(host) => host.getEnvironment()");
    expect(env.ok && env.value.page.record).toEqual({ type: "contact", id: "c-alice", name: "Alice Johnson" });
  });

  it("sends a clicked phone number to the widget, with the record it belongs to", async () => {
    await page.evaluate(() => void (location.hash = "#/contacts/c-alice"));
    await page.locator('[data-page="contact"] [data-phones] a').first().click();
    const dialed = (await softphone()).locator("#calls li").first();
    await expect.poll(() => dialed.textContent()).toBe("Dialing +12065550101 (Alice Johnson)");
    expect(page.url()).toContain("#/contacts/c-alice"); // the tel: link did not navigate

    // Numbers in lists, and content the page adds later, act the same; the extension is kept apart.
    await page.evaluate(() => void (location.hash = "#/contacts"));
    await page.locator('[data-page="contacts-list"]').waitFor();
    await page.evaluate(() => {
      const extra = document.createElement("span");
      extra.dataset.webctiPhone = "(425) 555-0100 ext. 204";
      extra.textContent = "Fabrikam switchboard";
      extra.id = "late-number";
      document.getElementById("page")!.append(extra);
    });
    await page.locator("#late-number").click();
    await expect.poll(async () => (await softphone()).locator("#calls li").first().textContent()).toBe("Dialing +14255550100 ext. 204");
  });

  it("lets the widget turn click-to-act off: numbers are plain text then", async () => {
    expect(await widget("(host) => host.setClickToAct(false)")).toEqual({ ok: true, value: false });
    await expect(page.evaluate(() => document.documentElement.dataset.webctiClickToAct)).resolves.toBe("off");
    const before = await (await softphone()).locator("#calls li").count();
    await page.evaluate(() => void (location.hash = "#/contacts/c-bob"));
    await page.locator('[data-page="contact"][data-record-id="c-bob"] [data-phones] a').first().click();
    expect(page.url()).toContain("#/contacts/c-bob");
    // Back on, a second click arrives; it is the only new entry, so the first click sent nothing.
    expect(await widget("(host) => host.setClickToAct(true)")).toEqual({ ok: true, value: true });
    await expect(page.evaluate(() => document.documentElement.dataset.webctiClickToAct)).resolves.toBe("on");
    await page.locator('[data-page="contact"][data-record-id="c-bob"] [data-phones] a').nth(1).click();
    await expect.poll(async () => (await softphone()).locator("#calls li").count()).toBe(before + 1);
    await expect.poll(async () => (await softphone()).locator("#calls li").first().textContent()).toBe("Dialing +12065550151 (Bob Smith)");
  });

  it("lets the widget open records, searches and prefilled forms", async () => {
    expect((await widget("(host) => host.openRecord({ type: 'account', id: 'acc-fabrikam' })")).ok).toBe(true);
    await page.locator('[data-page="account"][data-record-id="acc-fabrikam"]').waitFor();
    expect((await widget("(host) => host.openSearch('+1 206 555 0150')")).ok).toBe(true);
    await page.locator('[data-page="search"]').waitFor();
    await expect(page.locator("[data-search-results] li").count()).resolves.toBe(2);
    expect((await widget("(host) => host.openNewRecord('contact', { phone: '+12065550123', name: 'Walk In' })")).ok).toBe(true);
    await page.locator('[data-page="new-contact"]').waitFor();
    await expect(page.locator("#f-name").inputValue()).resolves.toBe("Walk In");
    const matches = await widget("(host) => host.searchRecords({ phone: '206-555-0101' })");
    expect(matches).toEqual({ ok: true, value: [{ type: "contact", id: "c-alice", name: "Alice Johnson" }] });
    const bad = await widget("(host) => host.openRecord({ type: 'lead', id: 'x' })");
    expect(bad).toEqual({ ok: false, error: expect.objectContaining({ code: "invalid_argument" }) });
  });

  it("asks for a screen pop by the provider's policy, or only for the matches", async () => {
    await page.evaluate(() => void (location.hash = "#/accounts"));
    await page.locator('[data-page="accounts-list"]').waitFor();
    const searchOnly = await widget("(host) => host.screenPop({ phone: '(206) 555-0150', searchOnly: true })");
    expect(searchOnly).toEqual({
      ok: true,
      value: { opened: null, matches: [{ type: "contact", id: "c-bob", name: "Bob Smith" }, { type: "contact", id: "c-carol", name: "Carol Smith" }] },
    });
    expect(page.url()).toContain("#/accounts"); // nothing opened

    expect(await widget("(host) => host.screenPop({ phone: '206 555 0101' })")).toEqual({
      ok: true,
      value: { opened: "record", matches: [{ type: "contact", id: "c-alice", name: "Alice Johnson" }] },
    });
    await page.locator('[data-page="contact"][data-record-id="c-alice"]').waitFor();
    expect(await widget("(host) => host.screenPop({ phone: '206 555 0177', name: 'New Caller' })")).toEqual({ ok: true, value: { opened: "newRecord", matches: [] } });
    await page.locator('[data-page="new-contact"]').waitFor();
    await expect(page.locator("#f-phone-0").inputValue()).resolves.toBe("+12065550177");
    await expect(page.locator("#f-name").inputValue()).resolves.toBe("New Caller");
  });

  it("shows the agent a notification and reports accepted, declined or timed out", async () => {
    const start = (timeoutMs: number) =>
      softphone().then((f) =>
        f.evaluate((t) => {
          const w = window as unknown as { outcome?: string; webctiHost: { notify(n: object): Promise<string> } };
          w.outcome = undefined;
          void w.webctiHost.notify({ title: "Incoming chat", body: "Erin asks about her order", acceptLabel: "Take it", timeoutMs: t }).then((o) => (w.outcome = o));
        }, timeoutMs),
      );
    const outcome = async () => (await softphone()).evaluate(() => (window as unknown as { outcome?: string }).outcome);

    await start(60_000);
    const note = page.locator('.webcti-notification[role="alertdialog"][data-provider-id="demo-softphone"]');
    await expect(note.locator("strong").textContent()).resolves.toBe("Incoming chat");
    // The notification is in a shadow root: the focused element is inside it.
    await expect(page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.textContent)).resolves.toBe("Take it");
    await note.locator('button[data-outcome="accepted"]').click();
    await expect.poll(outcome).toBe("accepted");
    await expect(note.count()).resolves.toBe(0);

    await start(60_000);
    await note.locator('button[data-outcome="declined"]').click();
    await expect.poll(outcome).toBe("declined");

    await start(1_000);
    await expect.poll(outcome, { timeout: 10_000 }).toBe("timedOut");
    await expect(note.count()).resolves.toBe(0);

    const tooShort = await widget("(host) => host.notify({ title: 'x', timeoutMs: 10 })");
    expect(tooShort).toEqual({ ok: false, error: expect.objectContaining({ code: "out_of_range", details: { min: 1000, max: 120000 } }) });
    const noTitle = await widget("(host) => host.notify({ title: '' })");
    expect(noTitle).toEqual({ ok: false, error: expect.objectContaining({ code: "invalid_argument" }) });
  });

  it("creates, reads, updates and deletes records through the host", async () => {
    const created = await widget<{ type: string; id: string; phones: Array<{ e164: string }> }>(
      "(host) => host.createRecord('contact', { name: 'Widget Wendy', phones: ['(206) 555-0166'], emails: ['wendy@example.com'] })",
    );
    expect(created).toEqual({ ok: true, value: expect.objectContaining({ type: "contact", name: "Widget Wendy", phones: [expect.objectContaining({ e164: "+12065550166" })] }) });
    if (!created.ok) return;
    const ref = JSON.stringify({ type: "contact", id: created.value.id });
    expect(await widget(`(host) => host.getRecord(${ref})`)).toEqual({ ok: true, value: expect.objectContaining({ name: "Widget Wendy", emails: ["wendy@example.com"] }) });
    const updated = await widget(`(host) => host.updateRecord(${ref}, { phones: ['206 555 0167'], title: 'Buyer' })`);
    expect(updated).toEqual({ ok: true, value: expect.objectContaining({ name: "Widget Wendy", title: "Buyer", emails: ["wendy@example.com"], phones: [expect.objectContaining({ e164: "+12065550167" })] }) });
    expect(await widget("(host) => host.searchRecords({ phone: '+12065550166' })")).toEqual({ ok: true, value: [] });
    expect(await widget("(host) => host.searchRecords({ phone: '+12065550167' })")).toEqual({ ok: true, value: [{ type: "contact", id: created.value.id, name: "Widget Wendy" }] });
    expect(await widget(`(host) => host.deleteRecord(${ref})`)).toEqual({ ok: true });
    expect(await widget(`(host) => host.getRecord(${ref})`)).toEqual({ ok: false, error: expect.objectContaining({ code: "not_found" }) });
    expect(await widget("(host) => host.searchRecords({ phone: '+12065550167' })")).toEqual({ ok: true, value: [] });

    const invalid = await widget("(host) => host.createRecord('contact', { name: 'X', emails: ['not-an-email'] })");
    expect(invalid).toEqual({ ok: false, error: expect.objectContaining({ code: "invalid_argument", details: expect.objectContaining({ errors: [expect.objectContaining({ pointer: "#/emails/0" })] }) }) });
    expect(await widget("(host) => host.createRecord('lead', { name: 'X' })")).toEqual({ ok: false, error: expect.objectContaining({ code: "invalid_argument" }) });
  });

  it("logs an activity on the open record; the timeline shows it at once and the form keeps its edits", async () => {
    await page.evaluate(() => void (location.hash = "#/contacts/c-carol"));
    await page.locator('[data-page="contact"][data-record-id="c-carol"] [data-timeline-empty]').waitFor();
    await page.locator("#f-notes").fill("typed, not saved yet");
    const logged = await widget<{ activityId: string; providerId: string; record: unknown }>(
      "(host) => host.logActivity({ subject: 'Call with Carol', disposition: 'Resolved', durationSeconds: 95, direction: 'outbound', notes: 'Asked about delivery' })",
    );
    expect(logged).toEqual({ ok: true, value: expect.objectContaining({ providerId: "demo-softphone", record: { type: "contact", id: "c-carol" } }) });
    const item = page.locator("[data-timeline] li").first();
    await expect(item.locator("strong").textContent()).resolves.toBe("Call with Carol");
    await expect(item.textContent()).resolves.toContain("voice outbound · Resolved · 1:35");
    await expect(page.locator("#f-notes").inputValue()).resolves.toBe("typed, not saved yet");

    await page.evaluate(() => void (location.hash = "#/accounts"));
    await page.locator('[data-page="accounts-list"]').waitFor();
    const noRecord = await widget("(host) => host.logActivity({ subject: 'Nowhere' })");
    expect(noRecord).toEqual({ ok: false, error: expect.objectContaining({ code: "invalid_argument" }) });
  });

  it("rejects an activityId used for other content with `conflict`, the API's code kept in details", async () => {
    const record = "{ type: 'contact', id: 'c-carol' }";
    const first = await widget(`(host) => host.logActivity({ activityId: 'e2e-conflict', record: ${record}, subject: 'First' })`);
    expect(first).toEqual({ ok: true, value: expect.objectContaining({ activityId: "e2e-conflict" }) });
    const other = await widget(`(host) => host.logActivity({ activityId: 'e2e-conflict', record: ${record}, subject: 'Other' })`);
    expect(other).toEqual({ ok: false, error: expect.objectContaining({ code: "conflict", details: expect.objectContaining({ status: 409, apiCode: "conflict" }) }) });
  });

  it("rings the demo softphone from the partner's backend; hanging up logs the call on the caller's timeline", async () => {
    await page.evaluate(() => void (location.hash = "#/contacts/c-alice"));
    await page.locator('[data-page="contact"][data-record-id="c-alice"] [data-timeline-section]').waitFor();
    const ring = await fetch(`${stack.widgetUrl}/demo-partner/calls`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ callId: "e2e-call-1", from: "+1 206 555 0101", agentId: stack.agentId, state: "ringing" }),
    });
    expect(ring.status).toBe(202);
    const phone = await softphone();
    await expect(phone.locator("#incoming-from").textContent()).resolves.toBe("Incoming call from +1 206 555 0101");
    await phone.locator("#answer").click();
    await expect(phone.locator("#call-state").textContent()).resolves.toBe("Connected");
    await phone.locator("#hangup").click();
    await expect.poll(() => phone.locator("#calls li").first().textContent()).toBe("Logged: Call from +1 206 555 0101");
    const item = page.locator('[data-timeline] li[data-activity-id="demo-e2e-call-1"]');
    await expect.poll(() => item.textContent()).toContain("voice inbound · Completed");
  });

  it("re-handshakes by itself when the widget reloads", async () => {
    await (await softphone()).evaluate(() => location.reload());
    await waitReady();
    const state = await widget<{ width: number }>("(host) => host.getPanelState()");
    expect(state).toEqual({ ok: true, value: expect.objectContaining({ mode: "docked", width: 480 }) });
    await page.evaluate(() => void (location.hash = "#/contacts/c-alice"));
    await page.locator('[data-page="contact"] [data-phones] a').first().click();
    await expect.poll(async () => (await softphone()).locator("#calls li").first().textContent()).toBe("Dialing +12065550101 (Alice Johnson)");
  });

  it("pops the widget out into its own window, which the host keeps talking to, and takes it back when closed", async () => {
    await page.evaluate(() => void (location.hash = "#/contacts/c-alice"));
    await page.locator('[data-page="contact"][data-record-id="c-alice"]').waitFor();
    const popupOpened = page.waitForEvent("popup");
    await panel().locator('button[data-mode="poppedOut"]').click();
    const popup = await popupOpened;
    await popup.locator('#status[data-state="connected"]').waitFor({ timeout: 15_000 });
    await expect(panel().getAttribute("data-mode")).resolves.toBe("poppedOut");
    await panel().and(page.locator('[data-state="ready"]')).waitFor();
    await expect(panel().locator(".webcti-panel-status").textContent()).resolves.toContain("open in its own window");
    await expect(panel().locator("iframe").getAttribute("src")).resolves.toBe("about:blank"); // one widget instance at a time
    await expect(popup.evaluate(() => (window as unknown as { webctiHost: { getPanelState(): Promise<{ mode: string }> } }).webctiHost.getPanelState())).resolves.toMatchObject({ mode: "poppedOut" });

    await page.locator('[data-page="contact"] [data-phones] a').first().click();
    await expect.poll(() => popup.locator("#calls li").first().textContent()).toBe("Dialing +12065550101 (Alice Johnson)");

    await popup.close();
    await expect.poll(() => panel().getAttribute("data-mode")).toBe("docked");
    await waitReady();
    await page.locator('[data-page="contact"] [data-phones] a').first().click();
    await expect.poll(async () => (await softphone()).locator("#calls li").first().textContent()).toBe("Dialing +12065550101 (Alice Johnson)");
  });

  it("never answers a frame from an untrusted origin, and says why its panel stays empty", async () => {
    const untrusted = panel("untrusted-chat");
    await expect(untrusted.getAttribute("data-state")).resolves.not.toBe("ready");
    await untrusted.and(page.locator('[data-state="failed"]')).waitFor({ timeout: 20_000 });
    await expect(untrusted.locator(".webcti-panel-status").textContent()).resolves.toContain("trusted origin");
    const frame = await frameOf("untrusted-chat");
    await expect.poll(() => frame.locator("#status").textContent(), { timeout: 20_000 }).toContain("did not answer the handshake");
    expect(consoleLines.some((l) => l.includes("untrusted origin") && l.includes("untrusted-chat"))).toBe(true);

    // It tries every host method with hand-made penpal calls: nothing answers, nothing changes.
    const stateBefore = await widget("(host) => host.getPanelState()");
    const urlBefore = page.url();
    const answers = await frame.evaluate(async () => {
      const methods = ["hello", "getEnvironment", "getPanelState", "setPanelMode", "setPanelSize", "getClickToAct", "setClickToAct",
        "openRecord", "openSearch", "openNewRecord", "searchRecords", "screenPop", "notify", "createRecord", "getRecord", "updateRecord", "deleteRecord"];
      const received: unknown[] = [];
      window.addEventListener("message", (e) => received.push(e.data));
      const args = [{ correlationId: "evil", mode: "hidden", width: 300, enabled: false, record: { type: "contact", id: "c-alice" }, query: "x", title: "x",
        recordType: "contact", fields: { name: "Evil" }, prefill: {}, phone: "+12065550101", protocolVersion: "1.0", sdkVersion: "evil" }];
      for (const method of methods) {
        window.parent.postMessage({ namespace: "penpal", type: "CALL", id: `evil-${method}`, methodPath: [method], args }, "*");
      }
      await new Promise((r) => setTimeout(r, 500)); // an absence: nothing to wait for but a little time
      return received.filter((d) => (d as { type?: string })?.type === "REPLY");
    });
    expect(answers).toEqual([]);
    expect(await widget("(host) => host.getPanelState()")).toEqual(stateBefore);
    expect(page.url()).toBe(urlBefore);
    await expect(page.locator(".webcti-notification").count()).resolves.toBe(0);
    // Its order is after the trusted one, and it never took click-to-act.
    const order = await page.locator(".webcti-panel").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.providerId));
    expect(order).toEqual(["demo-softphone", "untrusted-chat", "script-tag"]);
  });
});
