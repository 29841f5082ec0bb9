import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { Services } from "../shared/services.js";
import { createRouter } from "./http/routeTemplate.js";
import { methodNotAllowedResponse, notFoundResponse } from "./http/problem.js";
import { createPreflightAnswerer } from "./http/cors.js";

/**
 * The API's catch-all in Azure (`api/{*path}`, every method): a path under /api that no function's route
 * takes would otherwise reach the web-files function or the Functions host's own 404 page. It answers as
 * the local host does: a CORS preflight (OPTIONS, which no route declares) for a CRM origin on an agent
 * route (functions/http/cors.ts), else 405 with `Allow` when a route has the path but not the method,
 * else `not_found`.
 */
export function apiNotFoundHandler(routes: Array<{ method: string; route: string; auth: string }>, getServices: () => Promise<Services>) {
  const find = createRouter(routes.map((r) => ({ methods: [r.method], route: r.route, target: r })));
  const preflight = createPreflightAnswerer(routes.filter((r) => r.auth === "agent"));
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const path = new URL(request.url).pathname;
    if (request.method === "OPTIONS") {
      const answered = await preflight(await getServices(), request);
      if (answered) return answered;
    }
    const found = find(request.method, path);
    return found && "allow" in found ? methodNotAllowedResponse(request.method, path, found.allow) : notFoundResponse(path);
  };
}
