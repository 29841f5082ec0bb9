import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { HttpRequest, HttpResponseInit } from "@azure/functions";

/**
 * In Azure the Function App itself serves what browsers load (dist/web: the agent desktop at `/`, the
 * browser client and widget SDK at `/webcti/...`), so the desktop, `/.auth/*` (App Service Authentication)
 * and `/api/...` share one origin, as they do locally. Registered by functions/azure.ts as a catch-all
 * route; the Functions host matches the API's literal routes first.
 */
export const webFilesDirectory = fileURLToPath(new URL("../web/", import.meta.url)); // dist/functions → dist/web

/** The content types of what the web folders hold; the local stack's static server uses them too. */
export const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".md": "text/markdown; charset=utf-8",
};

function notFound(path: string): HttpResponseInit {
  return {
    status: 404,
    headers: { "content-type": "application/problem+json" },
    jsonBody: { type: "about:blank", title: "Not found", status: 404, detail: `Nothing is served at ${path}.`, instance: path },
  };
}

export function webFilesHandler(directory: string = webFilesDirectory) {
  const base = resolve(directory);
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const path = new URL(request.url).pathname;
    let relative: string;
    try {
      relative = decodeURIComponent(path);
    } catch {
      return notFound(path);
    }
    let file = normalize(join(base, relative));
    if (file !== base && !file.startsWith(base + sep)) return notFound(path);
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, "index.html");
        info = await stat(file);
      }
      if (!info.isFile()) return notFound(path);
      const headers = {
        "content-type": contentTypes[extname(file)] ?? "application/octet-stream",
        "content-length": String(info.size),
        "cache-control": "no-cache",
        "x-content-type-options": "nosniff",
      };
      if (request.method === "HEAD") return { status: 200, headers };
      return { status: 200, headers, body: await readFile(file) };
    } catch {
      return notFound(path);
    }
  };
}
