import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { call } from "../support/stack.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";
import { createServices } from "../../shared/services.js";
import { readConfig } from "../../shared/config.js";
import { putCrmSettings } from "../../shared/tenancy/crmSettingsStore.js";
import { CrmSettings } from "../../shared/schemas/crmSettings.js";
import { issueIntegrationKey } from "../../shared/auth/integrationKeys.js";
import { demo } from "../../local/seedDemo.js";

/**
 * The browser client on a CRM page of another origin, signed in by getToken: the page loads
 * /webcti/agent.js from WebCTI's URL, its own backend exchanges its session for a WebCTI agent token
 * (integration key, server to server), and every API call carries the token and no cookie (the browser
 * has none for WebCTI). Tokens of 60 s are asked for again before each call (60 s before expiry).
 */
let stack: RunningStack;
let crm: Server;
let crmUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let tokensIssued = 0;
const apiRequests: Array<{ url: string; authorization?: string; cookie?: string }> = [];

function crmPage(webcti: string) {
  return `<!doctype html>
<html><head><title>Acme CRM</title></head><body><main id="view"></main><div id="panels"></div>
<script type="module">
  import { createAgentClient, mountPanels } from "${webcti}/webcti/agent.js";
  const crm = window.crm = { opened: [], states: [] };
  const adapter = {
    openRecord: (record) => void crm.opened.push({ kind: "record", id: record.id }),
    openSearch: ({ query }) => void crm.opened.push({ kind: "search", query }),
    openNewRecord: ({ recordType }) => void crm.opened.push({ kind: "newRecord", recordType }),
  };
  const getToken = async () => (await fetch("/crm/webcti-token", { method: "POST" })).json();
  const client = createAgentClient({ apiBase: "${webcti}/api", getToken, adapter });
  client.on("state", (s) => crm.states.push(s));
  await client.start();
  window.webctiPanels = await mountPanels({ container: document.getElementById("panels"), adapter, apiBase: "${webcti}/api", getToken });
</script></body></html>`;
}

/** The CRM's server: its page, and its backend's token exchange with the tenant's integration key. */
async function startCrm(integrationKey: string): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.method === "POST" && req.url === "/crm/webcti-token") {
      tokensIssued += 1;
      const answer = await call(`${stack.apiUrl}/v1/integration/agent-tokens`, { key: integrationKey, json: { agentId: demo.agentId, ttlSeconds: 60 } });
      res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
      return;
    }
    res.writeHead(200, { "content-type": "text/html" }).end(crmPage(stack.url));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

beforeAll(async () => {
  // CRM settings written to the tables apply at once (the product's process caches them otherwise).
  process.env.WEBCTI_CACHE_TTL_SECONDS = "0";
  try {
    stack = await startProductionStack();
  } finally {
    delete process.env.WEBCTI_CACHE_TTL_SECONDS;
  }
  const services = createServices(
    readConfig({ WEBCTI_TABLES_CONNECTION_STRING: stack.tablesConnectionString, WEBCTI_WEBPUBSUB_CONNECTION_STRING: stack.webPubSub.connectionString }),
  );
  const { integrationKey } = await issueIntegrationKey(services.tables, stack.tenantId, new Date());
  crm = await startCrm(integrationKey);
  crmUrl = `http://localhost:${(crm.address() as AddressInfo).port}`;
  await putCrmSettings(services.tables, stack.tenantId, CrmSettings.parse({ origins: [crmUrl] }));
  browser = await launchChromium();
  context = await browser.newContext();
  page = await context.newPage();
  page.on("request", (request) => {
    if (!request.url().startsWith(stack.apiUrl)) return;
    const headers = request.headers();
    apiRequests.push({ url: request.url(), ...(headers.authorization ? { authorization: headers.authorization } : {}), ...(headers.cookie ? { cookie: headers.cookie } : {}) });
  });
  await page.goto(crmUrl);
  await page.waitForFunction(() => (window as unknown as { webctiPanels?: unknown }).webctiPanels, undefined, { timeout: 20_000 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => crm?.close(resolve));
  await stack?.stop();
});

describe("getToken from a CRM page on another origin", () => {
  it("connects with Bearer tokens and no cookie, and opens a pop", async () => {
    expect(await context.cookies(stack.url)).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { crm: { states: string[] } }).crm.states)).toContain("connected");
    const res = await call(`${stack.apiUrl}/v1/conversations/events`, {
      key: stack.apiKey,
      json: { type: "ringing", eventId: "xo-1", conversationId: "xo-call-1", occurredAt: new Date().toISOString(), agentId: stack.agentId, customer: { phone: demo.numbers.oneContact } },
    });
    expect(res.status).toBe(202);
    await expect.poll(() => page.evaluate(() => (window as unknown as { crm: { opened: unknown[] } }).crm.opened), { timeout: 10_000 }).toEqual([{ kind: "record", id: "c-alice" }]);
    await expect.poll(async () => (await call(`${stack.url}${res.body.screenPop.href}`, { key: stack.apiKey })).body.status, { timeout: 5_000 }).toBe("delivered");
    const paths = apiRequests.map((r) => new URL(r.url).pathname);
    expect(paths).toEqual(expect.arrayContaining(["/api/v1/agent/negotiate", "/api/v1/agent/me", "/api/v1/agent/panels"]));
    for (const request of apiRequests) {
      expect(request.cookie, request.url).toBeUndefined();
      expect(request.authorization, request.url).toMatch(/^Bearer \S+/);
    }
  });

  it("asks for a new token before one expires (60 s tokens: before every call)", async () => {
    expect(tokensIssued).toBeGreaterThanOrEqual(3);
    const tokens = new Set(apiRequests.map((r) => r.authorization));
    expect(tokens.size).toBeGreaterThan(1);
  });

  it("mounts the panels with the token: the widget handshakes with the CRM page", async () => {
    await page.locator('.webcti-panel[data-provider-id="demo-softphone"][data-state="ready"]').waitFor({ timeout: 15_000 });
  });
});
