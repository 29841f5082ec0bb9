import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Frame, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { startCrmApp, type CrmApp, type CrmAppOptions, type CrmContact } from "../support/crmApp.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";
import { runOps } from "../../tools/ops.js";
import { waitFor } from "../local/webpubsub/support.js";

/**
 * WebCTI inside a CRM that is not the reference desktop (issue 14; docs/crm-integration.md): the product
 * started as `npm start` starts it, and per record source one tenant whose CRM (test/support/crmApp.ts) runs
 * on its own origin with its own contacts and signs its agent in by the integration-key token exchange. The
 * test plays the partner's server (events, activities) and the CRM's operator (settings, keys).
 */
let stack: RunningStack;
let browser: Browser;

type Mode = "directory" | "host" | "webhook";
interface Tenant {
  mode: Mode;
  tenantId: string;
  providerId: string;
  agentId: string;
  partnerKey: string;
  integrationKey: string;
  crm: CrmApp;
  webhookSecret?: string;
}

const contacts: CrmContact[] = [
  { type: "contact", id: "crm-1001", name: "Grace Hopper", phone: "+1 206 555 0111", email: "grace@fabrikam.example" },
  { type: "lead", id: "crm-2001", name: "Alan Turing", phone: "+1 206 555 0122" },
  { type: "contact", id: "crm-1002", name: "Ada Lovelace", phone: "+1 206 555 0133" },
  { type: "contact", id: "crm-1003", name: "Ada Byron", phone: "+1 206 555 0133" },
];

async function ops(...argv: string[]): Promise<unknown> {
  const output: string[] = [];
  const env = { WEBCTI_TABLES_CONNECTION_STRING: stack.tablesConnectionString };
  const code = await runOps(argv, { env, print: (line) => output.push(line) });
  expect(code, output.join("\n")).toBe(0);
  return JSON.parse(output.at(-1)!);
}

async function api(path: string, key: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { authorization: `Bearer ${key}`, ...(init.body === undefined ? {} : { "content-type": "application/json" }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

/** A tenant, its agent and provider, its keys, its CRM on its own origin, and its CRM settings. */
async function provision(mode: Mode, withWidget: boolean): Promise<Tenant> {
  const tenantId = `fabrikam-${mode}`;
  const providerId = "acme-voice";
  const agentId = "agent-7";
  const options: CrmAppOptions = { webctiUrl: stack.url, apiUrl: stack.apiUrl, integrationKey: "", agentId, contacts: structuredClone(contacts) };
  const tenant = { mode, tenantId, providerId, agentId } as Tenant;
  options.webhookSecret = () => tenant.webhookSecret;
  tenant.crm = await startCrmApp(options);
  await ops("tenant", "put", "--tenant", tenantId, "--name", `Fabrikam (${mode})`);
  const panel = withWidget ? { panel: { widgetUrl: tenant.crm.widgetUrl, trustedOrigins: [tenant.crm.widgetOrigin] } } : {};
  const file = `${process.env.TMPDIR ?? "/tmp"}/webcti-crm-${mode}-${process.pid}.json`;
  const { writeFile } = await import("node:fs/promises");
  await writeFile(file, JSON.stringify(panel));
  await ops("provider", "put", "--tenant", tenantId, "--provider", providerId, "--label", "Acme Voice", "--file", file);
  await ops("agent", "put", "--tenant", tenantId, "--agent", agentId, "--name", "Kim Lee");
  tenant.partnerKey = ((await ops("key", "issue", "--tenant", tenantId, "--provider", providerId)) as { apiKey: string }).apiKey;
  tenant.integrationKey = ((await ops("integration-key", "issue", "--tenant", tenantId)) as { integrationKey: string }).integrationKey;
  options.integrationKey = tenant.integrationKey;

  const endpoint = await api("/v1/integration/webhooks/endpoint", tenant.integrationKey, {
    method: "PUT",
    body: { url: `${tenant.crm.origin}/webcti/webhooks`, eventTypes: ["activity.created", "activity.updated"] },
  });
  expect(endpoint.status, JSON.stringify(endpoint.body)).toBeLessThan(300);
  tenant.webhookSecret = endpoint.body!.secret as string;
  const settings = await api("/v1/integration/settings", tenant.integrationKey, {
    method: "PUT",
    body: {
      origins: [tenant.crm.origin],
      records: mode,
      ...(mode === "webhook" ? { lookupWebhook: { url: `${tenant.crm.origin}/webcti/lookup`, fallback: "search" } } : {}),
    },
  });
  expect(settings.status, JSON.stringify(settings.body)).toBe(200);
  return tenant;
}

let calls = 0;
async function ring(tenant: Tenant, phone: string) {
  calls += 1;
  const res = await api("/v1/conversations/events", tenant.partnerKey, {
    body: {
      type: "ringing",
      eventId: `crm-${calls}:ringing`,
      conversationId: `crm-${calls}`,
      occurredAt: new Date().toISOString(),
      agentId: tenant.agentId,
      customer: { phone },
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body as { screenPop: { id: string; href: string } | null; matches?: Array<{ type: string; id: string }> };
}

async function popStatus(tenant: Tenant, href: string): Promise<string> {
  return (await api(href.replace(/^\/api/, ""), tenant.partnerKey)).body!.status as string;
}

async function openCrm(context: BrowserContext, tenant: Tenant, panels = false): Promise<Page> {
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`[${tenant.mode} page] ${error.message}`));
  await page.goto(tenant.crm.url);
  await page.locator('body[data-webcti="connected"]').waitFor({ timeout: 20_000 });
  if (panels) await page.locator('body[data-panels="mounted"]').waitFor({ timeout: 20_000 });
  return page;
}

async function view(page: Page): Promise<{ kind: string; detail: Record<string, any> }> {
  const kind = (await page.locator("#view").getAttribute("data-kind")) ?? "none";
  const detail = (await page.locator("#view").getAttribute("data-detail")) ?? "{}";
  return { kind, detail: JSON.parse(detail) as Record<string, any> };
}

async function widgetFrame(page: Page, tenant: Tenant): Promise<Frame> {
  let frame: Frame | undefined;
  await waitFor(async () => {
    frame = page.frames().find((f) => f.url().startsWith(tenant.crm.widgetOrigin));
    return frame !== undefined && (await frame.locator('#status[data-state="connected"]').count()) === 1;
  }, 20_000, "the partner widget to connect to the CRM page");
  return frame!;
}

const tenants = {} as Record<Mode, Tenant>;

beforeAll(async () => {
  stack = await startProductionStack();
  browser = await launchChromium();
  tenants.host = await provision("host", true);
  tenants.webhook = await provision("webhook", false);
  tenants.directory = await provision("directory", false);
  // The directory tenant's records live in WebCTI's directory, synced by the partner.
  const sync = await api("/v1/directory/batch", tenants.directory.partnerKey, {
    headers: { "idempotency-key": "crm-directory-seed" },
    body: { operations: [{ op: "upsert", type: "contact", id: "dir-1", record: { name: "Grace Hopper", phones: ["+1 206 555 0111"] } }] },
  });
  expect(sync.status, JSON.stringify(sync.body)).toBe(200);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const tenant of Object.values(tenants)) await tenant.crm.close();
  await stack?.stop();
});

describe("a CRM on its own origin, signed in by its backend's token exchange", () => {
  it("loads the browser client from WebCTI's URL, connects with a token, and pops from the CRM's own records (host)", async () => {
    const context = await browser.newContext();
    const page = await openCrm(context, tenants.host, true);
    expect(tenants.host.crm.tokensIssued).toBeGreaterThan(0);
    const answer = await ring(tenants.host, "+1 206 555 0111");
    expect(answer.matches).toEqual([]);
    await waitFor(async () => (await view(page)).kind === "record", 15_000, "the CRM page to open the record");
    expect((await view(page)).detail).toMatchObject({ type: "contact", id: "crm-1001", pop: answer.screenPop!.id });
    await waitFor(async () => (await popStatus(tenants.host, answer.screenPop!.href)) === "delivered", 10_000, "the pop to be acknowledged");

    // Two CRM records share a number: a search; none: a new-record form prefilled with the number.
    await ring(tenants.host, "+1 206 555 0133");
    await waitFor(async () => (await view(page)).kind === "search", 15_000, "a search of the CRM's records");
    expect(((await view(page)).detail.ids as string[]).sort()).toEqual(["crm-1002", "crm-1003"]);
    await ring(tenants.host, "+1 206 555 0199");
    await waitFor(async () => (await view(page)).kind === "newRecord", 15_000, "a new-record form");
    expect((await view(page)).detail.prefill).toMatchObject({ phone: expect.stringContaining("206") });
    await context.close();
  });

  it("sends a click on a phone number to the partner widget on its third origin", async () => {
    const context = await browser.newContext();
    const page = await openCrm(context, tenants.host, true);
    const frame = await widgetFrame(page, tenants.host);
    await page.locator("#dial").click();
    await frame.locator('#dialed li[data-e164="+12065550123"]').waitFor({ timeout: 10_000 });
    await context.close();
  });

  it("routes the widget's record calls to the CRM page's adapter", async () => {
    const context = await browser.newContext();
    const page = await openCrm(context, tenants.host, true);
    const frame = await widgetFrame(page, tenants.host);
    const found = await frame.evaluate(async () => {
      const host = (window as any).webctiHost;
      return host.searchRecords({ phone: "+12065550122" });
    });
    expect(JSON.stringify(found)).toContain("crm-2001");
    const created = await frame.evaluate(async () => {
      const host = (window as any).webctiHost;
      return host.createRecord("lead", { name: "Katherine Johnson", phone: "+12065550177" });
    });
    expect(JSON.stringify(created)).toContain("Katherine Johnson");
    expect([...tenants.host.crm.contacts.values()].some((c) => c.name === "Katherine Johnson")).toBe(true);
    await frame.evaluate(async () => {
      const host = (window as any).webctiHost;
      return host.logActivity({ subject: "Call back", direction: "inbound", record: { type: "lead", id: "crm-2001" }, notes: "Called back" });
    });
    await waitFor(async () => tenants.host.crm.loggedActivities.length > 0, 10_000, "the adapter's logActivity");
    expect(JSON.stringify(tenants.host.crm.loggedActivities[0])).toContain("crm-2001");
    await context.close();
  });

  it("keeps the widget's frame out of the CRM's CSS (the page sizes every iframe to 7 px)", async () => {
    const context = await browser.newContext();
    const page = await openCrm(context, tenants.host, true);
    await widgetFrame(page, tenants.host);
    const box = await page.locator("iframe").first().boundingBox().catch(() => null);
    const frameElement = await page.evaluateHandle(() => {
      const find = (root: Document | ShadowRoot): HTMLIFrameElement | undefined => {
        const direct = root.querySelector("iframe");
        if (direct) return direct;
        for (const element of root.querySelectorAll("*")) if (element.shadowRoot) return find(element.shadowRoot) ?? undefined;
        return undefined;
      };
      return find(document);
    });
    const width = await frameElement.evaluate((iframe) => (iframe as HTMLIFrameElement | undefined)?.getBoundingClientRect().width ?? 0);
    expect(width, `the widget frame is ${width}px wide (box ${JSON.stringify(box)})`).toBeGreaterThan(100);
    await context.close();
  });
});

describe("the CRM's own page around the panels", () => {
  it("keeps the CRM's CSS out of the panels, and themes them by the documented custom properties", async () => {
    const context = await browser.newContext();
    const page = await openCrm(context, tenants.host, true);
    await widgetFrame(page, tenants.host);
    const panel = page.locator('.webcti-panel[data-provider-id="acme-voice"]');
    const styles = await panel.evaluate((element) => {
      const bar = element.querySelector(".webcti-panel-bar")!;
      const button = bar.querySelector("button")!;
      return {
        panelBorder: getComputedStyle(element).borderTopWidth,
        buttonFontSize: getComputedStyle(button).fontSize,
        buttonColor: getComputedStyle(button).color,
        barBackground: getComputedStyle(bar).backgroundColor,
      };
    });
    expect(styles.panelBorder).not.toBe("9px");
    expect(styles.buttonFontSize).not.toBe("40px");
    expect(styles.buttonColor).not.toBe("rgb(255, 0, 0)");
    expect(styles.barBackground).toBe("rgb(11, 61, 145)");
    await context.close();
  });

  it("opens a pop once across two CRM tabs, and runs the widget in one tab", async () => {
    const context = await browser.newContext();
    const tabA = await openCrm(context, tenants.host, true);
    await widgetFrame(tabA, tenants.host);
    const tabB = await openCrm(context, tenants.host, true);
    await tabB.locator('.webcti-panel[data-provider-id="acme-voice"][data-state="elsewhere"]').waitFor({ timeout: 15_000 });
    await tabB.locator(".webcti-panel-elsewhere").waitFor({ state: "visible" });

    // Which tab is used last is the tab coordinator's (test/e2e/severalTabs.test.ts checks the election);
    // here: whichever tab opens the pop, it opens once, in one tab, and is acknowledged.
    await tabB.locator("h1").click();
    const answer = await ring(tenants.host, "+1 206 555 0111");
    await waitFor(async () => (await popStatus(tenants.host, answer.screenPop!.href)) === "delivered", 15_000, "the pop to be delivered");
    const outcomes = async (page: Page) =>
      (await page.evaluate(() => (window as any).crmEvents as Array<{ pop?: string; outcome?: string }>)).filter((e) => e.pop === answer.screenPop!.id);
    await waitFor(async () => (await outcomes(tabA)).length + (await outcomes(tabB)).length > 0, 10_000, "a tab to report the pop");
    const [opener, other] = (await outcomes(tabB)).length > 0 ? [tabB, tabA] : [tabA, tabB];
    expect(await outcomes(opener)).toEqual([expect.objectContaining({ outcome: "opened" })]);
    expect((await view(opener)).kind).toBe("record");
    expect(await outcomes(other)).toEqual([]);
    expect((await view(other)).kind).toBe("none");

    // The widget moves to the tab where the agent asks for it.
    await tabB.locator(".webcti-panel-elsewhere button").click();
    await widgetFrame(tabB, tenants.host);
    await tabA.locator('.webcti-panel[data-provider-id="acme-voice"][data-state="elsewhere"]').waitFor({ timeout: 15_000 });
    await context.close();
  });
});

describe("records looked up by WebCTI at the CRM's signed endpoint (webhook)", () => {
  it("gives the partner the CRM's matches in the ringing answer and pops the record in the CRM page", async () => {
    const context = await browser.newContext();
    const page = await openCrm(context, tenants.webhook);
    const answer = await ring(tenants.webhook, "+1 206 555 0122");
    expect(answer.matches).toEqual([expect.objectContaining({ type: "lead", id: "crm-2001" })]);
    const lookup = tenants.webhook.crm.lookups.at(-1)!;
    expect(lookup.verified).toBe(true);
    expect(lookup.body).toMatchObject({ type: "customer.lookup", data: { tenantId: "fabrikam-webhook", customer: { phone: "+12065550122" } } });
    await waitFor(async () => (await view(page)).kind === "record", 15_000, "the CRM page to open the record");
    expect((await view(page)).detail).toMatchObject({ type: "lead", id: "crm-2001" });
    await context.close();
  });

  it("falls back to a search pop when the CRM's endpoint is too slow, and the partner still gets 202", async () => {
    tenants.webhook.crm.lookupDelayMs = 3000;
    try {
      const started = Date.now();
      const answer = await ring(tenants.webhook, "+1 206 555 0111");
      expect(Date.now() - started).toBeLessThan(2900);
      expect(answer.screenPop).not.toBeNull();
      expect(answer.matches).toEqual([]);
      const pop = await api(answer.screenPop!.href.replace(/^\/api/, ""), tenants.webhook.partnerKey);
      expect(pop.body!.target).toEqual({ kind: "search", query: "+12065550111", results: [] });
    } finally {
      tenants.webhook.crm.lookupDelayMs = 0;
    }
  });

  it("sends the partner's activities to the CRM as signed webhooks and in the tenant-wide feed", async () => {
    const logged = await api("/v1/activities", tenants.webhook.partnerKey, {
      body: {
        activityId: "crm-act-1",
        subject: "Invoice question",
        channel: "voice",
        direction: "inbound",
        record: { type: "lead", id: "crm-2001" },
        agentId: tenants.webhook.agentId,
        notes: "Asked about the invoice",
      },
    });
    expect(logged.status, JSON.stringify(logged.body)).toBe(201);
    await waitFor(
      async () => tenants.webhook.crm.webhooks.some((w) => w.body.type === "activity.created"),
      20_000,
      "the activity.created webhook",
    );
    const hook = tenants.webhook.crm.webhooks.find((w) => w.body.type === "activity.created")!;
    expect(hook.verified).toBe(true);
    expect(JSON.stringify(hook.body.data)).toContain("crm-act-1");

    const since = new Date(Date.now() - 3_600_000).toISOString();
    let feed: Array<{ activityId: string }> = [];
    await waitFor(async () => {
      const res = await api(`/v1/integration/activities?since=${encodeURIComponent(since)}`, tenants.webhook.integrationKey);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(typeof res.body!.cursor).toBe("string");
      feed = res.body!.activities as Array<{ activityId: string }>;
      return feed.some((a) => a.activityId === "crm-act-1");
    }, 20_000, "the activity in the feed");
  });
});

describe("records in WebCTI's directory, the embedded default (directory)", () => {
  it("pops the directory's record in the CRM page", async () => {
    const context = await browser.newContext();
    const page = await openCrm(context, tenants.directory);
    const answer = await ring(tenants.directory, "+1 206 555 0111");
    expect(answer.matches).toEqual([expect.objectContaining({ id: "dir-1" })]);
    await waitFor(async () => (await view(page)).kind === "record", 15_000, "the CRM page to open the record");
    expect((await view(page)).detail).toMatchObject({ type: "contact", id: "dir-1" });
    await context.close();
  });
});

describe("security at the CRM's edge", () => {
  it("answers CORS only for the tenant's CRM origin", async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.apiUrl}/v1/agent/me`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
      });
    const allowed = await preflight(tenants.host.crm.origin);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(tenants.host.crm.origin);
    const refused = await preflight("https://evil.example");
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses a revoked integration key and changes nothing", async () => {
    const issued = (await ops("integration-key", "issue", "--tenant", tenants.host.tenantId)) as { integrationKey: string; keyId: string };
    await ops("integration-key", "revoke", "--key", issued.keyId);
    const res = await api("/v1/integration/agent-tokens", issued.integrationKey, { body: { agentId: tenants.host.agentId } });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });
});
