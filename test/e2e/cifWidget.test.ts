import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Frame, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { startCifWidget, type CifWidgetServer } from "../support/cifWidget.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";
import { createServices } from "../../shared/services.js";
import { readConfig } from "../../shared/config.js";
import { putProvider } from "../../shared/tenancy/tenancyStore.js";

/**
 * A widget written for Microsoft CIF (test/support/cifWidget.ts, from CIF's public documentation only) in
 * the reference desktop, loading WebCTI's /webcti/cif/msdyn_ciLibrary.js from its own origin, configured
 * as a provider panel with widgetProtocol "cif": every row docs/widget-protocols.md calls supported.
 */
let stack: RunningStack;
let widgetServer: CifWidgetServer;
let browser: Browser;
let page: Page;
const providerId = "contoso-cif";

const panel = () => page.locator(`.webcti-panel[data-provider-id="${providerId}"]`);

async function widgetFrame(): Promise<Frame> {
  const frame = await panel().locator("iframe").elementHandle().then((h) => h?.contentFrame());
  if (!frame) throw new Error("the CIF widget's frame is not there");
  return frame;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: { message: string; msdyn_name: string; webctiCode?: string } };

/** Runs `(CIF) => …` in the widget with window.Microsoft.CIFramework and returns its result or its rejection. */
async function cif<T = unknown>(source: string): Promise<Outcome<T>> {
  return (await widgetFrame()).evaluate(async (code) => {
    const framework = (window as unknown as { Microsoft: { CIFramework: unknown } }).Microsoft.CIFramework;
    try {
      return { ok: true as const, value: await new Function("CIF", "w", `return (${code})(CIF, w);`)(framework, window) };
    } catch (error) {
      return { ok: false as const, error: JSON.parse(JSON.stringify(error)) };
    }
  }, source) as Promise<Outcome<T>>;
}

const events = async (name: string) =>
  (await widgetFrame()).evaluate((n) => (window as unknown as { cifLog: Array<{ name: string; data: unknown }> }).cifLog.filter((e) => e.name === n).map((e) => e.data), name);

beforeAll(async () => {
  stack = await startProductionStack();
  widgetServer = await startCifWidget(stack.url);
  const services = createServices(
    readConfig({ WEBCTI_TABLES_CONNECTION_STRING: stack.tablesConnectionString, WEBCTI_WEBPUBSUB_CONNECTION_STRING: stack.webPubSub.connectionString }),
  );
  // Before the demo softphone (order 10), so clicks on numbers go to the CIF widget.
  await putProvider(services, {
    tenantId: stack.tenantId,
    providerId,
    label: "Contoso Phone",
    panel: { widgetUrl: widgetServer.url, trustedOrigins: [widgetServer.origin], order: 1, widgetProtocol: "cif", settings: { queue: "support" } },
  });
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  await page.goto(stack.url);
  await page.locator("[data-demo-sign-in]").click();
  await panel().and(page.locator('[data-state="ready"]')).waitFor({ timeout: 20_000 });
  await (await widgetFrame()).waitForFunction(() => (window as unknown as { cifReady: boolean }).cifReady, undefined, { timeout: 15_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await widgetServer?.close();
  await stack?.stop();
});

describe("a CIF widget in a WebCTI panel", () => {
  it("initializes: CIFInitDone fires, and a call made before it is answered once the host is there", async () => {
    await expect((await widgetFrame()).locator("#status").textContent()).resolves.toBe("CIF ready");
    const early = await (await widgetFrame()).evaluate(() => (window as unknown as { earlyEnvironment: Promise<unknown> }).earlyEnvironment);
    expect(early).toEqual({
      ok: true,
      value: expect.objectContaining({ clientUrl: new URL(stack.url).origin, userId: stack.agentId, username: "Dana Reyes", orgId: stack.tenantId, providerId }),
    });
    // The panel's settings are CIF's custom parameters.
    expect(early).toMatchObject({ value: { customParams: '{"queue":"support"}' } });
    const library = await fetch(`${stack.url.replace(/\/$/, "")}/webcti/cif/msdyn_ciLibrary.js`);
    expect(library.status).toBe(200);
    expect(library.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(library.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("sends a clicked phone number to onclicktoact, with the record it is on", async () => {
    await page.evaluate(() => void (location.hash = "#/contacts/c-alice"));
    await page.locator('[data-page="contact"][data-record-id="c-alice"] [data-phones] a').first().click();
    await expect.poll(async () => (await widgetFrame()).locator("#dialing").textContent()).toBe("Dialing +12065550101");
    expect((await events("onclicktoact")).at(-1)).toMatchObject({ value: "+12065550101", format: "phone", entityLogicalName: "contact", entityId: "c-alice", recordTitle: "Alice Johnson" });
    expect(await cif("(CIF) => CIF.getClickToAct()")).toEqual({ ok: true, value: true });
    expect(await cif("(CIF) => CIF.setClickToAct(false).then(() => CIF.getClickToAct())")).toEqual({ ok: true, value: false });
    expect(await cif("(CIF) => CIF.setClickToAct(true).then(() => CIF.getClickToAct())")).toEqual({ ok: true, value: true });
  });

  it("tells onpagenavigate where the agent went", async () => {
    await page.evaluate(() => void (location.hash = "#/accounts"));
    await page.locator('[data-page="accounts-list"]').waitFor();
    await expect.poll(async () => ((await events("onpagenavigate")).at(-1) as { value?: string })?.value).toBe(`${new URL(stack.url).origin}/#/accounts`);
  });

  it("searches and opens the caller's record on an incoming call, or only searches", async () => {
    const opened = await cif("(CIF, w) => w.incomingCall('+1 206 555 0101')");
    // The demo's Alice has her own number as her mobile phone, and her company's switchboard as her work phone.
    expect(opened).toEqual({ ok: true, value: [{ contactid: "c-alice", fullname: "Alice Johnson", mobilephone: "206-555-0101", telephone1: "+1 425 555 0100 ext. 204" }] });
    await page.locator('[data-page="contact"][data-record-id="c-alice"]').waitFor();

    await page.evaluate(() => void (location.hash = "#/accounts"));
    await page.locator('[data-page="accounts-list"]').waitFor();
    const shared = await cif<Array<{ fullname: string }>>("(CIF, w) => w.incomingCall('(206) 555-0150', true)");
    expect(shared.ok && shared.value.map((r) => r.fullname).sort()).toEqual(["Bob Smith", "Carol Smith"]);
    expect(page.url()).toContain("#/accounts"); // searchOnly opens nothing
    const narrowed = await cif("(CIF) => CIF.searchAndOpenRecords('contact', \"?$select=fullname&$filter=telephone1 eq '206 555 0150' and startswith(fullname,'carol')\", true).then(JSON.parse)");
    expect(narrowed).toEqual({ ok: true, value: [{ contactid: "c-carol", fullname: "Carol Smith" }] });
    expect((await cif("(CIF, w) => w.incomingCall('(206) 555-0150')")).ok).toBe(true);
    await page.locator('[data-page="search"]').waitFor(); // several: the search page
    const byName = await cif("(CIF) => CIF.searchAndOpenRecords('contact', \"?$filter=fullname eq 'Alice Johnson'\", true)");
    expect(byName).toEqual({ ok: false, error: expect.objectContaining({ msdyn_name: "searchAndOpenRecords", message: expect.stringContaining("not by names (Alice Johnson)") }) });
  });

  it("logs a phonecall from createRecord as an activity on the contact's timeline, and changes it with updateRecord", async () => {
    const logged = await cif<{ id: string; _regardingobjectid_value: string }>("(CIF, w) => w.logCall('c-alice', '+12065550101', 3, 'cif-e2e-call-1')");
    expect(logged).toEqual({ ok: true, value: expect.objectContaining({ id: "cif-e2e-call-1", subject: "Call from +12065550101", _regardingobjectid_value: "c-alice", actualdurationminutes: 3 }) });
    const response = await fetch(`${stack.apiUrl}/v1/directory/contacts/c-alice/activities`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
    expect(response.status).toBe(200);
    const { activities } = (await response.json()) as { activities: Array<Record<string, unknown>> };
    expect(activities.find((a) => a.activityId === "cif-e2e-call-1")).toMatchObject({
      providerId,
      agentId: stack.agentId,
      subject: "Call from +12065550101",
      notes: "Logged by the Contoso Phone CIF widget",
      channel: "voice",
      direction: "inbound",
      from: "+12065550101",
      durationSeconds: 180,
      record: { type: "contact", id: "c-alice" },
    });

    // After the call, the widget adds the wrap-up notes and the final duration.
    const changed = await cif(`(CIF) => CIF.updateRecord("phonecall", "cif-e2e-call-1", JSON.stringify({ description: "Wants a callback", actualdurationminutes: 4 })).then(JSON.parse)`);
    expect(changed).toEqual({ ok: true, value: expect.objectContaining({ id: "cif-e2e-call-1", description: "Wants a callback", actualdurationminutes: 4, subject: "Call from +12065550101" }) });
    const reread = await fetch(`${stack.apiUrl}/v1/directory/contacts/c-alice/activities`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
    const after = ((await reread.json()) as { activities: Array<Record<string, unknown>> }).activities.find((a) => a.activityId === "cif-e2e-call-1");
    expect(after).toMatchObject({ notes: "Wants a callback", durationSeconds: 240, subject: "Call from +12065550101", direction: "inbound" });
    const fixed = await cif(`(CIF) => CIF.updateRecord("phonecall", "cif-e2e-call-1", JSON.stringify({ directioncode: true }))`);
    expect(fixed).toEqual({ ok: false, error: expect.objectContaining({ msdyn_name: "updateRecord", webctiCode: "invalid_argument", message: expect.stringContaining("directioncode cannot change") }) });
  });

  it("reads and sets the panel's mode and width, and tells the widget when the agent changes them", async () => {
    expect(await cif("(CIF) => CIF.getMode()")).toEqual({ ok: true, value: 1 });
    expect(await cif("(CIF) => CIF.setMode(0)")).toEqual({ ok: true, value: 0 });
    await expect.poll(() => panel().getAttribute("data-mode")).toBe("minimized");
    await panel().locator('button[data-mode="docked"]').click();
    await expect.poll(async () => (await events("onmodechanged")).at(-1)).toEqual({ value: 1 });
    expect(await cif("(CIF) => CIF.getMode()")).toEqual({ ok: true, value: 1 });

    expect(await cif("(CIF) => CIF.setWidth(420)")).toEqual({ ok: true, value: 420 });
    await expect.poll(() => panel().evaluate((el) => el.getBoundingClientRect().width)).toBe(420);
    expect(await cif("(CIF) => CIF.getWidth()")).toEqual({ ok: true, value: 420 });
    await expect.poll(async () => (await events("onsizechanged")).at(-1)).toEqual({ value: 420 });
    const tooWide = await cif("(CIF) => CIF.setWidth(5000)");
    expect(tooWide).toEqual({ ok: false, error: expect.objectContaining({ msdyn_name: "setWidth", webctiCode: "out_of_range", message: expect.stringContaining("between") }) });
  });

  it("shows notifyEvent's notification and answers the agent's choice in CIF's shape", async () => {
    const start = async (token: string) =>
      (await widgetFrame()).evaluate((t) => {
        const w = window as unknown as { notified?: unknown; Microsoft: { CIFramework: { notifyEvent(input: unknown): Promise<string> } } };
        w.notified = undefined;
        const input = { templateName: "contoso_incoming_call", templateParameters: { title: "Incoming call", body: "Alice Johnson, +1 206 555 0101" }, cancellationToken: t };
        void w.Microsoft.CIFramework.notifyEvent(input).then((r) => (w.notified = JSON.parse(r)), (e) => (w.notified = e));
      }, token);
    const notified = async () => (await widgetFrame()).evaluate(() => (window as unknown as { notified?: unknown }).notified);
    const note = page.locator(`.webcti-notification[data-provider-id="${providerId}"]`);

    await start("token-1");
    await expect(note.locator("strong").textContent()).resolves.toBe("Incoming call");
    const cancel = await cif("(CIF) => CIF.cancelEvent('token-1')");
    expect(cancel).toEqual({ ok: false, error: expect.objectContaining({ msdyn_name: "cancelEvent", webctiCode: "not_supported" }) });
    await note.locator('button[data-outcome="accepted"]').click();
    await expect.poll(notified).toEqual({ value: { actionName: "Accept", responseReason: "Accept" } });

    await start("token-2");
    await note.locator('button[data-outcome="declined"]').click();
    await expect.poll(notified).toEqual({ value: { actionName: "Reject", responseReason: "DeclinedByAgent" } });
  });

  it("creates, retrieves, updates and deletes a contact with Dataverse attributes", async () => {
    const data = JSON.stringify({ firstname: "Wendy", lastname: "Widget", telephone1: "(206) 555-0166", emailaddress1: "wendy@example.com" });
    const created = await cif<{ id: string; contactid: string }>(`(CIF) => CIF.createRecord("contact", ${JSON.stringify(data)}).then(JSON.parse)`);
    expect(created).toEqual({ ok: true, value: expect.objectContaining({ fullname: "Wendy Widget", telephone1: "(206) 555-0166", emailaddress1: "wendy@example.com" }) });
    if (!created.ok) return;
    const id = JSON.stringify(created.value.id);
    expect(created.value.contactid).toBe(created.value.id);
    expect(await cif(`(CIF) => CIF.retrieveRecord("contact", ${id}, "?$select=fullname,telephone1").then(JSON.parse)`)).toEqual({
      ok: true,
      value: { contactid: created.value.id, fullname: "Wendy Widget", telephone1: "(206) 555-0166" },
    });
    const updated = await cif(`(CIF) => CIF.updateRecord("contact", ${id}, JSON.stringify({ jobtitle: "Buyer", mobilephone: "206 555 0167" })).then(JSON.parse)`);
    expect(updated).toEqual({
      ok: true,
      value: expect.objectContaining({ id: created.value.id, fullname: "Wendy Widget", jobtitle: "Buyer", telephone1: "(206) 555-0166", mobilephone: "206 555 0167", emailaddress1: "wendy@example.com" }),
    });
    expect(await cif(`(CIF) => CIF.deleteRecord("contact", ${id}).then(JSON.parse)`)).toEqual({ ok: true, value: { contactid: created.value.id } });
    expect(await cif(`(CIF) => CIF.retrieveRecord("contact", ${id})`)).toEqual({ ok: false, error: expect.objectContaining({ msdyn_name: "retrieveRecord", webctiCode: "not_found" }) });
  });

  it("opens forms and the search page", async () => {
    expect((await cif(`(CIF) => CIF.openForm(JSON.stringify({ entityName: "account", entityId: "acc-fabrikam" }))`)).ok).toBe(true);
    await page.locator('[data-page="account"][data-record-id="acc-fabrikam"]').waitFor();
    const form = await cif(`(CIF) => CIF.openForm(JSON.stringify({ entityName: "contact" }), JSON.stringify({ firstname: "Walk", lastname: "In", telephone1: "+12065550123" }))`);
    expect(form).toEqual({ ok: true, value: JSON.stringify({ entityName: "contact" }) });
    await page.locator('[data-page="new-contact"]').waitFor();
    await expect(page.locator("#f-name").inputValue()).resolves.toBe("Walk In");
    expect((await cif(`(CIF) => CIF.renderSearchPage("contact", "+1 206 555 0150")`)).ok).toBe(true);
    await page.locator('[data-page="search"]').waitFor();
    await expect.poll(() => page.locator("[data-search-results] li").count()).toBe(2);
  });

  it("sets and reads the agent's presence, and tells onPresenceChange", async () => {
    expect(await cif(`(CIF) => CIF.setPresence("Busy")`)).toEqual({ ok: true, value: true });
    expect(await cif(`(CIF) => CIF.getPresence()`)).toEqual({ ok: true, value: "Busy" });
    await expect.poll(async () => (await events("onPresenceChange")).at(-1)).toMatchObject({ presenceInfo: { basePresenceStatus: "BUSY", presenceText: "Busy" } });
    expect(await cif(`(CIF) => CIF.setPresence("Out to lunch")`)).toEqual({ ok: true, value: false });
    expect(await cif(`(CIF) => CIF.setPresence("available").then(() => CIF.getPresence())`)).toEqual({ ok: true, value: "Available" });
  });

  it("raises custom events to the widget's handlers until they are removed, and hides the panel with mode 2", async () => {
    const raised = await cif<string[]>(`async (CIF) => {
      const seen = [];
      const handler = (data) => { seen.push(data); return Promise.resolve(); };
      CIF.addHandler("contoso_custom", handler);
      await CIF.raiseEvent("contoso_custom", { caller: "Alice" });
      CIF.removeHandler("contoso_custom", handler);
      await CIF.raiseEvent("contoso_custom", { caller: "Bob" });
      return seen;
    }`);
    expect(raised).toEqual({ ok: true, value: ['{"caller":"Alice"}'] });
    expect(await cif("(CIF) => CIF.setMode(2)")).toEqual({ ok: true, value: 2 });
    await expect.poll(() => panel().isHidden()).toBe(true);
    expect(await cif("(CIF) => CIF.setMode(1)")).toEqual({ ok: true, value: 1 });
    await expect.poll(() => panel().getAttribute("data-mode")).toBe("docked");
  });

  it("answers Timeout when the agent lets notifyEvent's notification pass", async () => {
    const outcome = await cif(`(CIF) => CIF.notifyEvent({ templateName: "contoso_incoming_call", templateParameters: { title: "Missed?", timeout: 1 } }).then(JSON.parse)`);
    expect(outcome).toEqual({ ok: true, value: { value: { actionName: "Timeout", responseReason: "DisplayTimeout" } } });
  });

  it("rejects a wrong-typed argument with CIF's error object and changes nothing", async () => {
    const before = await panel().getAttribute("data-mode");
    expect(await cif("(CIF) => CIF.setMode('0')")).toEqual({
      ok: false,
      error: { msdyn_name: "setMode", webctiCode: "invalid_argument", message: "setMode: parameter 'value' must be a number; got string \"0\"." },
    });
    expect(await panel().getAttribute("data-mode")).toBe(before);
    expect(await cif("(CIF) => CIF.getAllSessions()")).toEqual({
      ok: false,
      error: expect.objectContaining({ msdyn_name: "getAllSessions", webctiCode: "not_supported", message: expect.stringContaining("sessions do not offer this yet") }),
    });
    expect(await cif("(CIF) => CIF.notifyNewActivity('s-1', -2)")).toEqual({
      ok: false,
      error: expect.objectContaining({ msdyn_name: "notifyNewActivity", webctiCode: "invalid_argument" }),
    });
  });

  it("creates sessions and tabs (CIF 2.0) on WebCTI's sessions: the session bar shows them, the events reach the widget", async () => {
    const chips = page.locator("#session-bar .session-chip");
    await expect(cif("(CIF) => CIF.canCreateSession()")).resolves.toEqual({ ok: true, value: true });
    const first = await cif<string>(
      "(CIF) => CIF.createSession({ templateName: 'msdyn_voice_session', templateParameters: { customerName: 'Alice Johnson', channel: 'voice', conversationId: 'cif-call-1', queue: 'support', entityName: 'contact', entityId: 'c-alice' } })",
    );
    expect(first).toEqual({ ok: true, value: expect.stringMatching(/^s-\d+$/) });
    const firstId = (first as { value: string }).value;
    await expect.poll(() => page.locator("#page [data-record-id]").first().getAttribute("data-record-id")).toBe("c-alice");
    await expect(cif("(CIF) => CIF.getFocusedSession()")).resolves.toEqual({ ok: true, value: firstId });
    await expect(cif(`(CIF) => CIF.getSession("${firstId}")`)).resolves.toEqual({
      ok: true,
      value: { sessionId: firstId, conversationId: "cif-call-1", context: { queue: "support" }, isFocused: true },
    });
    const tab = await cif<string>("(CIF) => CIF.createTab({ templateName: 'msdyn_entity', templateParameters: { entityName: 'contact', entityId: 'c-bob' }, isFocused: true })");
    expect(tab).toEqual({ ok: true, value: expect.stringMatching(/^t-\d+$/) });
    await expect.poll(() => page.locator("#page [data-record-id]").first().getAttribute("data-record-id")).toBe("c-bob");
    await expect(cif("(CIF) => CIF.getFocusedTab()")).resolves.toEqual(tab);
    await expect(cif(`(CIF) => CIF.updateContext({ tier: "gold" })`)).resolves.toEqual({ ok: true, value: { queue: "support", tier: "gold" } });

    const second = (await cif<string>("(CIF) => CIF.createSession({ templateName: 'msdyn_chat_session', templateParameters: { title: 'Chat with Bob', channel: 'chat' } })")) as { value: string };
    await expect.poll(() => chips.count()).toBeGreaterThanOrEqual(2);
    await expect(cif(`(CIF) => CIF.notifyNewActivity("${firstId}", 3)`)).resolves.toEqual({ ok: true });
    await expect.poll(() => page.locator(`#session-bar [data-session-id="${firstId}"] [data-unread]`).textContent()).toBe("3");
    await expect(cif(`(CIF) => CIF.requestFocusSession("${firstId}", 4)`)).resolves.toEqual({ ok: true });
    await expect.poll(() => page.locator(`#session-bar [data-session-id="${firstId}"] [data-unread]`).textContent()).toBe("4");
    // The agent switches back to the first session: the widget hears it, and the session's last tab is shown.
    await page.locator(`#session-bar [data-session-id="${firstId}"] .session-switch`).click();
    await expect.poll(() => page.locator("#page [data-record-id]").first().getAttribute("data-record-id")).toBe("c-bob");
    await expect.poll(() => events("onSessionSwitched")).toEqual([
      { sessionId: firstId, focused: true },
      { sessionId: firstId, focused: false },
      { sessionId: second.value, focused: true },
      { sessionId: second.value, focused: false },
      { sessionId: firstId, focused: true },
    ]);
    await expect(cif(`(CIF) => CIF.focusTab("${(tab as { value: string }).value}")`)).resolves.toEqual({ ok: true });
    await page.locator(`#session-bar [data-session-id="${second.value}"] .session-close`).click();
    await expect.poll(() => events("onSessionClosed")).toEqual([{ sessionId: second.value }]);
    await expect.poll(() => events("onSessionCreated")).toEqual([{ sessionId: firstId }, { sessionId: second.value }]);
  });
});
