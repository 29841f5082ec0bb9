import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Frame, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { launchChromium } from "../support/browser.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";
import { demo } from "../../local/seedDemo.js";
import type { DemoWebhookRequest } from "../../local/demoPartner.js";
import { createServices, type Services } from "../../shared/services.js";
import { readConfig } from "../../shared/config.js";
import { findEndpoint, putEndpoint } from "../../shared/webhooks/endpointStore.js";

/**
 * Click-to-act for a provider without a widget, in the reference desktop: when no widget takes a click,
 * the browser client asks the service, which sends the demo dialer's server (the demo partner backend)
 * a signed `clickToAct.requested` webhook; the page gets the outcome.
 */
let stack: RunningStack;
let services: Services;
let browser: Browser;
let page: Page;
const hostEvents: Array<{ type: string; providerId: string; payload: Record<string, unknown>; outcome?: Record<string, unknown> }> = [];

const softphone = async (): Promise<Frame> => {
  const frame = await page.locator('.webcti-panel[data-provider-id="demo-softphone"] iframe').elementHandle().then((h) => h?.contentFrame());
  if (!frame) throw new Error("the softphone frame is not there");
  return frame;
};
const setSoftphoneClickToAct = async (enabled: boolean) =>
  (await softphone()).evaluate((on) => (window as unknown as { webctiHost: { setClickToAct(on: boolean): Promise<boolean> } }).webctiHost.setClickToAct(on), enabled);
const webhookLog = async (): Promise<DemoWebhookRequest[]> =>
  ((await (await fetch(`${stack.widgetUrl}/demo-partner/webhooks`)).json()) as { requests: DemoWebhookRequest[] }).requests;
const dialerUrl = () => `${stack.widgetUrl}/demo-partner/webhooks`;

beforeAll(async () => {
  stack = await startProductionStack();
  services = createServices(
    readConfig({
      WEBCTI_TABLES_CONNECTION_STRING: stack.tablesConnectionString,
      WEBCTI_WEBPUBSUB_CONNECTION_STRING: stack.webPubSub.connectionString,
      WEBCTI_WEBHOOKS_ALLOW_HTTP: "true",
    }),
  );
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  await page.goto(stack.url);
  await page.locator("[data-demo-sign-in]").click();
  await page.locator('.webcti-panel[data-provider-id="demo-softphone"][data-state="ready"]').waitFor({ timeout: 15_000 });
  await (await softphone()).locator('#status[data-state="connected"]').waitFor({ timeout: 15_000 });
  // What the desktop's onEvent sees (it logs every panel host event with console.debug).
  page.on("console", async (message) => {
    if (!message.text().startsWith("WebCTI panel")) return;
    const event = (await message.args()[1]?.jsonValue().catch(() => undefined)) as (typeof hostEvents)[number] | undefined;
    if (event?.type === "clickToActWebhook") hostEvents.push(event);
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("click-to-act by webhook", () => {
  it("leaves the click to the softphone while it takes clicks, and sends the next one to the dialer once it does not", async () => {
    await page.evaluate(() => void (location.hash = "#/contacts/c-bob"));
    const phones = page.locator('[data-page="contact"][data-record-id="c-bob"] [data-phones] a');
    await phones.first().click();
    await expect.poll(async () => (await softphone()).locator("#calls li").first().textContent()).toBe("Dialing +12065550150 (Bob Smith)");

    expect(await setSoftphoneClickToAct(false)).toBe(false);
    // Still "on": the dialer takes the clicks now.
    await expect(page.evaluate(() => document.documentElement.dataset.webctiClickToAct)).resolves.toBe("on");
    await phones.nth(1).click();
    await expect.poll(async () => (await webhookLog()).length).toBe(1);
    // The one webhook is the second click's: the first went to the softphone only.
    const [only] = await webhookLog();
    expect(only!.event).toMatchObject({ data: { target: { kind: "phone", e164: "+12065550151" } } });
    expect(page.url()).toContain("#/contacts/c-bob"); // the tel: link did not navigate
  });

  it("sends a clicked number as a signed webhook with the normalized E.164 and the record; the page gets the delivery", async () => {
    await page.evaluate(() => void (location.hash = "#/contacts/c-alice"));
    const before = (await webhookLog()).length;
    await page.locator('[data-page="contact"][data-record-id="c-alice"] [data-phones] a').first().click();
    await expect.poll(async () => (await webhookLog()).length).toBe(before + 1);
    const [request] = await webhookLog();

    // The demo backend verified it; the test verifies it again with the endpoint's secret.
    expect(request).toMatchObject({ verified: true, duplicate: false });
    const endpoint = await findEndpoint(services, stack.tenantId, demo.dialerProviderId);
    const event = new Webhook(endpoint!.secrets[0]!).verify(request!.body, request!.headers);
    expect(event).toEqual({
      type: "clickToAct.requested",
      timestamp: expect.any(String),
      data: {
        tenantId: stack.tenantId,
        providerId: demo.dialerProviderId,
        agentId: stack.agentId,
        target: { kind: "phone", e164: "+12065550101" },
        raw: "+12065550101",
        record: { type: "contact", id: "c-alice" },
      },
    });
    // A body changed on the way fails verification.
    expect(() => new Webhook(endpoint!.secrets[0]!).verify(request!.body.replace("+12065550101", "+12065550199"), request!.headers)).toThrow();

    const deliveryId = request!.headers["webhook-id"];
    const line = page.locator(`#click-log li[data-delivery-id="${deliveryId}"]`);
    await expect.poll(() => line.getAttribute("data-outcome")).toBe("delivered");
    await expect.poll(() => hostEvents.find((e) => e.outcome?.deliveryId === deliveryId)).toMatchObject({
      type: "clickToActWebhook",
      providerId: demo.dialerProviderId,
      payload: { format: "phone", e164: "+12065550101", record: { type: "contact", id: "c-alice", name: "Alice Johnson" } },
      outcome: { ok: true, deliveryStatus: "delivered" },
    });
  });

  it("keeps an extension apart and sends an email address as an email target", async () => {
    await page.evaluate(() => {
      const add = (attribute: string, value: string, id: string) => {
        const element = document.createElement("span");
        element.setAttribute(attribute, value);
        element.id = id;
        element.textContent = value;
        document.querySelector('[data-page="contact"]')!.append(element);
      };
      add("data-webcti-phone", "(425) 555-0100 ext. 204", "switchboard");
      add("data-webcti-email", "alice@fabrikam.example", "alice-mail");
    });
    const before = (await webhookLog()).length;
    await page.locator("#switchboard").click();
    await expect.poll(async () => (await webhookLog()).length).toBe(before + 1);
    expect((await webhookLog())[0]!.event?.data).toMatchObject({ target: { kind: "phone", e164: "+14255550100", extension: "204" }, record: { type: "contact", id: "c-alice" } });
    await page.locator("#alice-mail").click();
    await expect.poll(async () => (await webhookLog()).length).toBe(before + 2);
    expect((await webhookLog())[0]).toMatchObject({
      verified: true,
      event: { data: { target: { kind: "email", email: "alice@fabrikam.example" }, raw: "alice@fabrikam.example", record: { type: "contact", id: "c-alice" } } },
    });
  });

  it("tells the page when the service refuses the click, and sends nothing", async () => {
    await putEndpoint(services, stack.tenantId, demo.dialerProviderId, { url: dialerUrl(), eventTypes: ["clickToAct.requested"], enabled: false });
    try {
      const before = (await webhookLog()).length;
      const refusedBefore = await page.locator('#click-log li[data-outcome="refused"]').count();
      await page.locator('[data-page="contact"][data-record-id="c-alice"] [data-phones] a').first().click();
      await expect.poll(() => page.locator('#click-log li[data-outcome="refused"]').count()).toBe(refusedBefore + 1);
      await expect.poll(() => hostEvents.filter((e) => e.outcome?.ok === false).at(-1)).toMatchObject({
        providerId: demo.dialerProviderId,
        outcome: { ok: false, code: "invalid_request", status: 400 },
      });
      expect((await webhookLog()).length).toBe(before);
    } finally {
      await putEndpoint(services, stack.tenantId, demo.dialerProviderId, { url: dialerUrl(), eventTypes: ["clickToAct.requested"] });
    }
  });

  it("gives the click back to the softphone when it takes clicks again", async () => {
    expect(await setSoftphoneClickToAct(true)).toBe(true);
    const before = (await webhookLog()).length;
    await page.locator('[data-page="contact"][data-record-id="c-alice"] [data-phones] a').first().click();
    await expect.poll(async () => (await softphone()).locator("#calls li").first().textContent()).toBe("Dialing +12065550101 (Alice Johnson)");
    // A later webhook-only click (the softphone off again) is the only new entry: this one sent none.
    expect(await setSoftphoneClickToAct(false)).toBe(false);
    await page.locator('[data-page="contact"][data-record-id="c-alice"] [data-phones] a').nth(1).click();
    await expect.poll(async () => (await webhookLog()).length).toBe(before + 1);
    expect((await webhookLog())[0]!.event?.data).toMatchObject({ target: { kind: "phone", e164: "+14255550100", extension: "204" } });
  });
});
