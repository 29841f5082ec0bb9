import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";
import { restToken, waitFor } from "../local/webpubsub/support.js";
import { demo } from "../../local/seedDemo.js";
import { agentUserId } from "../../shared/realtime/agentPush.js";

/**
 * The tracer end to end: the product started as `npm start` starts it, the reference agent desktop in
 * headless Chromium, the test acting as the partner's server.
 */
let stack: RunningStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every pop the page's client reported, across reloads (recorded on the Node side). */
const reported: Array<{ id: string; outcome: string; via: string }> = [];
let callNumber = 0;

async function ring(phone: string): Promise<{ id: string; href: string }> {
  callNumber += 1;
  const response = await fetch(`${stack.apiUrl}/v1/conversations/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      type: "ringing",
      eventId: `e2e-${callNumber}:ringing`,
      conversationId: `e2e-${callNumber}`,
      occurredAt: new Date().toISOString(),
      agentId: stack.agentId,
      customer: { phone },
    }),
  });
  expect(response.status).toBe(202);
  const body = (await response.json()) as { screenPop: { id: string; href: string } };
  return body.screenPop;
}

async function popStatus(pop: { href: string }): Promise<string> {
  const response = await fetch(new URL(pop.href, stack.url), { headers: { authorization: `Bearer ${stack.apiKey}` } });
  return ((await response.json()) as { status: string }).status;
}

const openedCount = (id: string) => reported.filter((r) => r.id === id && r.outcome === "opened").length;

async function waitConnected() {
  await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 15_000 });
}

beforeAll(async () => {
  stack = await startProductionStack();
  browser = await launchChromium();
  context = await browser.newContext();
  await context.exposeFunction("reportPop", (id: string, outcome: string, via: string) => {
    reported.push({ id, outcome, via });
  });
  // Subscribes to the client the desktop publishes as window.webcti, on every load of the page.
  await context.addInitScript(() => {
    let client: unknown;
    Object.defineProperty(window, "webcti", {
      configurable: true,
      get: () => client,
      set(value: { on(event: string, handler: (e: { pop: { id: string }; outcome: string; via: string }) => void): void }) {
        client = value;
        value.on("pop", (e) => void (window as unknown as { reportPop: (...a: string[]) => void }).reportPop(e.pop.id, e.outcome, e.via));
      },
    });
  });
  page = await context.newPage();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("screen pop in the agent's browser", () => {
  it("signs the demo agent in and connects", async () => {
    await page.goto(stack.url);
    await page.locator("[data-demo-sign-in]").click();
    await waitConnected();
    await expect(page.locator("#agent-name").textContent()).resolves.toBe(demo.agentName);
    await page.locator('[data-page="contacts-list"]').waitFor();
  });

  it("opens the contact form when one contact has the caller's number", async () => {
    const pop = await ring(demo.numbers.oneContact);
    await page.locator('[data-page="contact"][data-record-id="c-alice"]').waitFor();
    await expect(page.locator("h1").textContent()).resolves.toBe("Alice Johnson");
    await expect(page.locator("#f-name").inputValue()).resolves.toBe("Alice Johnson");
    await waitFor(async () => (await popStatus(pop)) === "delivered", 10_000, "the pop to be acknowledged");
    expect(openedCount(pop.id)).toBe(1);
  });

  it("opens a search listing both contacts when two share the number", async () => {
    const pop = await ring(demo.numbers.sharedByTwo);
    await page.locator('[data-page="search"]').waitFor();
    const names = await page.locator("[data-search-results] li a").allTextContents();
    expect(names.sort()).toEqual(["Bob Smith", "Carol Smith"]);
    await waitFor(async () => (await popStatus(pop)) === "delivered", 10_000, "the pop to be acknowledged");
  });

  it("opens a new-contact form prefilled with an unknown number", async () => {
    await ring(demo.numbers.unknown);
    await page.locator('[data-page="new-contact"]').waitFor();
    await expect(page.locator("#f-phone-0").inputValue()).resolves.toBe("+12065550199");
  });

  it("saves the new contact from the prefilled form, and the next call from that number opens it", async () => {
    await ring("+1 206 555 0142");
    await page.locator('[data-page="new-contact"]').waitFor();
    await expect(page.locator("#f-phone-0").inputValue()).resolves.toBe("+12065550142");
    await page.locator("#f-name").fill("Nina Patel");
    await page.locator('[data-record-form] button[type="submit"]').click();
    await page.locator('[data-page="contact"] h1', { hasText: "Nina Patel" }).waitFor();
    const createdId = await page.locator('[data-page="contact"]').getAttribute("data-record-id");

    await page.goto(`${stack.url}/#/accounts`);
    await page.locator('[data-page="accounts-list"]').waitFor();
    await ring("(206) 555-0142");
    await page.locator(`[data-page="contact"][data-record-id="${createdId}"]`).waitFor();
    await expect(page.locator("h1").textContent()).resolves.toBe("Nina Patel");
  });

  it("shows the account form with its contacts", async () => {
    await page.goto(`${stack.url}/#/accounts/acc-northwind`);
    await page.locator('[data-page="account"][data-record-id="acc-northwind"]').waitFor();
    await expect(page.locator("#f-name").inputValue()).resolves.toBe("Northwind Traders");
    const contacts = await page.locator("[data-account-contacts] li").allTextContents();
    expect(contacts.sort()).toEqual(["Bob Smith", "Carol Smith"]);
  });

  it("delivers pops sent while the page reloads, once, and does not reopen earlier ones", async () => {
    const before = reported.map((r) => r.id);
    await page.goto("about:blank"); // the agent's tab is reloading: no connection at all
    const missed = await ring(demo.numbers.oneContact);
    expect(await popStatus(missed)).toBe("queued");
    await page.goto(stack.url);
    await waitConnected();
    await page.locator('[data-page="contact"][data-record-id="c-alice"]').waitFor();
    await waitFor(() => openedCount(missed.id) === 1, 10_000, "the missed pop to be caught up");
    expect(reported.find((r) => r.id === missed.id)?.via).toBe("catchUp");

    // A pop after the reload is handled after the catch-up, so once it shows, any replay has happened.
    const sentinel = await ring(demo.numbers.sharedByTwo);
    await waitFor(() => openedCount(sentinel.id) === 1, 10_000, "the pop after reload");
    await page.locator('[data-page="search"]').waitFor();
    for (const id of new Set(before)) expect(openedCount(id)).toBeLessThanOrEqual(1);
    expect(openedCount(missed.id)).toBe(1);
  });

  it("does not reopen a pop shown but not yet acknowledged when the page reloads, and acknowledges it later", async () => {
    await page.route("**/screen-pops/*/ack", (route) => route.abort());
    const shown = await ring(demo.numbers.oneContact);
    await waitFor(() => openedCount(shown.id) === 1, 10_000, "the pop to be shown");
    expect(await popStatus(shown)).toBe("queued"); // its ack never reached the server

    await page.reload();
    await waitConnected();
    const sentinel = await ring(demo.numbers.sharedByTwo);
    await waitFor(() => openedCount(sentinel.id) === 1, 10_000, "the pop after reload");
    expect(openedCount(shown.id)).toBe(1); // the catch-up listed it again; the client knew it was shown

    await page.unroute("**/screen-pops/*/ack");
    await page.reload();
    await waitConnected();
    await waitFor(async () => (await popStatus(shown)) === "delivered", 10_000, "the held-back ack to be sent");
    await waitFor(async () => (await popStatus(sentinel)) === "delivered", 10_000, "the held-back ack to be sent");
    expect(openedCount(shown.id)).toBe(1);
  });

  it("delivers pops sent while the connection is dropped, once each", async () => {
    const userId = agentUserId(stack.tenantId, stack.agentId);
    const dropUrl = `${stack.webPubSub.endpoint}/local/hubs/${stack.webPubSub.hub}/users/${encodeURIComponent(userId)}/:drop`;
    const dropped = await fetch(dropUrl, {
      method: "POST",
      headers: { authorization: `Bearer ${await restToken(accessKeyOf(stack.webPubSub.connectionString), dropUrl)}` },
    });
    expect(((await dropped.json()) as { dropped: number }).dropped).toBeGreaterThanOrEqual(1);

    const first = await ring(demo.numbers.unknown);
    const second = await ring(demo.numbers.oneContact);
    await waitFor(() => openedCount(first.id) === 1 && openedCount(second.id) === 1, 15_000, "both pops after the drop");
    await page.locator('[data-page="contact"][data-record-id="c-alice"]').waitFor();
    await waitFor(async () => (await popStatus(second)) === "delivered", 10_000, "the second pop to be acknowledged");

    const sentinel = await ring(demo.numbers.sharedByTwo);
    await waitFor(() => openedCount(sentinel.id) === 1, 10_000, "a pop after the reconnection");
    expect(openedCount(first.id)).toBe(1);
    expect(openedCount(second.id)).toBe(1);
    const ids = reported.filter((r) => r.outcome === "opened").map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length); // no pop opened twice, over the whole run
  });
});

function accessKeyOf(connectionString: string): string {
  const key = /AccessKey=([^;]+)/.exec(connectionString)?.[1];
  if (!key) throw new Error("no AccessKey in the Web PubSub connection string");
  return key;
}
