import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";
import { demo } from "../../local/seedDemo.js";
import type { Presence } from "../../shared/schemas/presence.js";

/**
 * Presence end to end: the product started as `npm start` starts it, the reference agent desktop in
 * headless Chromium, the test acting as the partner's server. Also the API reference page it serves.
 */
let stack: RunningStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function partner<T = Presence>(method: "GET" | "PUT", body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${stack.apiUrl}/v1/agents/${stack.agentId}/presence`, {
    method,
    headers: { authorization: `Bearer ${stack.apiKey}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as T };
}

const badge = () => page.locator("[data-presence-badge]");

beforeAll(async () => {
  stack = await startProductionStack();
  browser = await launchChromium();
  context = await browser.newContext();
  page = await context.newPage();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("agent presence in the desktop", () => {
  it("shows the agent offline on load, before anyone set a status", async () => {
    await page.goto(stack.url);
    await page.locator("[data-demo-sign-in]").click();
    await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 15_000 });
    await expect(page.locator("#agent-name").textContent()).resolves.toBe(demo.agentName);
    await page.locator('[data-presence-badge][data-status="offline"]').waitFor();
    await expect(badge().textContent()).resolves.toBe("Offline");
    await expect(page.locator("[data-presence-select]").inputValue()).resolves.toBe("offline");
  });

  it("follows the partner's update without a reload", async () => {
    const set = await partner("PUT", { status: "away", reason: "Lunch" });
    expect(set.status).toBe(200);
    await page.locator('[data-presence-badge][data-status="away"]').waitFor();
    await expect(badge().textContent()).resolves.toBe("Away · Lunch");
    await expect(page.locator("[data-presence-select]").inputValue()).resolves.toBe("away");
  });

  it("sets the status the agent picks, which the partner then reads with the agent as its source", async () => {
    await page.locator("[data-presence-select]").selectOption("available");
    await page.locator('[data-presence-badge][data-status="available"]').waitFor();
    await expect(badge().textContent()).resolves.toBe("Available");
    await expect.poll(async () => (await partner("GET")).body).toMatchObject({ status: "available", source: { kind: "agent" } });
    const read = await partner("GET");
    expect(read.body.reason).toBeUndefined();
  });

  it("keeps the newer status when an older update arrives late", async () => {
    const current = (await partner("GET")).body;
    const older = new Date(Date.parse(current.changedAt!) - 10_000).toISOString();
    const late = await partner("PUT", { status: "busy", reason: "Old call", changedAt: older });
    expect(late.status).toBe(200);
    expect(late.body).toEqual(current);
    // Pushes to one agent arrive in order: once a later screen pop has opened, a presence push sent
    // before it would have shown.
    const pop = await fetch(`${stack.apiUrl}/v1/conversations/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        type: "ringing",
        eventId: "presence-sentinel:ringing",
        conversationId: "presence-sentinel",
        occurredAt: new Date().toISOString(),
        agentId: stack.agentId,
        customer: { phone: demo.numbers.oneContact },
      }),
    });
    expect(pop.status).toBe(202);
    await page.locator('[data-page="contact"][data-record-id="c-alice"]').waitFor();
    await expect(badge().getAttribute("data-status")).resolves.toBe("available");
    // And a fresh page reads the same.
    await page.reload();
    await page.locator('[data-presence-badge][data-status="available"]').waitFor();
    expect((await partner("GET")).body).toEqual(current);
  });
});

describe("the API reference page", () => {
  it("renders the OpenAPI document from the stack itself", async () => {
    const reference = await context.newPage();
    const origins = new Set<string>();
    reference.on("request", (request) => void origins.add(new URL(request.url()).origin));
    const response = await reference.goto(`${stack.url}/reference/`);
    expect(response?.status()).toBe(200);
    await expect(reference.title()).resolves.toBe("WebCTI API reference");
    const document = (await (await fetch(`${stack.apiUrl}/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string; summary: string }>>;
    };
    const operation = document.paths["/api/v1/conversations/events"]!["post"]!;
    await reference.getByText(operation.summary, { exact: true }).first().waitFor({ timeout: 15_000 });
    await reference.getByText(operation.operationId, { exact: true }).first().waitFor();
    const presence = document.paths["/api/v1/agents/{agentId}/presence"]!["put"]!;
    await reference.getByText(presence.summary, { exact: true }).first().waitFor();
    expect([...origins]).toEqual([new URL(stack.url).origin]); // everything from the stack: no CDN
    await reference.close();
  });
});
