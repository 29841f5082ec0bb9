import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Frame, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { call } from "../support/stack.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";
import { createServices } from "../../shared/services.js";
import { readConfig } from "../../shared/config.js";
import { putCrmSettings } from "../../shared/tenancy/crmSettingsStore.js";
import { CrmSettings } from "../../shared/schemas/crmSettings.js";

/**
 * Records kept in the CRM page (crm.records = host), in Chromium: a CRM page with its own in-memory
 * records and an adapter that implements some of the record operations. A lookup pop is resolved through
 * the adapter's search; the widget's record calls reach the adapter, and a missing method answers
 * not_supported. The page is on its own origin (localhost, WebCTI is 127.0.0.1); this test forwards
 * WebCTI's paths from it with the session cookie, so it does not depend on the token exchange and CORS
 * (the full CRM test, crmIntegration.test.ts, signs in with a token).
 */
let stack: RunningStack;
let crm: Server;
let crmUrl: string;
let browser: Browser;
let page: Page;

const crmPage = `<!doctype html>
<html><head><title>Acme CRM</title><style>body { display: flex; } #panels { display: flex; }</style></head>
<body><main id="view"></main><div id="panels"></div>
<script type="module">
  import { createAgentClient, mountPanels } from "/webcti/agent.js";
  const records = [
    { type: "lead", id: "L-7", name: "Ada Lovelace", fields: { phone: "+12065550177" } },
    { type: "case", id: "CASE-1", name: "Printer on fire", fields: { phone: "+12065550188" } },
    { type: "contact", id: "C-2", name: "Bob", fields: { phone: "+12065550188" } },
  ];
  const crm = window.crm = { records, opened: [], logged: [], searches: [] };
  const adapter = {
    openRecord: (record) => void crm.opened.push({ kind: "record", type: record.type, id: record.id }),
    openSearch: ({ query, results }) => void crm.opened.push({ kind: "search", query, ids: results.map((r) => r.id) }),
    openNewRecord: ({ recordType, prefill }) => void crm.opened.push({ kind: "newRecord", recordType, phone: prefill.phone }),
    getPageContext: () => ({ url: location.href, title: document.title, record: { type: "lead", id: "L-7" } }),
    async search(query) {
      crm.searches.push(query);
      return records.filter((r) => query.phone && r.fields.phone === query.phone);
    },
    async getRecord({ type, id }) { return records.find((r) => r.type === type && r.id === id); },
    async createRecord(type, fields) {
      const record = { type, id: type.toUpperCase() + "-" + (records.length + 1), name: fields.name, fields };
      records.push(record);
      return record;
    },
    async logActivity(activity) { crm.logged.push(activity); return { id: "crm-act-" + crm.logged.length }; },
    recordTypes: ["lead", "contact", "case"],
  };
  const client = createAgentClient({ adapter });
  client.on("pop", ({ pop, outcome }) => void (crm.pops ??= []).push({ id: pop.id, kind: pop.target.kind, outcome }));
  await client.start();
  window.webctiPanels = await mountPanels({ container: document.getElementById("panels"), adapter });
</script></body></html>`;

/** The CRM's own server: its page, and WebCTI's paths passed on to WebCTI. */
async function startCrm(target: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === "/" || req.url === "/index.html") {
      res.writeHead(200, { "content-type": "text/html" }).end(crmPage);
      return;
    }
    const upstream = httpRequest(new URL(req.url!, target), { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function softphone(): Promise<Frame> {
  const frame = await page.locator('.webcti-panel[data-provider-id="demo-softphone"] iframe').elementHandle().then((h) => h?.contentFrame());
  if (!frame) throw new Error("the softphone frame is not there");
  return frame;
}

/** A widget SDK call in the softphone's frame: its result, or its error's code. */
async function widget(script: string): Promise<{ value?: unknown; code?: string }> {
  return (await softphone()).evaluate(async (source) => {
    const host = (window as unknown as { webctiHost: unknown }).webctiHost;
    try {
      return { value: await new Function("host", `return (${source})(host);`)(host) };
    } catch (e) {
      return { code: (e as { code: string }).code };
    }
  }, script);
}

const crmState = <T>(read: string) => page.evaluate((r) => new Function("crm", `return ${r}`)((window as unknown as { crm: unknown }).crm), read) as Promise<T>;

beforeAll(async () => {
  // The product's process reads the CRM settings through a cache (its demo calls at start read them
  // first); without it, the settings this test writes into the tables apply at once.
  process.env.WEBCTI_CACHE_TTL_SECONDS = "0";
  try {
    stack = await startProductionStack();
  } finally {
    delete process.env.WEBCTI_CACHE_TTL_SECONDS;
  }
  crm = await startCrm(stack.url);
  crmUrl = `http://localhost:${(crm.address() as AddressInfo).port}`;
  const services = createServices(
    readConfig({ WEBCTI_TABLES_CONNECTION_STRING: stack.tablesConnectionString, WEBCTI_WEBPUBSUB_CONNECTION_STRING: stack.webPubSub.connectionString }),
  );
  await putCrmSettings(services.tables, stack.tenantId, CrmSettings.parse({ origins: [crmUrl], records: "host" }));
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  await page.goto(`${crmUrl}/.auth/login/demo?user=${stack.signInUser}&post_login_redirect_uri=/`);
  await page.waitForFunction(() => (window as unknown as { webctiPanels?: unknown }).webctiPanels, undefined, { timeout: 20_000 });
  await page.locator('.webcti-panel[data-provider-id="demo-softphone"][data-state="ready"]').waitFor({ timeout: 15_000 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => crm?.close(resolve));
  await stack?.stop();
});

describe("records in the CRM page", () => {
  it("resolves a lookup pop through the adapter's search and the policy", async () => {
    const ring = async (phone: string, n: number) => {
      const res = await call(`${stack.apiUrl}/v1/conversations/events`, {
        key: stack.apiKey,
        json: { type: "ringing", eventId: `hr-${n}`, conversationId: `hr-call-${n}`, occurredAt: new Date().toISOString(), agentId: stack.agentId, customer: { phone } },
      });
      expect(res.status).toBe(202);
      expect(res.body.matches).toEqual([]);
      return res.body.screenPop as { id: string; href: string };
    };
    const one = await ring("+1 206 555 0177", 1);
    const two = await ring("+1 206 555 0188", 2);
    const none = await ring("+1 206 555 0199", 3);
    await expect.poll(() => crmState<unknown[]>("crm.opened"), { timeout: 10_000 }).toHaveLength(3);
    expect(await crmState("crm.opened")).toEqual([
      { kind: "record", type: "lead", id: "L-7" },
      { kind: "search", query: "+12065550188", ids: ["CASE-1", "C-2"] },
      { kind: "newRecord", recordType: "contact", phone: "+12065550199" },
    ]);
    expect(await crmState("crm.searches")).toEqual([{ phone: "+12065550177" }, { phone: "+12065550188" }, { phone: "+12065550199" }]);
    expect(await crmState("crm.pops.map((p) => p.kind + ':' + p.outcome)")).toEqual(["lookup:opened", "lookup:opened", "lookup:opened"]);
    for (const pop of [one, two, none]) {
      await expect.poll(async () => (await call(`${stack.url}${pop.href}`, { key: stack.apiKey })).body.status, { timeout: 5_000 }).toBe("delivered");
    }
  });

  it("sends the widget's record calls to the adapter, and answers not_supported for what it lacks", async () => {
    expect(await widget("(host) => host.searchRecords({ phone: '+12065550188' })")).toEqual({
      value: [{ type: "case", id: "CASE-1", name: "Printer on fire" }, { type: "contact", id: "C-2", name: "Bob" }],
    });
    expect(await widget("(host) => host.getRecord({ type: 'lead', id: 'L-7' })")).toEqual({
      value: { type: "lead", id: "L-7", name: "Ada Lovelace", fields: { phone: "+12065550177" } },
    });
    expect(await widget("(host) => host.getRecord({ type: 'lead', id: 'L-404' })")).toEqual({ code: "not_found" });
    expect(await widget("(host) => host.createRecord('case', { name: 'Refund' })")).toEqual({ value: { type: "case", id: "CASE-4", name: "Refund", fields: { name: "Refund" } } });
    expect(await widget("(host) => host.createRecord('opportunity', { name: 'Deal' })")).toEqual({ code: "invalid_argument" });
    expect(await widget("(host) => host.deleteRecord({ type: 'lead', id: 'L-7' })")).toEqual({ code: "not_supported" });
    expect(await widget("(host) => host.updateRecord({ type: 'lead', id: 'L-7' }, { name: 'Ada' })")).toEqual({ code: "not_supported" });
    const logged = await widget("(host) => host.logActivity({ subject: 'Call with Ada', conversationId: 'hr-call-1', durationSeconds: 42 })");
    expect(logged.value).toMatchObject({ activityId: "crm-act-1", providerId: "demo-softphone", agentId: stack.agentId, record: { type: "lead", id: "L-7" }, channel: "voice" });
    expect(await crmState("crm.logged")).toEqual([
      { subject: "Call with Ada", conversationId: "hr-call-1", durationSeconds: 42, providerId: "demo-softphone", agentId: stack.agentId, channel: "voice", direction: "inbound", record: { type: "lead", id: "L-7" } },
    ]);
    // Nothing went to WebCTI's directory: the lead is not there.
    expect((await call(`${stack.apiUrl}/v1/directory/lookup?phone=${encodeURIComponent("+12065550177")}`, { key: stack.apiKey })).body.matches ?? []).toEqual([]);
  });
});
