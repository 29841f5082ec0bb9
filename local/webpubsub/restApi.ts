import type { IncomingMessage, ServerResponse } from "node:http";
import type { JWTPayload } from "jose";
import { compileFilter, FilterError, type ConnectionPredicate } from "./filter.js";
import { HttpError, bearerToken, readBody, sendError, sendStatus } from "./httpUtil.js";
import { HUB_NAME, type Hub, type HubRegistry } from "./hubState.js";
import { API_ROUTES, LOCAL_ROUTES, type Route } from "./restRoutes.js";
import { restAudienceMatcher, type TokenService } from "./tokens.js";

export interface RestDeps {
  hubs: HubRegistry;
  tokens: TokenService;
  /** Implements the local-only drop route; same semantics as LocalWebPubSub.dropConnections. */
  drop(filter: { hub?: string; userId?: string }): number;
  /** Test mode only (LocalWebPubSubOptions.entraTestKey): accepts an Entra-style bearer token too. */
  verifyEntraToken?: (token: string) => Promise<JWTPayload | undefined>;
}

/** What a route handler gets: the hub, decoded path parameters and query helpers. */
export class RestContext {
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly url: URL,
    /** The hub name as spelled in the request (tokens' audiences use it verbatim). */
    readonly hubName: string,
    readonly hub: Hub,
    readonly params: Readonly<Record<string, string>>,
    readonly deps: RestDeps,
  ) {}

  param(name: string): string {
    return this.params[name]!;
  }

  query(name: string): string | undefined {
    return this.url.searchParams.get(name) ?? undefined;
  }

  queryAll(name: string): string[] {
    return this.url.searchParams.getAll(name);
  }

  /** The `excluded` connection ids, repeated as `excluded=a&excluded=b`. */
  excluded(): ReadonlySet<string> | undefined {
    const ids = this.queryAll("excluded");
    return ids.length === 0 ? undefined : new Set(ids);
  }

  filter(text = this.query("filter")): ConnectionPredicate | undefined {
    try {
      return compileFilter(text);
    } catch (error) {
      if (error instanceof FilterError) {
        throw new HttpError(400, "InvalidFilter", error.message);
      }
      throw error;
    }
  }

  body(): Promise<Buffer> {
    return readBody(this.req);
  }

  status(code: number): void {
    sendStatus(this.res, code);
  }
}

/**
 * The data-plane REST API under /api/hubs/{hub}/..., plus /local/hubs/{hub}/...
 * routes for test drivers. Every call must carry `Authorization: Bearer` with
 * an HS256 token signed by the access key whose `aud` is the request URL, as
 * the server SDK signs it; anything else is 401.
 */
export function createRestHandler(deps: RestDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((error: unknown) => {
      const httpError =
        error instanceof HttpError ? error : new HttpError(500, "InternalServerError", String(error));
      sendError(res, req, httpError);
    });
  };
}

async function handle(deps: RestDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  const segments = decodeSegments(url.pathname);
  const [area, kind, hubName] = segments;

  if (area === "api" && kind === "health" && segments.length === 2) {
    return sendStatus(res, 200);
  }
  const table = area === "api" ? API_ROUTES : area === "local" ? LOCAL_ROUTES : undefined;
  if (table === undefined || kind !== "hubs" || hubName === undefined) {
    throw new HttpError(404, "NotFound", `No route for ${req.method} ${url.pathname}.`);
  }

  const token = bearerToken(req);
  const claims =
    token === undefined
      ? undefined
      : (deps.tokens.verify(token, restAudienceMatcher(url)) ?? (await deps.verifyEntraToken?.(token)));
  if (claims === undefined) {
    throw new HttpError(401, "Unauthorized", "A valid Bearer token signed with the access key, for this URL, is required.");
  }
  if (area === "api" && !url.searchParams.has("api-version")) {
    throw new HttpError(400, "MissingApiVersion", "The api-version query parameter is required.");
  }
  if (!HUB_NAME.test(hubName)) {
    throw new HttpError(400, "InvalidHubName", `Invalid hub name '${hubName}'.`);
  }

  const match = findRoute(table, req.method ?? "GET", segments.slice(3));
  if (match === undefined) {
    throw new HttpError(404, "NotFound", `No route for ${req.method} ${url.pathname}.`);
  }
  const group = match.params.group;
  if (group !== undefined && (group.length > 1024 || group.trim() === "")) {
    throw new HttpError(400, "InvalidGroupName", "Group names must be 1 to 1024 characters and not blank.");
  }
  await match.route.handler(new RestContext(req, res, url, hubName, deps.hubs.get(hubName), match.params, deps));
}

function decodeSegments(pathname: string): string[] {
  try {
    return pathname.split("/").slice(1).map((s) => decodeURIComponent(s));
  } catch {
    throw new HttpError(400, "InvalidPath", "The request path is not valid percent-encoding.");
  }
}

function findRoute(
  table: readonly Route[],
  method: string,
  segments: string[],
): { route: Route; params: Record<string, string> } | undefined {
  outer: for (const route of table) {
    if (route.method !== method || route.pattern.length !== segments.length) {
      continue;
    }
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const expected = route.pattern[i]!;
      const actual = segments[i]!;
      if (expected.startsWith("{")) {
        if (actual === "") continue outer;
        params[expected.slice(1, -1)] = actual;
      } else if (expected !== actual) {
        continue outer;
      }
    }
    return { route, params };
  }
  return undefined;
}
