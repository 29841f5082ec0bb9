import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/**
 * A stand-in for a customer's CRM, as a CRM team would wire WebCTI in (docs/crm-integration.md): its own
 * agent page on its own origin (`http://localhost:<port>`, another site than WebCTI's `127.0.0.1`), its own
 * contacts in memory, its own backend that exchanges its session for a WebCTI agent token with the tenant's
 * integration key, answers WebCTI's signed look-ups and receives its activity webhooks. A partner widget is
 * served from a third origin. Nothing here imports the product: the page loads WebCTI's browser client from
 * WebCTI's URL, as a CRM would.
 */
export interface CrmContact {
  type: string;
  id: string;
  name: string;
  phone?: string;
  email?: string;
}

export interface CrmAppOptions {
  /** WebCTI's origin (e.g. http://127.0.0.1:7071) and API base. */
  webctiUrl: string;
  apiUrl: string;
  integrationKey: string;
  agentId: string;
  contacts: CrmContact[];
  /** The tenant's CRM webhook secret (signs look-ups and activity webhooks), once known. */
  webhookSecret?: () => string | undefined;
}

export interface CrmApp {
  /** The CRM's agent page. */
  url: string;
  origin: string;
  /** The partner widget's page (its own origin). */
  widgetUrl: string;
  widgetOrigin: string;
  contacts: Map<string, CrmContact>;
  /** What WebCTI sent: signed look-ups and activity webhooks, with whether the signature verified. */
  lookups: Array<{ verified: boolean; body: unknown }>;
  webhooks: Array<{ verified: boolean; body: { type: string; data: Record<string, unknown> } }>;
  /** Activities the page's adapter logged into the CRM (host records). */
  loggedActivities: unknown[];
  /** How many tokens the page asked its backend for. */
  tokensIssued: number;
  /** Answer look-ups after this many milliseconds (to test WebCTI's timeout). */
  lookupDelayMs: number;
  close(): Promise<void>;
}

export async function startCrmApp(options: CrmAppOptions): Promise<CrmApp> {
  const app = {
    contacts: new Map(options.contacts.map((c) => [key(c), c])),
    lookups: [],
    webhooks: [],
    loggedActivities: [],
    tokensIssued: 0,
    lookupDelayMs: 0,
  } as unknown as CrmApp;
  const crm = await listen("127.0.0.1", (request, response) => crmRoutes(app, options, request, response));
  const widget = await listen("127.0.0.1", (request, response) => {
    if (request.url?.startsWith("/widget/")) return send(response, 200, widgetPage(options.webctiUrl, app.origin), "text/html; charset=utf-8");
    send(response, 404, "not found", "text/plain");
  });
  app.origin = `http://localhost:${port(crm)}`;
  app.url = `${app.origin}/`;
  app.widgetOrigin = `http://127.0.0.1:${port(widget)}`;
  app.widgetUrl = `${app.widgetOrigin}/widget/`;
  app.close = async () => {
    await Promise.all([crm, widget].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  };
  for (const server of [crm, widget]) server.closeIdleConnections?.();
  return app;
}

const key = (c: { type: string; id: string }) => `${c.type}/${c.id}`;

async function crmRoutes(app: CrmApp, options: CrmAppOptions, request: IncomingMessage, response: ServerResponse) {
  const url = new URL(request.url ?? "/", app.origin);
  const body = await readBody(request);
  const json = (status: number, value: unknown) => send(response, status, JSON.stringify(value), "application/json");
  if (url.pathname === "/" && request.method === "GET") return send(response, 200, crmPage(options.webctiUrl), "text/html; charset=utf-8");

  // The CRM's backend: its own session (here: anyone who loads the page is the agent) exchanged for a WebCTI token.
  if (url.pathname === "/session/webcti-token" && request.method === "POST") {
    app.tokensIssued += 1;
    const answer = await fetch(`${options.apiUrl}/v1/integration/agent-tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${options.integrationKey}`, "content-type": "application/json" },
      body: JSON.stringify({ agentId: options.agentId, ttlSeconds: Number(url.searchParams.get("ttl") ?? 900) }),
    });
    return send(response, answer.status, await answer.text(), "application/json");
  }

  // WebCTI's signed look-up (records: webhook) and activity webhooks.
  if (url.pathname === "/webcti/lookup" && request.method === "POST") {
    const verified = verify(options, request, body);
    app.lookups.push({ verified, body: JSON.parse(body || "null") });
    if (app.lookupDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, app.lookupDelayMs));
    if (!verified) return json(401, { error: "bad signature" });
    const customer = (JSON.parse(body) as { data: { customer: { phone?: string; email?: string } } }).data.customer;
    return json(200, { matches: search(app, customer).map(({ type, id, name }) => ({ type, id, name })) });
  }
  if (url.pathname === "/webcti/webhooks" && request.method === "POST") {
    app.webhooks.push({ verified: verify(options, request, body), body: JSON.parse(body || "null") });
    return send(response, 204, "", "text/plain");
  }

  // The CRM's own record API, which its agent page's adapter calls.
  if (url.pathname === "/crm/search") {
    const q = Object.fromEntries(url.searchParams) as { phone?: string; email?: string; name?: string };
    return json(200, search(app, q));
  }
  const record = /^\/crm\/records\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
  if (record) {
    const [, type, id] = record as unknown as [string, string, string | undefined];
    if (request.method === "POST" && !id) {
      const fields = JSON.parse(body) as Partial<CrmContact>;
      const created: CrmContact = { ...fields, type, id: `${type}-${app.contacts.size + 1}`, name: fields.name ?? "New record" };
      app.contacts.set(key(created), created);
      return json(201, created);
    }
    const found = id ? app.contacts.get(`${type}/${id}`) : undefined;
    if (!found) return json(404, { error: "no such record" });
    if (request.method === "GET") return json(200, found);
    if (request.method === "PATCH") {
      Object.assign(found, JSON.parse(body));
      return json(200, found);
    }
    if (request.method === "DELETE") {
      app.contacts.delete(key(found));
      return send(response, 204, "", "text/plain");
    }
  }
  if (url.pathname === "/crm/activities" && request.method === "POST") {
    app.loggedActivities.push(JSON.parse(body));
    return json(201, { id: `act-${app.loggedActivities.length}` });
  }
  send(response, 404, "not found", "text/plain");
}

function search(app: CrmApp, q: { phone?: string; email?: string; name?: string }): CrmContact[] {
  const digits = (s: string | undefined) => (s ?? "").replace(/\D/g, "");
  return [...app.contacts.values()].filter(
    (c) =>
      (q.phone && digits(c.phone) !== "" && digits(c.phone).endsWith(digits(q.phone).slice(-10))) ||
      (q.email && c.email?.toLowerCase() === q.email.toLowerCase()) ||
      (q.name && c.name.toLowerCase().includes(q.name.toLowerCase())),
  );
}

function verify(options: CrmAppOptions, request: IncomingMessage, body: string): boolean {
  const secret = options.webhookSecret?.();
  if (!secret) return false;
  try {
    new Webhook(secret).verify(body, {
      "webhook-id": String(request.headers["webhook-id"] ?? ""),
      "webhook-timestamp": String(request.headers["webhook-timestamp"] ?? ""),
      "webhook-signature": String(request.headers["webhook-signature"] ?? ""),
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * The CRM's agent page. Its CSS is hostile on purpose (the panels must not be touched by it). It loads the
 * browser client from WebCTI's URL, signs in with a token its own backend gets, keeps records in the CRM
 * (the adapter's record methods call the CRM's API) and shows what it opens in `#view`.
 */
function crmPage(webctiUrl: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Fabrikam CRM</title>
<style>
  iframe { width: 7px !important; height: 7px !important; }
  button { font-size: 40px; color: red; }
  div { border: 9px solid lime; }
  #panels { --webcti-bar-background: rgb(11, 61, 145); }
</style></head>
<body>
<h1>Fabrikam CRM</h1>
<p>Call <a id="dial" href="tel:+12065550123">+1 206 555 0123</a></p>
<section id="view" data-kind="none"></section>
<aside id="panels"></aside>
<script type="module">
  const webcti = await import(${JSON.stringify(`${webctiUrl}/webcti/agent.js`)});
  const getToken = async () => {
    const answer = await fetch("/session/webcti-token", { method: "POST" });
    if (!answer.ok) throw new Error("no WebCTI token: " + answer.status);
    return answer.json();
  };
  const crm = async (path, init) => {
    const answer = await fetch("/crm" + path, { ...init, headers: { "content-type": "application/json" } });
    if (answer.status === 404) return undefined;
    return answer.status === 204 ? undefined : answer.json();
  };
  const view = document.getElementById("view");
  const show = (kind, detail) => { view.dataset.kind = kind; view.dataset.detail = JSON.stringify(detail); view.textContent = kind; };
  window.crmEvents = [];
  const adapter = {
    openRecord: (record, pop) => show("record", { type: record.type, id: record.id, pop: pop?.id }),
    openSearch: (search, pop) => show("search", { query: search.query, ids: search.results.map((r) => r.id), pop: pop?.id }),
    openNewRecord: (form, pop) => show("newRecord", { recordType: form.recordType, prefill: form.prefill, pop: pop?.id }),
    recordTypes: ["contact", "lead"],
    search: (query) => crm("/search?" + new URLSearchParams(Object.entries(query).filter(([, v]) => v))),
    getRecord: (ref) => crm("/records/" + ref.type + "/" + ref.id),
    createRecord: (type, fields) => crm("/records/" + type, { method: "POST", body: JSON.stringify(fields) }),
    updateRecord: (ref, fields) => crm("/records/" + ref.type + "/" + ref.id, { method: "PATCH", body: JSON.stringify(fields) }),
    deleteRecord: (ref) => crm("/records/" + ref.type + "/" + ref.id, { method: "DELETE" }),
    logActivity: (activity) => crm("/activities", { method: "POST", body: JSON.stringify(activity) }),
  };
  const apiBase = ${JSON.stringify(`${webctiUrl}/api`)};
  const client = webcti.createAgentClient({ apiBase, getToken, adapter });
  client.on("pop", (e) => window.crmEvents.push({ pop: e.pop.id, outcome: e.outcome, via: e.via }));
  client.on("state", (state) => { document.body.dataset.webcti = state; });
  await client.start();
  window.panelHost = await webcti.mountPanels({ container: document.getElementById("panels"), apiBase, getToken, adapter,
    onEvent: (event) => window.crmEvents.push(event) });
  document.body.dataset.panels = "mounted";
</script>
</body></html>`;
}

/** A partner widget written against the public widget SDK, loaded from WebCTI's URL, pinned to the CRM's origin. */
function widgetPage(webctiUrl: string, crmOrigin: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Partner softphone</title></head>
<body><p id="status">connecting</p><ul id="dialed"></ul>
<script type="module">
  const { connectToHost } = await import(${JSON.stringify(`${webctiUrl}/webcti/widget.js`)});
  const host = await connectToHost({ hostOrigins: [${JSON.stringify(crmOrigin)}] });
  window.webctiHost = host;
  host.on("clickToAct", ({ payload }) => {
    const item = document.createElement("li");
    item.dataset.e164 = payload.e164 ?? "";
    item.textContent = payload.e164 ?? payload.raw;
    document.getElementById("dialed").append(item);
  });
  document.getElementById("status").textContent = "connected";
  document.getElementById("status").dataset.state = "connected";
</script></body></html>`;
}

function listen(host: string, handler: (request: IncomingMessage, response: ServerResponse) => Promise<void> | void): Promise<Server> {
  const server = createServer((request, response) => {
    Promise.resolve(handler(request, response)).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, String(error), "text/plain");
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve(server));
  });
}

function port(server: Server): number {
  return (server.address() as AddressInfo).port;
}

function send(response: ServerResponse, status: number, body: string, contentType: string) {
  response.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  response.end(status === 204 ? undefined : body);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
