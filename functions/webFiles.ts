import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { crossOriginHeaders, resolveStaticFile } from "./http/staticFiles.js";
import { notFoundResponse } from "./http/problem.js";
import { projectRoot } from "../shared/projectRoot.js";

/**
 * In Azure the Function App itself serves what browsers load (dist/web: the agent desktop at `/`, the
 * browser client and widget SDK at `/webcti/...`), so the desktop, `/.auth/*` (App Service Authentication)
 * and `/api/...` share one origin, as they do locally. Registered by functions/azure.ts as the catch-all
 * route for every method, so every path outside /api is answered by the product (the local host answers
 * the same: a file for GET and HEAD, otherwise `not_found`). `frameAncestors` gives the CRM origins that
 * may frame the HTML pages (all tenants' `crm.origins`).
 */
export function webFilesHandler(
  directory: string = join(projectRoot(), "dist", "web"),
  frameAncestors: () => Promise<readonly string[]> = async () => [],
) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const path = new URL(request.url).pathname;
    const file = request.method === "GET" || request.method === "HEAD" ? await resolveStaticFile(directory, path) : undefined;
    if (!file) return notFoundResponse(path);
    const headers = { ...file.headers, ...crossOriginHeaders(path, file, await frameAncestors()) };
    if (request.method === "HEAD") return { status: 200, headers };
    return { status: 200, headers, body: await readFile(file.path) };
  };
}
