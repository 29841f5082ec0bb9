import { stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";

/** The content types of what the web folders hold. */
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

export interface StaticFile {
  path: string;
  headers: Record<string, string>;
}

/**
 * The file a URL path names under `directory` (a directory names its index.html), with the headers to
 * send it with; undefined when there is none. Served by the web-files function in Azure and by the local
 * host, so both refuse the same paths: a path that decodes to somewhere outside the folder ("..", "%2e%2e",
 * "..%2f") or does not decode at all is simply not there.
 */
export async function resolveStaticFile(directory: string, urlPath: string): Promise<StaticFile | undefined> {
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const base = resolve(directory); // no trailing separator, so "base + sep" below is a real prefix
  let file = normalize(join(base, relative));
  if (file !== base && !file.startsWith(base + sep)) return undefined;
  try {
    let info = await stat(file);
    if (info.isDirectory()) {
      file = join(file, "index.html");
      info = await stat(file);
    }
    if (!info.isFile()) return undefined;
    return {
      path: file,
      headers: {
        "content-type": contentTypes[extname(file)] ?? "application/octet-stream",
        "content-length": String(info.size),
        "cache-control": "no-cache",
        // A browser must not run an uploaded .md or .json as script because it looks like one.
        "x-content-type-options": "nosniff",
      },
    };
  } catch {
    return undefined;
  }
}

/**
 * What browsers may do with a web file besides loading it from WebCTI's own pages: the browser client and
 * widget SDK under `/webcti/` (agent.js, widget.js, their chunks) may be loaded by a page on any origin
 * (a CRM page, a partner's widget) as module scripts, which are CORS requests; an HTML page may be framed
 * by WebCTI itself and by the CRM origins tenants list (`frame-ancestors`), and by no one else.
 */
export function crossOriginHeaders(urlPath: string, file: StaticFile, frameAncestors: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  if (urlPath.startsWith("/webcti/")) headers["access-control-allow-origin"] = "*";
  if (file.headers["content-type"]?.startsWith("text/html")) {
    headers["content-security-policy"] = ["frame-ancestors", "'self'", ...frameAncestors].join(" ");
  }
  return headers;
}
