import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Frame, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { signInCookie } from "../support/agentSession.js";
import { startOpenCtiWidget, type OpenCtiWidget } from "../support/openCtiWidget.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";
import { createServices } from "../../shared/services.js";
import { readConfig } from "../../shared/config.js";
import { putProvider } from "../../shared/tenancy/tenancyStore.js";

/**
 * A softphone written for Salesforce Open CTI (test/support/openCtiWidget.ts) in the reference desktop:
 * it loads WebCTI's /webcti/opencti/opencti_min.js from WebCTI's URL and runs as the panel of a provider
 * with widgetProtocol "opencti". Every method docs/widget-protocols.md calls supported is exercised here.
 */
let stack: RunningStack;
let softphoneServer: OpenCtiWidget;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const providerId = "opencti-phone";

interface Response {
  success: boolean;
  returnValue: unknown;
  errors: Array<{ code: string; description: string; details?: Record<string, unknown> }> | null;
}

const panel = () => page.locator(`.webcti-panel[data-provider-id="${providerId}"]`);

async function softphone(): Promise<Frame> {
  const frame = await panel().locator("iframe").elementHandle().then((h) => h?.contentFrame());
  if (!frame) throw new Error("the Open CTI softphone's frame is not there");
  return frame;
}

async function demoSoftphone(): Promise<Frame> {
  const frame = await page.locator('.webcti-panel[data-provider-id="demo-softphone"] iframe').elementHandle().then((h) => h?.contentFrame());
  if (!frame) throw new Error("the demo softphone's frame is not there");
  return frame;
}

/** Calls sforce.opencti[method] in the softphone and returns what its callback got. */
async function openCti(method: string, args: Record<string, unknown> = {}): Promise<Response> {
  return (await softphone()).evaluate(
    ([m, a]) => (window as unknown as { openCti(m: string, a: unknown): Promise<unknown> }).openCti(m, a),
    [method, args] as const,
  ) as Promise<Response>;
}

const softphoneState = async <T>(name: string): Promise<T> =>
  (await softphone()).evaluate((key) => (window as unknown as { softphone: Record<string, unknown> }).softphone[key], name) as Promise<T>;

async function goTo(hash: string, ready: string) {
  await page.evaluate((h) => void (location.hash = h), hash);
  await page.locator(ready).waitFor();
}

const hash = () => page.evaluate(() => location.hash);

beforeAll(async () => {
  stack = await startProductionStack();
  softphoneServer = await startOpenCtiWidget(stack.url);
  const services = createServices(
    readConfig({ WEBCTI_TABLES_CONNECTION_STRING: stack.tablesConnectionString, WEBCTI_WEBPUBSUB_CONNECTION_STRING: stack.webPubSub.connectionString }),
  );
  await putProvider(services, {
    tenantId: stack.tenantId,
    providerId,
    label: "Open CTI Phone",
    panel: {
      widgetUrl: softphoneServer.url,
      trustedOrigins: [softphoneServer.origin],
      order: 1, // before the demo softphone: clicks come here once click-to-dial is enabled
      clickToAct: true,
      defaultMode: "docked",
      width: { default: 360, min: 240, max: 800 },
      widgetProtocol: "opencti",
      settings: { "reqGeneralInfo/reqAdapterUrl": softphoneServer.url, "customSettings/region": "eu-west" },
    },
  });
  browser = await launchChromium();
  context = await browser.newContext();
  page = await context.newPage();
  await page.goto(stack.url);
  await page.locator("[data-demo-sign-in]").click();
  await panel().and(page.locator('[data-state="ready"]')).waitFor({ timeout: 15_000 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await softphoneServer?.close();
  await stack?.stop();
});

describe("an Open CTI softphone in WebCTI's desktop", () => {
  it("loads the library from WebCTI's /webcti/opencti/opencti_min.js, served as JavaScript to any origin", async () => {
    const response = await fetch(`${stack.url}/webcti/opencti/opencti_min.js`, { headers: { origin: softphoneServer.origin } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(await response.text()).toContain("sforce");
  });

  it("answers the calls it made right after the script loaded, once the desktop connected", async () => {
    await expect.poll(async () => (await softphoneState<unknown[]>("atLoad")).length).toBe(3);
    const atLoad = await softphoneState<Array<{ method: string; response: Response }>>("atLoad");
    expect(Object.fromEntries(atLoad.map(({ method, response }) => [method, response]))).toEqual({
      isSoftphonePanelVisible: { success: true, returnValue: { visible: true }, errors: null },
      enableClickToDial: { success: true, returnValue: null, errors: null },
      notifyInitializationComplete: { success: true, returnValue: null, errors: null },
    });
  });

  it("sends a clicked phone number to onClickToDial with the record, and stops after disableClickToDial", async () => {
    await goTo("#/contacts/c-alice", '[data-page="contact"][data-record-id="c-alice"]');
    const link = page.locator('[data-page="contact"] [data-phones] a').first();
    await link.click();
    await expect.poll(async () => (await softphoneState<unknown[]>("clicks")).length).toBe(1);
    expect((await softphoneState<unknown[]>("clicks"))[0]).toEqual({
      number: (await link.textContent())?.trim(),
      recordId: "c-alice",
      recordName: "Alice Johnson",
      objectType: "Contact",
    });
    await expect((await softphone()).locator("#status").textContent()).resolves.toMatch(/^Dialing /);

    expect(await openCti("disableClickToDial")).toEqual({ success: true, returnValue: null, errors: null });
    const demoCalls = () => demoSoftphone().then((frame) => frame.locator("#calls li").allTextContents());
    const demoBefore = (await demoCalls()).length;
    await link.click(); // goes to the next widget that takes clicks (the demo softphone), not to this one
    await expect.poll(async () => (await demoCalls()).length).toBe(demoBefore + 1);
    expect(await softphoneState<unknown[]>("clicks")).toHaveLength(1);
    expect(await openCti("enableClickToDial")).toMatchObject({ success: true });
    await page.locator('[data-page="contact"] [data-phones] a').nth(1).click();
    await expect.poll(async () => (await softphoneState<unknown[]>("clicks")).length).toBe(2);
    expect((await softphoneState<Array<{ recordId: string }>>("clicks"))[1]).toMatchObject({ recordId: "c-alice", objectType: "Contact" });
  });

  it("keeps click-to-dial off for a softphone that never enables it", async () => {
    const frame = await softphone();
    await frame.goto(`${softphoneServer.url}?noClickToDial`);
    await expect.poll(async () => (await softphoneState<Array<{ method: string }>>("atLoad")).map((c) => c.method).sort()).toEqual(["isSoftphonePanelVisible", "notifyInitializationComplete"]);
    const demoCalls = () => demoSoftphone().then((f) => f.locator("#calls li").allTextContents());
    const demoBefore = (await demoCalls()).length;
    await goTo("#/contacts/c-bob", '[data-page="contact"][data-record-id="c-bob"]');
    await page.locator('[data-page="contact"] [data-phones] a').first().click();
    await expect.poll(async () => (await demoCalls()).length).toBe(demoBefore + 1);
    expect(await softphoneState<unknown[]>("clicks")).toEqual([]);
    await (await softphone()).goto(softphoneServer.url);
    await expect.poll(async () => (await softphoneState<unknown[]>("atLoad")).length).toBe(3);
  });

  it("tells where the agent is: getAppViewInfo and onNavigationChange", async () => {
    await goTo("#/accounts/acc-fabrikam", '[data-page="account"][data-record-id="acc-fabrikam"]');
    await expect
      .poll(async () => (await softphoneState<Array<{ recordId?: string }>>("navigations")).at(-1)?.recordId)
      .toBe("acc-fabrikam");
    const info = await openCti("getAppViewInfo");
    expect(info).toEqual({
      success: true,
      errors: null,
      returnValue: { url: expect.stringContaining("#/accounts/acc-fabrikam"), recordId: "acc-fabrikam", recordName: "Fabrikam Inc.", objectType: "Account" },
    });
    expect((await softphoneState<unknown[]>("navigations")).at(-1)).toEqual(info.returnValue);
  });

  it("searchAndScreenPop for an incoming call opens the caller's record in the desktop", async () => {
    await goTo("#/accounts", '[data-page="accounts-list"]');
    const popped = await openCti("searchAndScreenPop", { searchParams: "+1 206 555 0101", callType: "inbound" });
    expect(popped).toEqual({ success: true, errors: null, returnValue: { "c-alice": { Id: "c-alice", Name: "Alice Johnson", RecordType: "Contact" } } });
    await page.locator('[data-page="contact"][data-record-id="c-alice"]').waitFor();

    // Several matches: the search page; outbound: only the matches.
    await openCti("searchAndScreenPop", { searchParams: "(206) 555-0150", callType: "inbound" });
    await page.locator('[data-page="search"]').waitFor();
    await goTo("#/accounts", '[data-page="accounts-list"]');
    const outbound = await openCti("searchAndScreenPop", { searchParams: "(206) 555-0150", callType: "outbound" });
    expect(Object.keys(outbound.returnValue as object).sort()).toEqual(["c-bob", "c-carol"]);
    expect(await hash()).toBe("#/accounts");
  });

  it("deferred: answers the matches and SCREEN_POP_DATA, and pops only when screenPop is called with it", async () => {
    await goTo("#/accounts", '[data-page="accounts-list"]');
    const deferred = await openCti("searchAndScreenPop", { searchParams: "206-555-0101", callType: "inbound", deferred: true });
    expect(deferred.returnValue).toEqual({
      "c-alice": { Id: "c-alice", Name: "Alice Johnson", RecordType: "Contact" },
      SCREEN_POP_DATA: { type: "sobject", params: { recordId: "c-alice" } },
    });
    expect(await hash()).toBe("#/accounts");
    const data = (deferred.returnValue as { SCREEN_POP_DATA: Record<string, unknown> }).SCREEN_POP_DATA;
    expect(await openCti("screenPop", data)).toEqual({ success: true, returnValue: null, errors: null });
    await page.locator('[data-page="contact"][data-record-id="c-alice"]').waitFor();

    const unknown = await openCti("searchAndScreenPop", {
      searchParams: "+1 206 555 0199",
      callType: "inbound",
      deferred: true,
      defaultFieldValues: { FirstName: "Erin", LastName: "Cole" },
    });
    expect(unknown.returnValue).toEqual({
      SCREEN_POP_DATA: { type: "newrecordmodal", params: { entityName: "Contact" }, defaultFieldValues: { Phone: "+1 206 555 0199", FirstName: "Erin", LastName: "Cole" } },
    });
    await openCti("screenPop", (unknown.returnValue as { SCREEN_POP_DATA: Record<string, unknown> }).SCREEN_POP_DATA);
    await page.locator('[data-page="new-contact"]').waitFor();
    await expect(page.locator("#f-name").inputValue()).resolves.toBe("Erin Cole");
  });

  it("screenPop: SOBJECT, SEARCH, NEW_RECORD_MODAL in the desktop, URL in a new tab", async () => {
    expect(await openCti("screenPop", { type: "sobject", params: { recordId: "acc-northwind" } })).toMatchObject({ success: true });
    await page.locator('[data-page="account"][data-record-id="acc-northwind"]').waitFor();
    await openCti("screenPop", { type: "SEARCH", params: { searchString: "+1 206 555 0150" } });
    await page.locator('[data-page="search"]').waitFor();
    await expect(page.locator("[data-search-results] li").count()).resolves.toBe(2);
    await openCti("screenPop", { type: "newrecordmodal", params: { entityName: "Account" }, defaultFieldValues: { Name: "Contoso", Phone: "+1 425 555 0199" } });
    await page.locator('[data-page="new-account"]').waitFor();
    await expect(page.locator("#f-name").inputValue()).resolves.toBe("Contoso");

    const frame = await softphone();
    await frame.evaluate(() => void ((window as unknown as { urlPop: string }).urlPop = "/#/contacts/c-bob"));
    const [tab] = await Promise.all([context.waitForEvent("page"), frame.locator("#pop-url").click()]);
    await tab.waitForLoadState();
    expect(tab.url()).toBe(new URL("/#/contacts/c-bob", stack.url).href);
    await expect.poll(() => softphoneState("urlPop")).toEqual({ success: true, returnValue: null, errors: null });
    await tab.close();
  });

  it("saveLog puts the call on the record's timeline, and updates it by Id", async () => {
    const saved = await openCti("saveLog", {
      value: { entityApiName: "Task", Subject: "Inbound call from Alice", Description: "Asked about the invoice", CallType: "Inbound", CallDurationInSeconds: 95, WhoId: "c-alice" },
    });
    expect(saved).toMatchObject({ success: true, errors: null, returnValue: { recordId: expect.any(String) } });
    const activityId = (saved.returnValue as { recordId: string }).recordId;
    const cookie = await signInCookie(stack.url);
    const timeline = async () => {
      const response = await fetch(`${stack.apiUrl}/v1/agent/directory/contacts/c-alice/activities`, { headers: { cookie } });
      expect(response.status).toBe(200);
      return ((await response.json()) as { activities: Array<Record<string, unknown>> }).activities.find((a) => a.activityId === activityId);
    };
    expect(await timeline()).toMatchObject({
      providerId,
      subject: "Inbound call from Alice",
      notes: "Asked about the invoice",
      direction: "inbound",
      durationSeconds: 95,
      record: { type: "contact", id: "c-alice" },
    });

    // The host's updateActivity (widget protocol 1.1): the given fields replace the stored ones.
    const updated = await openCti("saveLog", { value: { Id: activityId, Description: "Invoice resent", CallDisposition: "resolved" } });
    expect(updated).toEqual({ success: true, errors: null, returnValue: { recordId: activityId } });
    expect(await timeline()).toMatchObject({ subject: "Inbound call from Alice", notes: "Invoice resent", disposition: "resolved", durationSeconds: 95 });
    const unknown = await openCti("saveLog", { value: { Id: "no-such-activity", Description: "x" } });
    expect(unknown).toMatchObject({ success: false, errors: [expect.objectContaining({ details: expect.objectContaining({ webctiCode: expect.any(String) }) })] });
  });

  it("shows, minimizes and sizes its panel", async () => {
    expect(await openCti("setSoftphonePanelVisibility", { visible: false })).toEqual({ success: true, returnValue: null, errors: null });
    await expect(panel().getAttribute("data-mode")).resolves.toBe("minimized");
    expect(await openCti("isSoftphonePanelVisible")).toMatchObject({ returnValue: { visible: false } });
    await openCti("setSoftphonePanelVisibility", { visible: true });
    await expect(panel().getAttribute("data-mode")).resolves.toBe("docked");
    expect(await openCti("isSoftphonePanelVisible")).toMatchObject({ returnValue: { visible: true } });

    expect(await openCti("setSoftphonePanelWidth", { widthPX: 480 })).toEqual({ success: true, returnValue: null, errors: null });
    await expect(panel().evaluate((el) => el.getBoundingClientRect().width)).resolves.toBe(480);
    const tooWide = await openCti("setSoftphonePanelWidth", { widthPX: 1200 }); // Open CTI allows it; this panel's maximum is 800
    expect(tooWide.errors).toEqual([expect.objectContaining({ code: "INVALID_PARAM", details: expect.objectContaining({ min: 240, max: 800 }) })]);
  });

  it("answers a wrong-typed argument with Open CTI's error form and changes nothing", async () => {
    const wrong = await openCti("setSoftphonePanelWidth", { widthPX: "wide" });
    expect(wrong).toEqual({
      success: false,
      returnValue: null,
      errors: [{ code: "INVALID_PARAM", description: expect.stringContaining("parameter widthPX"), details: { parameter: "widthPX" } }],
    });
    await expect(panel().evaluate((el) => el.getBoundingClientRect().width)).resolves.toBe(480);
    expect((await openCti("screenPop", { type: "sobject", params: { recordId: "c-nobody" } })).errors).toEqual([
      expect.objectContaining({ code: "INVALID_PARAM", description: expect.stringContaining("no record has the id c-nobody") }),
    ]);
    expect((await openCti("runApex", { apexClass: "X", methodName: "y", methodParams: "" })).errors).toEqual([
      expect.objectContaining({ code: "GENERIC_ERROR", description: expect.stringContaining("not available in WebCTI") }),
    ]);
  });

  it("answers SOFTPHONE_CONTAINER_ERROR when no desktop embeds the softphone", async () => {
    const alone = await context.newPage();
    await alone.goto(softphoneServer.url);
    const state = () => alone.evaluate(() => (window as unknown as { softphone: { atLoad: Array<{ method: string; response: Response }> } }).softphone.atLoad);
    await expect.poll(async () => (await state()).length).toBe(3);
    for (const { response } of await state()) {
      expect(response).toEqual({ success: false, returnValue: null, errors: [expect.objectContaining({ code: "SOFTPHONE_CONTAINER_ERROR", details: { webctiCode: "handshake_failed" } })] });
    }
    await alone.close();
  });

  it("labels its panel and gives the call center settings", async () => {
    expect(await openCti("setSoftphoneItemLabel", { label: "On a call" })).toMatchObject({ success: true });
    await expect.poll(() => panel().textContent()).toContain("On a call");
    expect(await openCti("setSoftphonePanelLabel", { label: "Wrap-up" })).toMatchObject({ success: true });
    await expect.poll(() => panel().textContent()).toContain("Wrap-up");
    expect(await openCti("setSoftphoneItemIcon", { key: "call" })).toMatchObject({ success: true });
    await expect.poll(() => panel().locator(".webcti-panel-badge").first().textContent()).toBe("call");
    expect(await openCti("getCallCenterSettings")).toEqual({
      success: true,
      errors: null,
      returnValue: { "/reqGeneralInfo/reqAdapterUrl": softphoneServer.url, "/customSettings/region": "eu-west" },
    });
  });
});
