import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Frame, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { call } from "../support/stack.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";
import { createServices, type Services } from "../../shared/services.js";
import { readConfig } from "../../shared/config.js";
import { putCrmSettings } from "../../shared/tenancy/crmSettingsStore.js";
import { CrmSettings } from "../../shared/schemas/crmSettings.js";
import { getProvider, putProvider } from "../../shared/tenancy/tenancyStore.js";

/**
 * Widget protocol 1.1 in Chromium, through the demo softphone (written against the public SDK): the
 * provider's settings in the environment, the agent's presence (set from the widget; an event when the
 * partner's server sets it), a notice, the panel's label and badge, and an activity update. The agent
 * page is a CRM page on its own origin that passes its agent client to mountPanels (so the widgets hear
 * of presence pushes); it forwards WebCTI's paths with the session cookie, as hostRecords.test.ts does.
 */
let stack: RunningStack;
let services: Services;
let crm: Server;
let crmUrl: string;
let legacy: Server;
let browser: Browser;
let page: Page;

/** The last commit whose widget SDK spoke protocol 1.0: a widget built with it must keep working. */
const sdk10Commit = "db82f14";

const crmPage = `<!doctype html>
<html><head><title>Acme CRM</title><style>body { display: flex; } #panels { display: flex; --webcti-badge-background: rgb(0, 128, 0); }</style></head>
<body><main id="view"></main><div id="panels"></div>
<script type="module">
  import { createAgentClient, mountPanels } from "/webcti/agent.js";
  const adapter = {
    openRecord() {}, openSearch() {}, openNewRecord() {},
    getPageContext: () => ({ url: location.href, title: document.title, record: { type: "contact", id: "c-alice", name: "Alice Johnson" } }),
  };
  const client = createAgentClient({ adapter });
  await client.start();
  window.webctiPanels = await mountPanels({ container: document.getElementById("panels"), adapter, client });
</script></body></html>`;

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

/**
 * A partner's widget page built with the 1.0 SDK (the files of that commit, bundled as a partner would),
 * served from an origin of its own.
 */
async function startLegacyWidget(crmPageUrl: string): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), "webcti-sdk10-"));
  try {
    for (const file of ["client/widget/index.ts", "client/protocol.ts", "client/emitter.ts"]) {
      await mkdir(join(dir, file, ".."), { recursive: true });
      await writeFile(join(dir, file), execFileSync("git", ["show", `${sdk10Commit}:${file}`]));
    }
    const bundle = await build({ entryPoints: [join(dir, "client/widget/index.ts")], bundle: true, format: "esm", write: false, nodePaths: [join(process.cwd(), "node_modules")] });
    const sdk = bundle.outputFiles[0]!.text;
    const html = `<!doctype html><p id="status">Connecting…</p><script type="module">
      import { connectToHost, protocolVersion } from "./sdk.js";
      window.webctiHost = await connectToHost({ hostOrigins: [${JSON.stringify(new URL(crmPageUrl).origin)}] });
      document.getElementById("status").textContent = "SDK " + protocolVersion + ", host " + window.webctiHost.protocolVersion;
    </script>`;
    const server = createServer((req, res) => {
      if (req.url === "/sdk.js") res.writeHead(200, { "content-type": "text/javascript" }).end(sdk);
      else res.writeHead(200, { "content-type": "text/html" }).end(html);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return server;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const panel = (providerId = "demo-softphone") => page.locator(`.webcti-panel[data-provider-id="${providerId}"]`);
const launcher = () => page.locator('.webcti-panel-launcher[data-provider-id="demo-softphone"]');

async function softphone(): Promise<Frame> {
  const frame = await panel().locator("iframe").elementHandle().then((h) => h?.contentFrame());
  if (!frame) throw new Error("the softphone frame is not there");
  return frame;
}

/** A widget SDK call in the softphone's frame: its result, or its error's code and details. */
async function widget<T = unknown>(script: string): Promise<{ value?: T; code?: string; details?: Record<string, unknown> }> {
  return (await softphone()).evaluate(async (source) => {
    const host = (window as unknown as { webctiHost: unknown }).webctiHost;
    try {
      return { value: await new Function("host", `return (${source})(host);`)(host) };
    } catch (e) {
      return { code: (e as { code: string }).code, details: (e as { details?: Record<string, unknown> }).details };
    }
  }, script) as never;
}

/** Starts collecting the widget's events of one type (read them with `events`). */
const listen = (type: string) => widget(`(host) => { (window.seen ??= {})["${type}"] = []; host.on("${type}", (e) => window.seen["${type}"].push(e)); }`);
const events = <T>(type: string) => widget<T[]>(`() => window.seen["${type}"]`).then((r) => r.value ?? []);

beforeAll(async () => {
  process.env.WEBCTI_CACHE_TTL_SECONDS = "0"; // the settings this test writes apply at once
  try {
    stack = await startProductionStack();
  } finally {
    delete process.env.WEBCTI_CACHE_TTL_SECONDS;
  }
  crm = await startCrm(stack.url);
  crmUrl = `http://localhost:${(crm.address() as AddressInfo).port}`;
  services = createServices(
    readConfig({ WEBCTI_TABLES_CONNECTION_STRING: stack.tablesConnectionString, WEBCTI_WEBPUBSUB_CONNECTION_STRING: stack.webPubSub.connectionString }),
  );
  await putCrmSettings(services.tables, stack.tenantId, CrmSettings.parse({ origins: [crmUrl], records: "directory" }));
  const softphoneProvider = await getProvider(services, stack.tenantId, "demo-softphone");
  await putProvider(services, { ...softphoneProvider, panel: { ...softphoneProvider.panel!, settings: { queue: "support", region: "eu-west" } } });
  legacy = await startLegacyWidget(crmUrl);
  const legacyOrigin = `http://127.0.0.1:${(legacy.address() as AddressInfo).port}`;
  await putProvider(services, {
    tenantId: stack.tenantId,
    providerId: "legacy-widget",
    label: "Legacy Widget",
    panel: { widgetUrl: `${legacyOrigin}/`, trustedOrigins: [legacyOrigin], order: 40, clickToAct: false, defaultMode: "docked", settings: { mode: "old" } },
  });
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  await page.goto(`${crmUrl}/.auth/login/demo?user=${stack.signInUser}&post_login_redirect_uri=/`);
  await page.waitForFunction(() => (window as unknown as { webctiPanels?: unknown }).webctiPanels, undefined, { timeout: 20_000 });
  await panel().and(page.locator('[data-state="ready"]')).waitFor({ timeout: 15_000 });
  await (await softphone()).locator('#status[data-state="connected"]').waitFor({ timeout: 15_000 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => crm?.close(resolve));
  await new Promise((resolve) => legacy?.close(resolve));
  await stack?.stop();
});

describe("widget protocol 1.1", () => {
  it("says 1.3 with the 1.1 capabilities, and gives the provider's settings in the environment", async () => {
    const hello = await widget<{ version: string; capabilities: string[]; settings: unknown; current: unknown }>(
      "async (host) => ({ version: host.protocolVersion, capabilities: host.capabilities, settings: host.environment.settings, current: (await host.getEnvironment()).settings })",
    );
    expect(hello.value?.version).toBe("1.3");
    expect(hello.value?.capabilities).toEqual(expect.arrayContaining(["settings", "presence", "notice", "panel.badge", "activities.update", "panel.mode", "sessions", "conversations"]));
    expect(hello.value?.settings).toEqual({ queue: "support", region: "eu-west" });
    expect(hello.value?.current).toEqual({ queue: "support", region: "eu-west" });
  });

  it("reads and sets the agent's presence, and hears of every change, the partner's included", async () => {
    await listen("presenceChanged");
    const set = await widget<{ status: string; reason?: string; source: unknown }>('(host) => host.setPresence({ status: "away", reason: "Lunch" })');
    expect(set.value).toMatchObject({ status: "away", reason: "Lunch", source: { kind: "agent" } });
    expect((await widget<{ status: string }>("(host) => host.getPresence()")).value).toMatchObject({ status: "away", reason: "Lunch" });
    const bad = await widget('(host) => host.setPresence({ status: "asleep" })');
    expect(bad.code).toBe("invalid_argument");

    // The partner's server sets it: the service pushes it to the page, the page's client to the widget.
    const partner = await call(`${stack.apiUrl}/v1/agents/${stack.agentId}/presence`, { method: "PUT", key: stack.apiKey, json: { status: "busy", reason: "On a call" } });
    expect(partner.status).toBe(200);
    await expect.poll(async () => (await events<{ presence: { status: string } }>("presenceChanged")).map((e) => e.presence.status), { timeout: 10_000 }).toEqual(["away", "busy"]);
    const [, busy] = await events<{ presence: { reason: string; source: unknown } }>("presenceChanged");
    expect(busy!.presence).toMatchObject({ reason: "On a call", source: { kind: "partner", providerId: "demo-softphone" } });
    // What the widget read is what the agent's desktop reads.
    expect((await widget<{ status: string }>("(host) => host.getPresence()")).value?.status).toBe("busy");
  });

  it("shows a notice that blocks nothing and goes by itself", async () => {
    const notices = page.locator("webcti-notifications .webcti-notice");
    const shown = await widget('(host) => host.notice({ title: "Call transferred", body: "To the billing queue", level: "warning", timeoutMs: 1500 })');
    expect(shown).toEqual({});
    await expect(notices.count()).resolves.toBe(1);
    await expect(notices.getAttribute("role")).resolves.toBe("alert");
    await expect(notices.getAttribute("data-level")).resolves.toBe("warning");
    await expect(notices.textContent()).resolves.toContain("Call transferred");
    await expect(notices.textContent()).resolves.toContain("Demo Softphone");
    // Nothing took the focus: the agent keeps typing where they were.
    await expect(page.evaluate(() => document.activeElement?.tagName)).resolves.not.toBe("WEBCTI-NOTIFICATIONS");
    await notices.waitFor({ state: "detached", timeout: 5_000 });

    expect((await widget('(host) => host.notice({ title: "x", level: "loud" })')).code).toBe("invalid_argument");
    expect((await widget('(host) => host.notice({ title: "Call\\u0007", level: "info" })')).code).toBe("invalid_argument");
    expect((await widget('(host) => host.notice({ title: "Note", body: "line one\\nline \\u2067two", level: "info" })')).code).toBe("invalid_argument");
    expect((await widget('(host) => host.notice({ title: "x", level: "info", timeoutMs: 600000 })')).code).toBe("out_of_range");
    await widget('(host) => host.notice({ title: "Recording failed", level: "error", timeoutMs: 60000 })');
    await notices.locator(".webcti-notice-close").click();
    await expect(notices.count()).resolves.toBe(0);
  });

  it("sets the panel's label and badge on its bar and launcher", async () => {
    const title = panel().locator(".webcti-panel-title");
    expect((await widget('(host) => host.setPanelLabel({ label: "Softphone · Support" })')).value).toBe("Softphone · Support");
    await expect(title.textContent()).resolves.toBe("Softphone · Support");
    await expect(panel().getAttribute("aria-label")).resolves.toBe("Softphone · Support");

    await widget("(host) => host.setPanelBadge({ count: 3 })");
    const badge = panel().locator(".webcti-panel-badge");
    await expect(badge.textContent()).resolves.toBe("3");
    await expect(badge.evaluate((el) => getComputedStyle(el).backgroundColor)).resolves.toBe("rgb(0, 128, 0)"); // themed by the page
    await expect(panel().getAttribute("aria-label")).resolves.toBe("Softphone · Support (3)");
    await widget("(host) => host.setPanelBadge({ count: 250 })");
    await expect(badge.textContent()).resolves.toBe("99+");

    // Hidden: the launcher carries the label and badge.
    await widget('(host) => host.setPanelMode("hidden")');
    await expect(launcher().textContent()).resolves.toBe("Softphone · Support99+");
    await expect(launcher().getAttribute("aria-label")).resolves.toBe("Show Softphone · Support (99+)");
    await widget('(host) => host.setPanelBadge({ text: "new" })');
    await expect(launcher().locator(".webcti-panel-badge").textContent()).resolves.toBe("new");
    expect((await widget('(host) => host.setPanelBadge({ count: -1 })')).code).toBe("invalid_argument");
    expect((await widget('(host) => host.setPanelBadge({ text: "far too long a badge" })')).code).toBe("invalid_argument");
    expect((await widget('(host) => host.setPanelLabel({ label: "" })')).code).toBe("invalid_argument");
    // Shown text follows the API's printable-text rule: no control characters, no bidi overrides.
    expect((await widget('(host) => host.setPanelLabel({ label: "Soft\\u202ephone" })')).code).toBe("invalid_argument");
    expect((await widget('(host) => host.setPanelBadge({ text: "a\\u0000" })')).code).toBe("invalid_argument");

    await widget("(host) => host.setPanelBadge(null)");
    await expect(launcher().locator(".webcti-panel-badge").isHidden()).resolves.toBe(true);
    expect((await widget("(host) => host.setPanelLabel({ label: null })")).value).toBe("Demo Softphone");
    await expect(launcher().textContent()).resolves.toBe("Demo Softphone");
    await widget('(host) => host.setPanelMode("docked")');
    await expect(title.textContent()).resolves.toBe("Demo Softphone");
  });
});

describe("activity updates from the widget", () => {
  it("logs an activity, changes it, guards with the etag, and the timeline and the service have the change", async () => {
    const logged = await widget<{ activityId: string }>('(host) => host.logActivity({ subject: "Call with Alice", channel: "voice" })');
    const { activityId } = logged.value!;
    const first = await widget<{ disposition: string; notes: string; subject: string; etag: string; updatedAt: string }>(
      `(host) => host.updateActivity({ activityId: "${activityId}", disposition: "Resolved", notes: "Refund issued" })`,
    );
    expect(first.value).toMatchObject({ activityId, subject: "Call with Alice", disposition: "Resolved", notes: "Refund issued", updatedAt: expect.any(String), etag: expect.stringMatching(/^".+"$/) });
    const second = await widget<{ notes: string; etag: string }>(`(host) => host.updateActivity({ activityId: "${activityId}", notes: "Refund sent", ifMatch: ${JSON.stringify(first.value!.etag)} })`);
    expect(second.value?.notes).toBe("Refund sent");
    const stale = await widget(`(host) => host.updateActivity({ activityId: "${activityId}", notes: "Lost", ifMatch: ${JSON.stringify(first.value!.etag)} })`);
    expect(stale).toMatchObject({ code: "conflict", details: { status: 412, apiCode: "precondition_failed" } });
    expect((await widget(`(host) => host.updateActivity({ activityId: "${activityId}", record: { type: "contact", id: "c-bob" } })`)).code).toBe("invalid_argument");
    expect((await widget('(host) => host.updateActivity({ activityId: "never-logged", notes: "x" })')).code).toBe("not_found");

    const read = await call(`${stack.apiUrl}/v1/activities/${activityId}`, { key: stack.apiKey });
    expect(read.body).toMatchObject({ disposition: "Resolved", notes: "Refund sent", providerId: "demo-softphone" });
  });
});

describe("a widget built with the 1.0 SDK", () => {
  it("connects to the 1.3 host and works as before", async () => {
    await panel("legacy-widget").and(page.locator('[data-state="ready"]')).waitFor({ timeout: 15_000 });
    const frame = await panel("legacy-widget").locator("iframe").elementHandle().then((h) => h!.contentFrame());
    await expect(frame!.locator("#status").textContent()).resolves.toBe("SDK 1.0, host 1.3");
    const result = await frame!.evaluate(async () => {
      const host = (window as unknown as { webctiHost: { environment: { providerId: string }; setPanelSize(w: number): Promise<{ width: number }>; getClickToAct(): Promise<boolean> } }).webctiHost;
      return { providerId: host.environment.providerId, width: (await host.setPanelSize(320)).width, clickToAct: await host.getClickToAct() };
    });
    expect(result).toEqual({ providerId: "legacy-widget", width: 320, clickToAct: false });
  });
});
