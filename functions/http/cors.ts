import type { HttpResponseInit } from "@azure/functions";
import { WebCtiError } from "../../shared/errors.js";
import type { Services } from "../../shared/services.js";
import { readCrmSettings, tenantsListing } from "../../shared/tenancy/crmSettingsStore.js";
import { agentCredential } from "../../shared/auth/agentPrincipal.js";
import { createRouter } from "./routeTemplate.js";
import { answerWebhookValidation } from "../webPubSubEvents.js";

/**
 * Cross-origin use of the agent routes by a CRM page on its own origin (docs/api-conventions.md, "CORS").
 * Only the agent routes answer CORS: partner and integration routes are server to server. The origins
 * are the ones tenants list in their CRM settings (`crm.origins`):
 * - a preflight (OPTIONS) carries no credential, so it is answered for an origin that SOME tenant lists
 *   (the crmIndex); an origin no tenant lists gets the usual answer and no CORS header;
 * - an actual request's answer allows the origin only when the CALLER's tenant lists it (before the
 *   caller is known, e.g. a 401, when some tenant does, so the page can read the 401 and renew its token).
 * No `Access-Control-Allow-Credentials`: cross-origin callers send bearer tokens, never the cookie.
 * One module for both hosts: the Azure catch-all (functions/apiNotFound.ts) and the local host answer
 * preflights through `answerPreflight`, and every function's answer gets `corsHeaders`.
 */
export const corsAllowHeaders = "authorization, content-type, idempotency-key, if-match, webcti-version, traceparent";
export const corsExposeHeaders = "webcti-version, retry-after, ratelimit, ratelimit-policy, webcti-next-cursor, idempotent-replayed, etag";
export const corsMaxAgeSeconds = 600;

type CorsServices = Pick<Services, "tables" | "caches">;
type Headers = { get(name: string): string | null };

/** The page's origin when it is another than the one that served the request (same-origin requests need no CORS). */
function foreignOrigin(request: { url: string; headers: Headers }): string | undefined {
  const origin = request.headers.get("origin");
  if (!origin || origin === "null") return undefined;
  return origin === new URL(request.url).origin ? undefined : origin;
}

/** Answers a CORS preflight for an agent route, or undefined (not a preflight, not an agent route, origin not listed). */
export function createPreflightAnswerer(agentRoutes: Array<{ method: string; route: string }>) {
  const find = createRouter(agentRoutes.map((r) => ({ methods: [r.method], route: r.route, target: r })));
  return async (services: CorsServices & Pick<Services, "config">, request: { method: string; url: string; headers: Headers }): Promise<HttpResponseInit | undefined> => {
    // Not CORS: Web PubSub's abuse-protection OPTIONS for its event handler (functions/webPubSubEvents.ts).
    const validation = answerWebhookValidation(services.config, request);
    if (validation) return validation;
    const requested = request.headers.get("access-control-request-method");
    const origin = foreignOrigin(request);
    if (request.method !== "OPTIONS" || !requested || !origin) return undefined;
    const path = new URL(request.url).pathname;
    const found = find(requested.toUpperCase(), path);
    if (!found) return undefined;
    if ((await tenantsListing(services, "origin", origin)).length === 0) return undefined;
    const methods = "target" in found ? [requested.toUpperCase()] : found.allow;
    return {
      status: 204,
      headers: {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": methods.join(", "),
        "access-control-allow-headers": corsAllowHeaders,
        "access-control-max-age": String(corsMaxAgeSeconds),
        vary: "Origin",
      },
    };
  };
}

/** The CORS headers of an agent route's answer (empty when the origin may not read it). */
export async function corsHeaders(
  services: CorsServices,
  request: { url: string; headers: Headers },
  tenantId: string | undefined,
): Promise<Record<string, string>> {
  const origin = foreignOrigin(request);
  if (!origin) return request.headers.get("origin") ? { vary: "Origin" } : {};
  const allowed = tenantId
    ? (await readCrmSettings(services, tenantId)).origins.includes(origin)
    : (await tenantsListing(services, "origin", origin)).length > 0;
  if (!allowed) return { vary: "Origin" };
  return { "access-control-allow-origin": origin, "access-control-expose-headers": corsExposeHeaders, vary: "Origin" };
}

/**
 * Cross-site request forgery: a cookie goes along with any request the browser makes, so a non-GET agent
 * request authenticated by the Easy Auth session must come from WebCTI's own pages or a CRM origin the
 * caller's tenant lists. The browser says where from: `Origin` (sent on every non-GET fetch and form
 * post), else `Sec-Fetch-Site`. A request with neither is not a browser's, so not a forgery.
 */
export async function refuseForgedRequest(
  services: CorsServices,
  request: { method: string; url: string; headers: Headers },
  tenantId: string,
): Promise<void> {
  if (request.method === "GET" || request.method === "HEAD" || agentCredential(request.headers) === "bearer") return;
  const origin = request.headers.get("origin");
  if (origin) {
    if (origin === new URL(request.url).origin) return;
    if (origin !== "null" && (await readCrmSettings(services, tenantId)).origins.includes(origin)) return;
    throw new WebCtiError("forbidden", `A signed-in agent's ${request.method} from ${origin} is refused: that origin is neither WebCTI's nor one of the tenant's CRM origins.`);
  }
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") {
    throw new WebCtiError("forbidden", `A signed-in agent's ${request.method} from another site (Sec-Fetch-Site: ${site}) is refused.`);
  }
}
