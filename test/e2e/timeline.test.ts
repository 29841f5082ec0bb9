import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";

/**
 * The live timeline: a partner's server logs an activity with the demo agent, and the record page open in
 * the agent's browser shows it without reloading (the service pushes `{ kind: "activity" }`).
 */
let stack: RunningStack;
let browser: Browser;
let page: Page;
/** Timeline reads the page made, counted on the Node side. */
let timelineReads = 0;

async function logActivity(body: Record<string, unknown>): Promise<{ activityId: string }> {
  const response = await fetch(`${stack.apiUrl}/v1/activities`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { activityId: string };
}

const item = (id: string) => page.locator(`[data-timeline] li[data-activity-id="${id}"]`);

beforeAll(async () => {
  stack = await startProductionStack();
  browser = await launchChromium();
  page = await browser.newPage();
  page.on("request", (request) => {
    if (/\/api\/v1\/agent\/directory\/[^/]+\/[^/]+\/activities/.test(new URL(request.url()).pathname)) timelineReads += 1;
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("live timeline on the reference desktop", () => {
  it("shows a partner's activity on the open record page without reloading", async () => {
    await page.goto(stack.url);
    await page.locator("[data-demo-sign-in]").click();
    await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 15_000 });
    await page.goto(`${stack.url}/#/contacts/c-alice`);
    await page.locator('[data-page="contact"][data-record-id="c-alice"] [data-timeline-section]').waitFor();
    // Marks this document and this timeline element: a reload or a re-rendered timeline would lose them.
    await page.evaluate(() => {
      (window as unknown as { loadMark: string }).loadMark = "still here";
      (document.querySelector("[data-timeline-section]") as unknown as { mark: string }).mark = "same element";
    });
    const readsBefore = timelineReads;

    const logged = await logActivity({
      activityId: "e2e-live-1",
      agentId: stack.agentId,
      record: { type: "contact", id: "c-alice" },
      channel: "voice",
      direction: "inbound",
      subject: "Billing question",
      disposition: "Resolved",
      endedAt: new Date().toISOString(),
      durations: { talkSeconds: 125, holdSeconds: 20 },
      notes: "Explained the November invoice",
    });
    await expect.poll(() => item(logged.activityId).count(), { timeout: 15_000 }).toBe(1);
    const text = await item(logged.activityId).textContent();
    expect(text).toContain("Billing question");
    expect(text).toContain("Resolved");
    expect(text).toContain("2:05");
    expect(text).toContain("Explained the November invoice");
    // Newest first: it happened just now, so it leads the list.
    await expect(page.locator("[data-timeline] li").first().getAttribute("data-activity-id")).resolves.toBe(logged.activityId);

    expect(await page.evaluate(() => (window as unknown as { loadMark?: string }).loadMark)).toBe("still here");
    expect(await page.evaluate(() => (document.querySelector("[data-timeline-section]") as unknown as { mark?: string }).mark)).toBe("same element");
    expect(timelineReads).toBe(readsBefore);
  });

  it("leaves the open timeline alone for another record's activity, and shows a resend once", async () => {
    await logActivity({ activityId: "e2e-other", agentId: stack.agentId, record: { type: "contact", id: "c-bob" }, subject: "Bob's call" });
    const sentinel = await logActivity({
      activityId: "e2e-live-2",
      agentId: stack.agentId,
      record: { type: "contact", id: "c-alice" },
      subject: "Follow-up",
    });
    // Pushes to one agent arrive in order, so once the later one shows, the earlier has been handled.
    await expect.poll(() => item(sentinel.activityId).count(), { timeout: 15_000 }).toBe(1);
    expect(await item("e2e-other").count()).toBe(0);

    await logActivity({ activityId: "e2e-live-2", agentId: stack.agentId, record: { type: "contact", id: "c-alice" }, subject: "Follow-up" });
    const marker = await logActivity({ activityId: "e2e-live-3", agentId: stack.agentId, record: { type: "contact", id: "c-alice" }, subject: "Third" });
    await expect.poll(() => item(marker.activityId).count(), { timeout: 15_000 }).toBe(1);
    expect(await item(sentinel.activityId).count()).toBe(1);
  });
});
