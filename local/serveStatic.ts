import { createReadStream } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { crossOriginHeaders, resolveStaticFile } from "../functions/http/staticFiles.js";

export interface StaticRoot {
  /** URL path prefix, e.g. "/" or "/webcti". */
  urlPrefix: string;
  directory: string;
  /** Extra headers for every file (e.g. cache policy). */
  headers?: Record<string, string>;
}

/**
 * Serves a file under `root` if the path names one (directories serve index.html); false otherwise. The
 * cross-origin headers are the Azure web-files function's (functions/http/staticFiles.ts), with the CRM
 * origins that may frame the HTML pages.
 */
export async function serveStatic(
  root: StaticRoot,
  urlPath: string,
  request: IncomingMessage,
  response: ServerResponse,
  frameAncestors: readonly string[] = [],
): Promise<boolean> {
  const prefix = root.urlPrefix.endsWith("/") ? root.urlPrefix : `${root.urlPrefix}/`;
  if (!(urlPath + "/").startsWith(prefix)) return false;
  const file = await resolveStaticFile(root.directory, urlPath.slice(prefix.length - 1));
  if (!file) return false;
  response.writeHead(200, { ...file.headers, ...crossOriginHeaders(urlPath, file, frameAncestors), ...root.headers });
  if (request.method === "HEAD") response.end();
  else createReadStream(file.path).pipe(response);
  return true;
}
