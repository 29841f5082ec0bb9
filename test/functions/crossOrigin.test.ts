/**
 * A CRM page on its own origin, as the browser sees WebCTI (functions/http/cors.ts): CORS answers for the
 * origins tenants list and for no other, the same preflight answer from the local host and the Azure
 * catch-all, cookie-borne writes from foreign origins refused (CSRF), the browser bundles loadable from
 * anywhere and the HTML pages framed only by WebCTI and the listed origins.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import azureFunctions from "@azure/functions";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { demo } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issueIntegrationKey } from "../../shared/auth/integrationKeys.js";
import { putTenant } from "../../shared/tenancy/tenancyStore.js";
import { httpFunctions } from "../../functions/index.js";
import { apiNotFoundHandler } from "../../functions/apiNotFound.js";
import { routePrefix } from "../../functions/http/openApi.js";
import { corsAllowHeaders } from "../../functions/http/cors.js";

const { HttpRequest } = azureFunctions;
const crm = "https://crm.contoso.example";
const otherCrm = "https://crm.fabrikam.example";
const stranger = "https://evil.example";

let stack: Stack;
let api: (path: string) => string;
let token: string;
let cookie: string;

beforeAll(async () => {
  ({ stack } = await startTestStack({ timers: false }));
  api = (path) => `${stack.apiUrl}${path}`;
  const s = stack.services;
  const key = (await issueIntegrationKey(s.tables, demo.tenantId, new Date())).integrationKey;
  await putTenant(s, { tenantId: "fabrikam-cors", name: "Fabrikam" });
  const otherKey = (await issueIntegrationKey(s.tables, "fabrikam-cors", new Date())).integrationKey;
  expect((await call(api("/v1/integration/settings"), { method: "PUT", key, json: { origins: [crm] } })).status).toBe(200);
  expect((await call(api("/v1/integration/settings"), { method: "PUT", key: otherKey, json: { origins: [otherCrm] } })).status).toBe(200);
  token = (await call(api("/v1/integration/agent-tokens"), { key, json: { agentId: demo.agentId } })).body.token;
  cookie = await signInCookie(stack.url);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

const preflight = (path: string, origin: string, method = "PUT") =>
  fetch(api(path), { method: "OPTIONS", headers: { origin, "access-control-request-method": method, "access-control-request-headers": "authorization, content-type" } });

const corsHeaderNames = (headers: Headers) => [...headers.keys()].filter((name) => name.startsWith("access-control-"));

describe("CORS preflights", () => {
  it("answers a listed origin on an agent route with 204 and the CORS headers", async () => {
    const res = await preflight("/v1/agent/presence", crm);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(crm);
    expect(res.headers.get("access-control-allow-methods")).toBe("PUT");
    expect(res.headers.get("access-control-allow-headers")).toBe(corsAllowHeaders);
    expect(Number(res.headers.get("access-control-max-age"))).toBeGreaterThan(0);
    expect(res.headers.get("vary")).toBe("Origin");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it.each([
    ["an origin no tenant lists", "/v1/agent/presence", stranger],
    ["a partner route", "/v1/conversations/events", crm],
    ["an integration route", "/v1/integration/agent-tokens", crm],
  ])("gives no CORS header to %s", async (_name, path, origin) => {
    const res = await preflight(path, origin, "POST");
    expect(res.status).toBe(405);
    expect(corsHeaderNames(res.headers)).toEqual([]);
  });

  it("is answered the same by the Azure entry's API catch-all", async () => {
    const routes = httpFunctions.map((d) => ({ method: d.method, route: `${routePrefix}/${d.route}`, auth: d.auth }));
    const handler = apiNotFoundHandler(routes, async () => stack.services);
    const request = (origin: string) =>
      new HttpRequest({ method: "OPTIONS", url: api("/v1/agent/presence"), headers: { origin, "access-control-request-method": "PUT" } });
    const local = await preflight("/v1/agent/presence", crm);
    const azure = await handler(request(crm));
    expect(azure.status).toBe(local.status);
    for (const name of ["access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers", "access-control-max-age", "vary"]) {
      expect((azure.headers as Record<string, string>)[name], name).toBe(local.headers.get(name));
    }
    const refused = await handler(request(stranger));
    expect(refused.status).toBe(405);
    expect(Object.keys(refused.headers as Record<string, string>).filter((n) => n.startsWith("access-control-"))).toEqual([]);
  });
});

describe("CORS on actual requests", () => {
  it("allows the caller's own tenant's origin and exposes the headers a page reads", async () => {
    const res = await call(api("/v1/agent/me"), { key: token, headers: { origin: crm } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(crm);
    expect(res.headers.get("access-control-expose-headers")).toContain("webcti-version");
    expect(res.headers.get("access-control-expose-headers")).toContain("webcti-next-cursor");
  });

  it("does not allow an origin only another tenant lists, nor an unlisted one", async () => {
    for (const origin of [otherCrm, stranger]) {
      const res = await call(api("/v1/agent/me"), { key: token, headers: { origin } });
      expect(res.status).toBe(200);
      expect(corsHeaderNames(res.headers)).toEqual([]);
    }
  });

  it("lets a listed origin read a 401, so the page can renew its token", async () => {
    const res = await call(api("/v1/agent/me"), { key: "wcat_0000000000_0000000000000000_" + "A".repeat(43), headers: { origin: crm } });
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBe(crm);
    const unlisted = await call(api("/v1/agent/me"), { key: "wcat_x", headers: { origin: stranger } });
    expect(corsHeaderNames(unlisted.headers)).toEqual([]);
  });
});

describe("cookie-borne writes (CSRF)", () => {
  const put = (headers: Record<string, string>) =>
    call(api("/v1/agent/presence"), { method: "PUT", headers: { cookie, ...headers }, json: { status: "away", reason: JSON.stringify(headers) } });
  const presence = async () => (await call(api("/v1/agent/presence"), { headers: { cookie } })).body;

  it.each([
    ["an Origin that is neither WebCTI's nor the tenant's", { origin: stranger }],
    ["an Origin only another tenant lists", { origin: otherCrm }],
    ["Sec-Fetch-Site: cross-site without an Origin", { "sec-fetch-site": "cross-site" }],
    ["Origin: null", { origin: "null" }],
  ])("refuses %s with 403, changing nothing", async (_name, headers) => {
    const before = await presence();
    const res = await put(headers);
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body).toMatchObject({ code: "forbidden" });
    expect(await presence()).toEqual(before);
  });

  it.each([
    ["WebCTI's own origin", () => ({ origin: stack.url })],
    ["a CRM origin the tenant lists", () => ({ origin: crm })],
    ["Sec-Fetch-Site: same-origin", () => ({ "sec-fetch-site": "same-origin" })],
    ["no browser headers (not a browser)", () => ({})],
  ])("accepts %s", async (_name, headers) => {
    expect((await put(headers())).status).toBe(200);
  });

  it("does not apply to bearer tokens (no cookie rides along with them)", async () => {
    const res = await call(api("/v1/agent/presence"), { method: "PUT", key: token, headers: { origin: crm }, json: { status: "available" } });
    expect(res.status).toBe(200);
  });
});

describe("web files", () => {
  it("serves the browser client and widget SDK to any origin", async () => {
    for (const file of ["/webcti/agent.js", "/webcti/widget.js"]) {
      const res = await fetch(`${stack.url}${file}`, { headers: { origin: stranger } });
      expect(res.status, file).toBe(200);
      expect(res.headers.get("access-control-allow-origin"), file).toBe("*");
    }
  });

  it("lets WebCTI and the listed CRM origins frame the HTML pages, and no one else", async () => {
    const res = await fetch(`${stack.url}/`);
    expect(res.headers.get("content-type")).toContain("text/html");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp.split(" ")).toEqual(expect.arrayContaining(["frame-ancestors", "'self'", crm, otherCrm]));
    expect(csp).not.toContain(stranger);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
