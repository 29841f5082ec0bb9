import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import azureFunctions from "@azure/functions";
import type { HttpResponseInit } from "@azure/functions";
import { createRouter } from "../functions/http/routeTemplate.js";
import type { AzureHttpHandler } from "../functions/http/toAzureHandler.js";
import { methodNotAllowedResponse, notFoundResponse, toProblemResponse, type ProblemResponse } from "../functions/http/problem.js";
import { WebCtiError } from "../shared/errors.js";
import type { EasyAuthEmulator } from "./easyAuthEmulator.js";
import { serveStatic, type StaticRoot } from "./serveStatic.js";

// The library is a CommonJS bundle: its named exports are invisible to Node's ESM loader.
const { HttpRequest, HttpResponse, InvocationContext } = azureFunctions;

/** One registration, as `app.http(name, { methods, route, handler })` receives it. */
export interface HostedFunction {
  name: string;
  methods: string[];
  route: string;
  handler: AzureHttpHandler;
}

export interface FunctionsHostOptions {
  functions: HostedFunction[];
  /** host.json extensions.http.routePrefix ("api" by default, as in the Functions host). */
  routePrefix: string;
  staticRoots?: StaticRoot[];
  easyAuth?: EasyAuthEmulator;
  host?: string;
  port?: number;
  /** Largest body the host reads before answering 413 itself (the Functions host's limit is 100 MB). */
  maxRequestBytes?: number;
  log?: (line: string) => void;
  /**
   * Answers CORS preflights (OPTIONS) before routing, as the Azure entry's API catch-all does
   * (functions/http/cors.ts); undefined lets the request through to the usual answer.
   */
  preflight?: (request: { method: string; url: string; headers: { get(name: string): string | null } }) => Promise<HttpResponseInit | undefined>;
  /** The CRM origins that may frame the HTML pages (`frame-ancestors`). */
  frameAncestors?: () => Promise<readonly string[]>;
}

export interface FunctionsHost {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function readRoutePrefix(hostJsonUrl: URL): Promise<string> {
  const hostJson = JSON.parse(await readFile(hostJsonUrl, "utf8")) as {
    extensions?: { http?: { routePrefix?: string } };
  };
  return hostJson.extensions?.http?.routePrefix ?? "api";
}

/**
 * Serves the registered HTTP functions the way the Functions host does: same route templates under the
 * host.json prefix, the library's own HttpRequest / InvocationContext in, HttpResponse out. It also
 * serves static files (browser bundles, agent desktop) and plays App Service Authentication.
 */
export async function startFunctionsHost(options: FunctionsHostOptions): Promise<FunctionsHost> {
  const prefix = options.routePrefix ? `/${options.routePrefix.replace(/^\/|\/$/g, "")}` : "";
  const findRoute = createRouter(options.functions.map((fn) => ({ methods: fn.methods, route: fn.route, target: fn })));
  const maxRequestBytes = options.maxRequestBytes ?? 4 * 1024 * 1024;
  const log = options.log ?? (() => undefined);

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`local host error: ${String((error as Error)?.stack ?? error)}`);
      if (response.headersSent) return void response.end();
      const path = new URL(request.url ?? "/", "http://localhost").pathname;
      writeProblem(request, response, toProblemResponse(new WebCtiError("internal", "An unexpected error occurred."), path));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? "/", `http://${request.headers.host ?? "localhost"}`);
    if (options.easyAuth?.handle(request, response, url)) return;
    const path = url.pathname;
    if (request.method === "OPTIONS" && options.preflight) {
      const headers = { get: (name: string) => headerValue(request, name) };
      const answered = await options.preflight({ method: "OPTIONS", url: url.toString(), headers });
      if (answered) return writeResult(request, response, answered);
    }
    // The prefix is part of the route template, so it matches without case like the template's literals.
    const lowerPath = path.toLowerCase();
    if (prefix === "" || lowerPath === prefix.toLowerCase() || lowerPath.startsWith(`${prefix.toLowerCase()}/`)) {
      const found = findRoute(request.method ?? "GET", path.slice(prefix.length));
      if (found && "target" in found) return invoke(found.target, found.params, request, response, url);
      if (found) return writeProblem(request, response, methodNotAllowedResponse(request.method ?? "GET", path, found.allow));
      if (prefix !== "") return writeProblem(request, response, notFoundResponse(path));
    }
    if (request.method === "GET" || request.method === "HEAD") {
      const frameAncestors = (await options.frameAncestors?.()) ?? [];
      for (const root of options.staticRoots ?? []) if (await serveStatic(root, path, request, response, frameAncestors)) return;
    }
    writeProblem(request, response, notFoundResponse(path));
  }

  async function invoke(
    fn: HostedFunction,
    params: Record<string, string>,
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ) {
    const body = await readBody(request, maxRequestBytes);
    if (body === "too-large") {
      const tooLarge = new WebCtiError("payload_too_large", `The request body is over ${maxRequestBytes} bytes.`);
      return writeProblem(request, response, toProblemResponse(tooLarge, url.pathname));
    }
    const principal = options.easyAuth?.principalHeaders(request) ?? {};
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: fn.name,
      logHandler: (level, ...args) => log(`[${fn.name}] ${level}: ${args.map(String).join(" ")}`),
    });
    const result = await fn.handler(toHttpRequest(request, url, params, body, principal), context);
    await writeResult(request, response, result);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${options.host ?? "127.0.0.1"}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The library's HttpRequest for a request, with the platform's principal headers in place of any sent. */
function toHttpRequest(
  request: IncomingMessage,
  url: URL,
  params: Record<string, string>,
  body: Buffer,
  principal: Record<string, string>,
): InstanceType<typeof HttpRequest> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name.startsWith("x-ms-client-principal")) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return new HttpRequest({
    method: request.method ?? "GET",
    url: url.toString(),
    headers: { ...headers, ...principal },
    query: Object.fromEntries(url.searchParams),
    params,
    ...(body.length > 0 ? { body: { bytes: body } } : {}),
  });
}

/** Writes what a handler returned (an HttpResponse or a plain response init) as the Functions host does. */
async function writeResult(request: IncomingMessage, response: ServerResponse, result: unknown) {
  const httpResponse = result instanceof HttpResponse ? result : new HttpResponse(result as HttpResponseInit);
  const out: Record<string, string | string[]> = {};
  httpResponse.headers.forEach((value, name) => {
    out[name] = value;
  });
  // Headers yields Set-Cookie once per cookie, so the loop above kept only the last one.
  const cookies = httpResponse.headers.getSetCookie();
  if (cookies.length > 0) out["set-cookie"] = cookies;
  const bytes = Buffer.from(await httpResponse.arrayBuffer());
  response.writeHead(httpResponse.status, out);
  response.end(request.method === "HEAD" ? undefined : bytes);
}

function headerValue(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name.toLowerCase()];
  return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
}

function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on("end", () => resolve(tooLarge ? "too-large" : Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function writeProblem(request: IncomingMessage, response: ServerResponse, problem: ProblemResponse) {
  response.writeHead(problem.status, problem.headers);
  response.end(request.method === "HEAD" ? undefined : problem.body);
}

