import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Frame, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { startHubSpotWidget, type HubSpotWidgetServer } from "../support/hubspotWidget.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";
import { createServices } from "../../shared/services.js";
import { readConfig } from "../../shared/config.js";
import { putProvider } from "../../shared/tenancy/tenancyStore.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";

/**
 * A HubSpot Calling Extensions widget (the unmodified npm SDK) whose panel has `reportCalls: true`: the
 * host reports the calls the widget describes as the provider's conversation events, so the service pops
 * the caller's record, folds the conversation and counts it in the KPIs with no server integration.
 */
let stack: RunningStack;
let widget: HubSpotWidgetServer;
let browser: Browser;
let page: Page;
let apiKey: string;
const providerId = "hubspot-reporting";

type Received = Array<{ name: string; data: Record<string, unknown> }>;

async function frame(): Promise<Frame> {
  const found = await page.locator(`.webcti-panel[data-provider-id="${providerId}"] iframe`).elementHandle().then((h) => h?.contentFrame());
  if (!found) throw new Error("the widget's frame is not there");
  return found;
}

async function inWidget(script: string): Promise<void> {
  await (await frame()).evaluate((source) => new Function("cti", source)((window as unknown as { cti: unknown }).cti), script);
}

const lastOf = async (name: string) =>
  (await (await frame()).evaluate(() => (window as unknown as { received: Received }).received)).filter((event) => event.name === name).at(-1)?.data;

async function asPartner<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
  return { status: response.status, body: (await response.json()) as T };
}

type Conversation = { state: string; outcome: string | null; legs: Array<{ state: string; agentId?: string; disposition?: string; outcome: string | null; durations: Record<string, number> }> };
const conversation = async (id: string) => (await asPartner<Conversation>(`/v1/conversations/${id}`)).body;

beforeAll(async () => {
  [stack, widget] = await Promise.all([startProductionStack(), startHubSpotWidget()]);
  const services = createServices(readConfig({ WEBCTI_TABLES_CONNECTION_STRING: stack.tablesConnectionString, WEBCTI_WEBPUBSUB_CONNECTION_STRING: stack.webPubSub.connectionString }));
  const panel = { widgetUrl: widget.url, trustedOrigins: [widget.origin], order: 1, widgetProtocol: "hubspot" as const, reportCalls: true };
  await putProvider(services, { tenantId: stack.tenantId, providerId, label: "HubSpot Reporting", panel });
  ({ apiKey } = await issuePartnerKey(services.tables, stack.tenantId, providerId, new Date()));
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1600, height: 900 } })).newPage();
  await page.goto(stack.url);
  await page.locator("[data-demo-sign-in]").click();
  await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 15_000 });
  await page.locator(`.webcti-panel[data-provider-id="${providerId}"][data-state="ready"]`).waitFor({ timeout: 30_000 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([stack?.stop(), widget?.close()]);
});

describe("a HubSpot widget's calls reported by the host (panel reportCalls)", () => {
  it("reports the ring: the service pops the caller's record and its matches answer caller ID", async () => {
    await page.evaluate(() => void (location.hash = "#/accounts"));
    await inWidget("cti.incomingCall({ externalCallId: 'r1', fromNumber: '+1 206 555 0101', toNumber: '+12065550000', callStartTime: Date.now() })");
    await page.locator('[data-page="contact"][data-record-id="c-alice"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => lastOf("onCallerIdMatchSucceeded")).toMatchObject({ externalCallId: "r1", callerIdMatches: [{ objectCoordinates: { objectId: "c-alice" } }] });
    await expect(conversation("hubspot.r1")).resolves.toMatchObject({ state: "active", legs: [{ state: "ringing", agentId: stack.agentId }] });
    // The pop is the service's (a pop the host made by itself would open no session): it opened the call's session.
    await expect.poll(() => page.locator("#session-bar .session-chip").filter({ hasText: "Alice Johnson" }).count()).toBe(1);
  });

  it("reports answer, end and wrap-up: the conversation is completed with the disposition, the activity linked to it", async () => {
    await inWidget("cti.callAnswered({ externalCallId: 'r1' })");
    await inWidget("cti.callEnded({ externalCallId: 'r1', callEndStatus: 'COMPLETED' })");
    await inWidget("cti.callCompleted({ externalCallId: 'r1', engagementProperties: { hs_call_title: 'Order status', hs_call_disposition: 'Resolved' } })");
    await expect.poll(() => lastOf("onUpdateEngagementSucceeded")).toMatchObject({ externalCallId: "r1" });
    await expect.poll(() => conversation("hubspot.r1"), { timeout: 15_000 }).toMatchObject({ state: "ended", outcome: "completed", legs: [{ state: "ended", disposition: "Resolved" }] });
    const { body } = await asPartner<{ activities: Array<{ activityId: string; conversationId?: string }> }>("/v1/directory/contacts/c-alice/activities");
    expect(body.activities.find((a) => a.activityId === "hubspot.r1")).toMatchObject({ conversationId: "hubspot.r1" });
  });

  it("reports a call the agent missed with its outcome", async () => {
    await inWidget("cti.incomingCall({ externalCallId: 'r2', fromNumber: '+1 206 555 0150', toNumber: '+12065550000' })");
    await expect.poll(() => conversation("hubspot.r2"), { timeout: 15_000 }).toMatchObject({ legs: [{ state: "ringing" }] });
    await inWidget("cti.callEnded({ externalCallId: 'r2', callEndStatus: 'MISSED' })");
    await expect.poll(() => conversation("hubspot.r2"), { timeout: 15_000 }).toMatchObject({ state: "ended", outcome: "missedByAgent" });
  });

  it("reports an outgoing call from its start, the customer being the number dialed", async () => {
    await inWidget("cti.outgoingCall({ externalCallId: 'r3', fromNumber: '+12065550000', toNumber: '+1 206 555 0150', callStartTime: Date.now() })");
    await expect.poll(() => conversation("hubspot.r3"), { timeout: 15_000 }).toMatchObject({ state: "active", legs: [{ state: "initiated" }] });
    const { body } = await asPartner<{ customer: { phone?: string }; direction: string }>("/v1/conversations/hubspot.r3");
    expect(body).toMatchObject({ direction: "outbound", customer: { phone: "+1 206 555 0150" } });
    await inWidget("cti.callEnded({ externalCallId: 'r3', callEndStatus: 'NO_ANSWER' })");
    await expect.poll(() => conversation("hubspot.r3"), { timeout: 15_000 }).toMatchObject({ state: "ended", outcome: "noAnswer" });
  });

  it("counts the reported calls in the provider's KPIs", async () => {
    const day = new Date().toISOString().slice(0, 10);
    const next = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
    const kpis = () => asPartner<{ total: { offered: number; outbound: number } }>(`/v1/analytics/kpis?from=${day}T00:00:00Z&to=${next}T00:00:00Z&interval=day`);
    await expect.poll(async () => (await kpis()).body.total, { timeout: 30_000 }).toMatchObject({ offered: 2, outbound: 1 });
  });
});
