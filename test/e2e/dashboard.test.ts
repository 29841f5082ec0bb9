import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";
import { runOps } from "../../tools/ops.js";
import { goldenConversations } from "../fixtures/goldenConversations.js";

/**
 * The supervisor dashboard end to end: the product started as `npm start` starts it, the reference desktop
 * in headless Chromium, the test acting as the partner's server. The conversations are c48–c53 of the golden
 * set (test/fixtures/goldenConversations.ts), all sent by the demo provider; their figures are the rows of
 * the hand-worked table in test/shared/analytics/kpis.test.ts (waits, talk, wrap-up per conversation):
 *
 *   c48 support a1 answered, wait 29.9 s, talk 100, wrap 20      c51 billing a3 answered, wait 10 s, talk 50, wrap 10
 *   c49 support a2 answered, wait 3 s,    talk 57,  wrap 60      c52 sales   a3 answered, wait 15 s, talk 45, wrap 5
 *   c50 support a1 abandoned ringing after 9 s (not short)      c53 support a1 still ringing: counts nowhere (yet)
 *
 * All end in 2026-11-02 10:00–10:15 UTC, so the dashboard is opened on a link with that day's range.
 */
let stack: RunningStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const dashboardRequests: string[] = [];

const tenantId = "contoso";
const golden = goldenConversations({ prefix: "dash", providers: ["demo-softphone", "demo-softphone"], agents: ["a1", "a2", "a3", "a4"] });
const sent = golden.filter((c) => ["c48", "c49", "c50", "c51", "c52", "c53"].includes(c.name));
const quarter = "2026-11-02T10:00:00.000Z";
const link = "#/dashboard?providerId=demo-softphone&channel=voice&interval=15m&from=2026-11-02T09:00:00Z&to=2026-11-02T11:00:00Z";
/** The dashboard of that link, once it shows a report (not the one the nav link opened before). */
const ready = '[data-page="dashboard"][data-state="ready"][data-from="2026-11-02T09:00:00.000Z"]';

async function partner(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function ops(...argv: string[]) {
  const output: string[] = [];
  const code = await runOps(argv, { env: { WEBCTI_TABLES_CONNECTION_STRING: stack.tablesConnectionString, WEBCTI_WEBPUBSUB_CONNECTION_STRING: stack.webPubSub.connectionString }, print: (line) => output.push(line) });
  expect(code, output.join("\n")).toBe(0);
}

/** A figure's raw value in the table: the total row, or the row of one interval. */
async function figure(name: string, row = "[data-total]"): Promise<number | null> {
  const value = await page.locator(`[data-page="dashboard"] ${row} [data-kpi="${name}"]`).getAttribute("data-value", { timeout: 1000 }).catch(() => undefined);
  if (value === undefined || value === null) return Number.NaN;
  return value === "" ? null : Number(value);
}

async function figures(names: string[], row?: string): Promise<Record<string, number | null>> {
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await figure(n, row)] as const)));
}

const chartData = (name: string) =>
  page.evaluate(
    (chart) =>
      (window as unknown as { webctiDashboard: { chartData(n: string): { labels: string[]; datasets: Array<{ label: string; data: Array<number | null> }> } } }).webctiDashboard.chartData(chart),
    name,
  );

beforeAll(async () => {
  stack = await startProductionStack();
  // The agents of the golden set (a partner may only name agents of its tenant), and Sam, who is no supervisor.
  for (const agent of ["a1", "a2", "a3", "a4"]) await ops("agent", "put", "--tenant", tenantId, "--agent", agent, "--name", `Agent ${agent}`);
  await ops("agent", "put", "--tenant", tenantId, "--agent", "sam", "--name", "Sam Lee");
  await ops("agent", "link", "--tenant", tenantId, "--agent", "sam", "--principal", "sam", "--idp", "demo");
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  page.on("request", (request) => {
    if (request.url().includes("/desktop/chunks/dashboard-")) dashboardRequests.push(request.url());
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the supervisor dashboard", () => {
  it("is a nav link for a supervisor, and its chunk (Chart.js) loads only when the page opens", async () => {
    await page.goto(stack.url);
    await page.locator("[data-demo-sign-in]").click();
    await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-page="contacts-list"]').waitFor();
    await expect(page.locator("#nav-dashboard").isVisible()).resolves.toBe(true);
    expect(dashboardRequests).toEqual([]);
  });

  it("shows the figures worked out by hand for the conversations that ended, in the table and the charts", async () => {
    const events = sent.flatMap((c) => c.events);
    const posted = await partner("/v1/conversations/events/batch", { events });
    expect(posted.status, JSON.stringify(posted.body)).toBe(200);
    const analytics = await partner("/v1/analytics/events", {
      events: [
        { eventId: "dash-survey-1", conversationId: "dash-c48", eventName: "surveyOffered", eventTimestamp: "2026-11-02T10:02:30Z" },
        { eventId: "dash-survey-2", conversationId: "dash-c49", eventName: "surveyOffered", eventTimestamp: "2026-11-02T10:02:40Z", customData: { score: 5 } },
      ],
    });
    expect(analytics.status, JSON.stringify(analytics.body)).toBe(200);

    await page.locator("#nav-dashboard").click();
    await page.locator('[data-page="dashboard"]').waitFor();
    expect(dashboardRequests).toHaveLength(1);
    await page.goto(`${stack.url}/${link}`);
    await page.locator(ready).waitFor();

    // c48–c52 ended: offered 5; answered c48 c49 c51 c52 = 4; c50 abandoned ringing after 9 s (≥ 5 s: not short)
    // abandon rate (0 + 1 − 0) / (5 − 0 − 0); service level (c49 3 s, c51 10 s, c52 15 s ≤ 20 s) 3 / (4 + 1 − 0)
    // ASA (29.9 + 3 + 10 + 15) / 4 = 14.475; talk 100 + 57 + 50 + 45 = 252; wrap 20 + 60 + 10 + 5 = 95; AHT 347 / 4
    const expected = {
      offered: 5,
      answered: 4,
      abandoned: 1,
      abandonedInIvr: 0,
      abandonedInQueue: 0,
      abandonedInRinging: 1,
      abandonedInHold: 0,
      shortAbandoned: 0,
      abandonRate: 0.2,
      serviceLevel: 0.6,
      averageSpeedOfAnswerSeconds: 14.475,
      averageHandleSeconds: 86.75,
      averageTalkSeconds: 63,
      averageHoldSeconds: 0,
      averageWrapUpSeconds: 23.75,
      transferRate: 0,
      missedByAgent: 0,
      flowOut: 0,
      outbound: 0,
      outboundConnected: 0,
      "partnerEvents.surveyOffered": 2,
    };
    await expect.poll(() => figures(Object.keys(expected)), { timeout: 30_000 }).toEqual(expected);
    await expect.poll(() => figures(Object.keys(expected), `[data-interval-start="${quarter}"]`)).toEqual(expected);
    await expect(page.locator("[data-interval-start]").count()).resolves.toBe(1); // points are sparse
    // For people: percentages and seconds; the raw value stays in data-value.
    await expect(page.locator('[data-total] [data-kpi="abandonRate"]').textContent()).resolves.toBe("20.0%");
    await expect(page.locator('[data-total] [data-kpi="averageSpeedOfAnswerSeconds"]').textContent()).resolves.toBe("14.5 s");
    await expect(page.locator('[data-total] [data-kpi="averageHandleSeconds"]').textContent()).resolves.toBe("1 min 27 s");
    await expect(page.locator("th", { hasText: "Service level" }).first().getAttribute("scope")).resolves.toBe("col");

    // The charts: Chart.js instances on the canvases, one point per quarter-hour of 09:00–11:00.
    const volumes = await chartData("volumes");
    expect(volumes.labels).toEqual(["11-02 09:00", "11-02 09:15", "11-02 09:30", "11-02 09:45", "11-02 10:00", "11-02 10:15", "11-02 10:30", "11-02 10:45"]);
    expect(volumes.datasets.find((d) => d.label === "Answered")!.data).toEqual([0, 0, 0, 0, 4, 0, 0, 0]);
    expect(volumes.datasets.find((d) => d.label === "Abandoned ringing")!.data).toEqual([0, 0, 0, 0, 1, 0, 0, 0]);
    const rates = await chartData("rates");
    expect(rates.datasets.find((d) => d.label === "Service level")!.data[4]).toBeCloseTo(0.6, 9);
    expect(rates.datasets.find((d) => d.label === "Service level")!.data[0]).toBeNull(); // no data: a gap, not 0 %
    const times = await chartData("times");
    expect(times.datasets.find((d) => d.label === "Avg handle time")!.data[4]).toBeCloseTo(86.75, 9);
    expect((await chartData("events")).datasets.map((d) => [d.label, d.data[4]])).toEqual([["surveyOffered", 2]]);
    await expect(page.locator('canvas[data-chart="volumes"]').getAttribute("role")).resolves.toBe("img");
  });

  it("updates without a reload when another conversation ends", async () => {
    await page.evaluate(() => ((window as unknown as { loadMark: string }).loadMark = "still here"));
    // c53 has rung at a1 since 10:10:05 (queued 10:10:00); the customer hangs up at 10:10:20: abandoned
    // ringing after 20 s. Offered 6; abandon rate (0 + 2 − 0) / (6 − 0 − 0); service level 3 / (4 + 2 − 0).
    const ended = await partner("/v1/conversations/events", {
      type: "ended",
      eventId: "dash-c53-end",
      conversationId: "dash-c53",
      occurredAt: "2026-11-02T10:10:20Z",
      channel: "voice",
      direction: "inbound",
      agentId: "a1",
      endedBy: "customer",
    });
    expect(ended.status, JSON.stringify(ended.body)).toBe(202);
    await expect
      .poll(() => figures(["offered", "answered", "abandonedInRinging", "abandonRate", "serviceLevel"]), { timeout: 30_000 })
      .toEqual({ offered: 6, answered: 4, abandonedInRinging: 2, abandonRate: 2 / 6, serviceLevel: 3 / 6 });
    await expect(page.evaluate(() => (window as unknown as { loadMark?: string }).loadMark)).resolves.toBe("still here");
    expect((await chartData("volumes")).datasets.find((d) => d.label === "Abandoned ringing")!.data[4]).toBe(2);
    await expect(page.locator("[data-dashboard-status]").getAttribute("aria-live")).resolves.toBe("polite");
  });

  it("splits by queue and shows the queue picked", async () => {
    await page.locator("#dash-split").selectOption("queue");
    await page.locator('[data-control-for="value"]:not([hidden])').waitFor();
    await expect.poll(() => page.locator("#dash-value option").allTextContents()).toEqual(["All queues", "billing", "sales", "support"]);
    await page.locator("#dash-value").selectOption({ label: "support" });
    // support: c48 c49 answered, c50 and c53 abandoned ringing (9 s, 20 s): abandon rate 2 / 4; service level c49 / (2 + 2)
    await expect
      .poll(() => figures(["offered", "answered", "abandonedInRinging", "abandonRate", "serviceLevel", "averageSpeedOfAnswerSeconds"]))
      .toEqual({ offered: 4, answered: 2, abandonedInRinging: 2, abandonRate: 0.5, serviceLevel: 0.25, averageSpeedOfAnswerSeconds: 16.45 });
    expect(new URL(page.url()).hash).toContain("by=queue");
    await page.locator("#dash-split").selectOption("");
    await expect.poll(() => figure("offered")).toBe(6);
  });

  it("lets the supervisor change the KPI settings, and the figures follow", async () => {
    await page.locator("#kpi-short").fill("10");
    await page.locator("#kpi-sl").fill("30");
    await page.locator("[data-kpi-settings] button[type=submit]").click();
    await expect.poll(() => page.locator("[data-settings-status]").textContent()).toMatch(/^Saved/);
    // short (< 10 s): c50 9 s → 1; abandon rate (2 − 1) / (6 − 0 − 1); SL30: c48 29.9 s too → 4 / (4 + 2 − 1)
    await expect
      .poll(() => figures(["shortAbandoned", "abandonRate", "serviceLevel"]), { timeout: 30_000 })
      .toEqual({ shortAbandoned: 1, abandonRate: 1 / 5, serviceLevel: 4 / 5 });
    await page.reload();
    await page.locator(ready).waitFor();
    await expect(page.locator("#kpi-short").inputValue()).resolves.toBe("10");
    await expect(page.locator("#kpi-sl").inputValue()).resolves.toBe("30");
  });

  it("is not there for an agent who is no supervisor, and the API says 403", async () => {
    const other = await browser.newContext();
    const sam = await other.newPage();
    await sam.goto(`${stack.url}/.auth/login/demo?user=sam&name=Sam%20Lee&post_login_redirect_uri=/`);
    await sam.locator('#agent-name:text("Sam Lee")').waitFor();
    await sam.locator('[data-page="contacts-list"]').waitFor();
    await expect(sam.locator("#nav-dashboard").isHidden()).resolves.toBe(true);
    const statuses = await sam.evaluate(async () =>
      Promise.all(
        ["/api/v1/agent/analytics/kpis?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z&interval=hour", "/api/v1/agent/analytics/settings"].map(async (url) => {
          const response = await fetch(url, { credentials: "same-origin" });
          return [response.status, response.headers.get("content-type")];
        }),
      ),
    );
    expect(statuses).toEqual([
      [403, expect.stringContaining("application/problem+json")],
      [403, expect.stringContaining("application/problem+json")],
    ]);
    await sam.goto(`${stack.url}/${link}`);
    await sam.locator('#page [role="alert"]').waitFor();
    await other.close();
  });
});
