import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import azureFunctions from "@azure/functions";
import type { HttpResponseInit } from "@azure/functions";
import { compileRoute, type CompiledRoute } from "./routeTemplate.js";
import type { AzureHttpHandler } from "../functions/http/toAzureHandler.js";
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
  const routes = options.functions
    .map((fn) => ({ fn, compiled: compileRoute(fn.route), methods: fn.methods.map((m) => m.toUpperCase()) }))
    .sort((a, b) => b.compiled.specificity - a.compiled.specificity);
  const maxRequestBytes = options.maxRequestBytes ?? 4 * 1024 * 1024;
  const log = options.log ?? (() => undefined);

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`local host error: ${String((error as Error)?.stack ?? error)}`);
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end("Local host error");
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? "/", `http://${request.headers.host ?? "localhost"}`);
    if (options.easyAuth?.handle(request, response, url)) return;
    const path = url.pathname;
    // The prefix is part of the route template, so it matches without case like the template's literals.
    const lowerPath = path.toLowerCase();
    if (prefix === "" || lowerPath === prefix.toLowerCase() || lowerPath.startsWith(`${prefix.toLowerCase()}/`)) {
      const routePath = path.slice(prefix.length);
      const matches = routes
        .map((r) => ({ ...r, params: r.compiled.match(routePath) }))
        .filter((r): r is typeof r & { params: Record<string, string> } => r.params !== undefined);
      const match = matches.find((r) => r.methods.includes(request.method ?? "GET"));
      if (match) return invoke(match.fn, match.params, request, response, url);
      if (matches.length > 0) {
        const allow = [...new Set(matches.flatMap((r) => r.methods))].join(", ");
        return writeProblem(response, 405, "Method not allowed", `${request.method} is not allowed on ${path}.`, path, { allow });
      }
      if (prefix !== "") return writeProblem(response, 404, "Not found", `No function serves ${path}.`, path);
    }
    if (request.method === "GET" || request.method === "HEAD") {
      for (const root of options.staticRoots ?? []) if (await serveStatic(root, path, request, response)) return;
    }
    writeProblem(response, 404, "Not found", `Nothing is served at ${path}.`, path);
  }

  async function invoke(
    fn: HostedFunction,
    params: Record<string, string>,
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ) {
    const body = await readBody(request, maxRequestBytes);
    if (body === "too-large") return writeProblem(response, 413, "Request body too large", "The request body is too large.", url.pathname);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || name.startsWith("x-ms-client-principal")) continue;
      headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    Object.assign(headers, options.easyAuth?.principalHeaders(request) ?? {});
    const httpRequest = new HttpRequest({
      method: request.method ?? "GET",
      url: url.toString(),
      headers,
      query: Object.fromEntries(url.searchParams),
      params,
      ...(body.length > 0 ? { body: { bytes: body } } : {}),
    });
    const invocationId = randomUUID();
    const context = new InvocationContext({
      invocationId,
      functionName: fn.name,
      logHandler: (level, ...args) => log(`[${fn.name}] ${level}: ${args.map(String).join(" ")}`),
    });
    const result = await fn.handler(httpRequest, context);
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

function writeProblem(
  response: ServerResponse,
  status: number,
  title: string,
  detail: string,
  instance: string,
  headers: Record<string, string> = {},
) {
  const code = status === 404 ? "not_found" : status === 405 ? "method_not_allowed" : "payload_too_large";
  response.writeHead(status, { ...headers, "content-type": "application/problem+json" });
  response.end(JSON.stringify({ type: `urn:webcti:problem:${code}`, title, status, code, detail, instance }));
}

export type { CompiledRoute };
