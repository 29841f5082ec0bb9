import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { contentTypes } from "../functions/webFiles.js";

export interface StaticRoot {
  /** URL path prefix, e.g. "/" or "/webcti". */
  urlPrefix: string;
  directory: string;
  /** Extra headers for every file (e.g. cache policy). */
  headers?: Record<string, string>;
}


/** Serves a file under `root` if the path names one (directories serve index.html); false otherwise. */
export async function serveStatic(
  root: StaticRoot,
  urlPath: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<boolean> {
  const prefix = root.urlPrefix.endsWith("/") ? root.urlPrefix : `${root.urlPrefix}/`;
  if (!(urlPath + "/").startsWith(prefix)) return false;
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath.slice(prefix.length - 1));
  } catch {
    return false;
  }
  const base = resolve(root.directory); // no trailing separator, so "base + sep" below is a real prefix
  let file = normalize(join(base, relative));
  if (file !== base && !file.startsWith(base + sep)) return false;
  try {
    let info = await stat(file);
    if (info.isDirectory()) {
      file = join(file, "index.html");
      info = await stat(file);
    }
    if (!info.isFile()) return false;
    response.writeHead(200, {
      "content-type": contentTypes[extname(file)] ?? "application/octet-stream",
      "content-length": info.size,
      "cache-control": "no-cache",
      ...root.headers,
    });
    if (request.method === "HEAD") response.end();
    else createReadStream(file).pipe(response);
    return true;
  } catch {
    return false;
  }
}
