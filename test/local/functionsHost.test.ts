import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import azureFunctions from "@azure/functions";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { startFunctionsHost, type FunctionsHost, type HostedFunction } from "../../local/functionsHost.js";
import { createEasyAuthEmulator } from "../../local/easyAuthEmulator.js";
import { methodNotAllowedResponse, notFoundResponse } from "../../functions/http/problem.js";

const { HttpResponse } = azureFunctions;

/**
 * The local functions host with toy handlers (not the product's functions), its App Service
 * Authentication emulator and its static files, driven over real HTTP. Requests go through node:http
 * rather than fetch so that paths such as "/../x" reach the server exactly as written.
 */

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
}

function send(
  base: string,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers: init.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

function decodePrincipal(header: string | null | undefined): any {
  return header ? JSON.parse(Buffer.from(header, "base64").toString("utf8")) : undefined;
}

/** What the echo handler saw of its request. */
async function describeRequest(request: HttpRequest, context: InvocationContext) {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return {
    functionName: context.functionName,
    invocationId: context.invocationId,
    method: request.method,
    url: request.url,
    params: request.params,
    query: Object.fromEntries(request.query.entries()),
    headers,
    body: await request.text(),
    user: request.user,
  };
}

let invocations = 0;
const logLines: string[] = [];

function fn(name: string, methods: string[], route: string, handler: (r: HttpRequest, c: InvocationContext) => Promise<unknown>): HostedFunction {
  return {
    name,
    methods,
    route,
    handler: async (request, context) => {
      invocations += 1;
      return (await handler(request, context)) as HttpResponseInit;
    },
  };
}

const toyFunctions: HostedFunction[] = [
  fn("echo", ["GET", "POST", "PUT"], "v1/echo/{name}", async (request, context) => {
    context.log("echoing", request.params.name);
    return { status: 200, jsonBody: await describeRequest(request, context) };
  }),
  fn("itemSearch", ["GET"], "v1/items/search", async () => ({ jsonBody: { which: "search" } })),
  fn("item", ["GET"], "v1/items/{id}", async (request) => ({ jsonBody: { which: "item", id: request.params.id } })),
  fn("thingSpecial", ["GET"], "v1/things/special", async () => ({ jsonBody: { which: "special" } })),
  fn("thingPost", ["POST"], "v1/things/{id}", async (request) => ({ jsonBody: { which: "posted", id: request.params.id } })),
  fn("status", ["GET"], "v1/status/{code:int}", async (request) => ({
    status: Number(request.params.code),
    headers: { "content-type": "text/plain; charset=utf-8", "x-toy": "yes" },
    body: `status ${request.params.code}`,
  })),
  fn("created", ["POST"], "v1/created", async () =>
    new HttpResponse({ status: 201, headers: { location: "/api/v1/items/9" }, jsonBody: { id: "9", name: "Zoë" } }),
  ),
  fn("empty", ["DELETE"], "v1/empty", async () => ({ status: 204 })),
  fn("bytes", ["GET"], "v1/bytes", async () => ({
    headers: { "content-type": "application/octet-stream" },
    body: new Uint8Array([0, 1, 2, 254, 255]),
  })),
  fn("cookies", ["GET"], "v1/cookies", async () => ({
    headers: [
      ["set-cookie", "a=1; Path=/"],
      ["set-cookie", "b=2; Path=/"],
    ],
    body: "two cookies",
  })),
  fn("throws", ["GET"], "v1/throws", async () => {
    throw new Error("toy failure");
  }),
  fn("files", ["GET"], "v1/files/{*rest}", async (request) => ({ jsonBody: { rest: request.params.rest } })),
];

let root: string;
let host: FunctionsHost;
let bare: FunctionsHost;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "webcti-host-"));
  const www = join(root, "www");
  await mkdir(join(www, "sub"), { recursive: true });
  await mkdir(join(www, "noindex"), { recursive: true });
  await mkdir(join(root, "assets"), { recursive: true });
  await writeFile(join(root, "secret.txt"), "TOP SECRET");
  await writeFile(join(www, "index.html"), "<h1>home</h1>");
  await writeFile(join(www, "app.js"), "console.log('app');");
  await writeFile(join(www, "site.css"), "body{}");
  await writeFile(join(www, "data.json"), '{"ok":true}');
  await writeFile(join(www, "logo.svg"), "<svg/>");
  await writeFile(join(www, "blob.bin"), Buffer.from([1, 2, 3]));
  await writeFile(join(www, "with space.txt"), "spaced");
  await writeFile(join(www, "sub", "index.html"), "<h1>sub</h1>");
  await writeFile(join(www, "noindex", "file.md"), "# md");
  await writeFile(join(root, "assets", "client.js"), "export {};");
  await writeFile(join(root, "assets", "index.html"), "<h1>assets</h1>");

  host = await startFunctionsHost({
    functions: toyFunctions,
    routePrefix: "api",
    staticRoots: [
      // Given with a trailing separator, as fileURLToPath(new URL("./assets/", ...)) gives it.
      { urlPrefix: "/assets", directory: join(root, "assets") + "/", headers: { "cache-control": "max-age=60" } },
      { urlPrefix: "/", directory: www },
    ],
    easyAuth: createEasyAuthEmulator(),
    maxRequestBytes: 1024,
    log: (line) => logLines.push(line),
  });
  bare = await startFunctionsHost({ functions: toyFunctions, routePrefix: "" });
});

afterAll(async () => {
  await host?.close();
  await bare?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

const get = (path: string, headers?: Record<string, string>) => send(host.url, "GET", path, headers ? { headers } : {});

function expectProblem(reply: Reply, status: number, code: string, instance?: string) {
  expect(reply.status).toBe(status);
  expect(reply.headers["content-type"]).toBe("application/problem+json");
  expect(reply.json).toMatchObject({ type: `urn:webcti:problem:${code}`, status, code, title: expect.any(String) });
  if (instance !== undefined) expect(reply.json.instance).toBe(instance);
}

describe("functions host: routes under the prefix", () => {
  it("serves a function under the route prefix only", async () => {
    const served = await get("/api/v1/echo/alice");
    expect(served.status).toBe(200);
    expect(served.json).toMatchObject({ functionName: "echo", params: { name: "alice" } });
    expectProblem(await get("/v1/echo/alice"), 404, "not_found", "/v1/echo/alice");
    expectProblem(await get("/apiv1/echo/alice"), 404, "not_found");
  });

  it("reads the prefix without case, like the rest of the route", async () => {
    expect((await get("/API/v1/echo/alice")).json).toMatchObject({ functionName: "echo", params: { name: "alice" } });
    expect((await get("/Api/V1/ECHO/alice")).json).toMatchObject({ params: { name: "alice" } });
  });

  it("serves routes at the root when the prefix is empty", async () => {
    const served = await send(bare.url, "GET", "/v1/echo/bob");
    expect(served.json).toMatchObject({ functionName: "echo", params: { name: "bob" } });
    expectProblem(await send(bare.url, "GET", "/api/v1/echo/bob"), 404, "not_found");
  });

  it("accepts the prefix written with slashes", async () => {
    const slashed = await startFunctionsHost({ functions: toyFunctions, routePrefix: "/custom/" });
    try {
      expect((await send(slashed.url, "GET", "/custom/v1/echo/x")).json).toMatchObject({ params: { name: "x" } });
      expect((await send(slashed.url, "GET", "/api/v1/echo/x")).status).toBe(404);
    } finally {
      await slashed.close();
    }
  });

  it("prefers a literal route over a parameter one, whatever the order of registration", async () => {
    expect((await get("/api/v1/items/search")).json).toEqual({ which: "search" });
    expect((await get("/api/v1/items/42")).json).toEqual({ which: "item", id: "42" });
  });

  it("falls through to a less specific route that allows the method", async () => {
    expect((await send(host.url, "POST", "/api/v1/things/special")).json).toEqual({ which: "posted", id: "special" });
    expect((await get("/api/v1/things/special")).json).toEqual({ which: "special" });
  });

  it("applies route constraints", async () => {
    expect((await get("/api/v1/status/203")).status).toBe(203);
    expectProblem(await get("/api/v1/status/teapot"), 404, "not_found", "/api/v1/status/teapot");
  });

  it("gives a catch-all parameter the decoded rest of the path", async () => {
    expect((await get("/api/v1/files/a/b%20c/d.txt")).json).toEqual({ rest: "a/b c/d.txt" });
  });

  it("writes its own problems with the product's renderer, as the Azure entry's catch-alls do", async () => {
    expect((await get("/api/v1/nothing")).json).toEqual(JSON.parse(notFoundResponse("/api/v1/nothing").body));
    expect((await get("/missing.js")).json).toEqual(JSON.parse(notFoundResponse("/missing.js").body));
    const wrongMethod = await send(host.url, "DELETE", "/api/v1/echo/alice");
    expect(wrongMethod.json).toEqual(JSON.parse(methodNotAllowedResponse("DELETE", "/api/v1/echo/alice", ["GET", "POST", "PUT"]).body));
  });

  it("answers 404 as problem+json for a path under the prefix that no function serves", async () => {
    expectProblem(await get("/api/v1/nothing"), 404, "not_found", "/api/v1/nothing");
    expectProblem(await get("/api"), 404, "not_found", "/api");
    // A POST outside the prefix finds no static file either.
    expectProblem(await send(host.url, "POST", "/index.html"), 404, "not_found");
  });

  it("answers 405 as problem+json, with Allow, when the route exists but not for the method", async () => {
    const before = invocations;
    const reply = await send(host.url, "DELETE", "/api/v1/echo/alice");
    expectProblem(reply, 405, "method_not_allowed", "/api/v1/echo/alice");
    expect(reply.json.detail).toContain("DELETE");
    expect(String(reply.headers.allow).split(/,\s*/).sort()).toEqual(["GET", "POST", "PUT"]);
    expect((await send(host.url, "POST", "/api/v1/items/search")).status).toBe(405);
    expect(invocations).toBe(before);
  });

  it("takes the methods a function lists without case", async () => {
    const lower = await startFunctionsHost({
      functions: [{ ...toyFunctions[0]!, methods: ["get"] }],
      routePrefix: "api",
    });
    try {
      expect((await send(lower.url, "GET", "/api/v1/echo/x")).status).toBe(200);
      expect((await send(lower.url, "POST", "/api/v1/echo/x")).status).toBe(405);
    } finally {
      await lower.close();
    }
  });
});

describe("functions host: the handler's request", () => {
  it("carries method, full url, decoded params, query and headers", async () => {
    const reply = await get("/api/v1/echo/Zo%C3%AB%20M?a=1&b=two%20words&empty=", { "x-partner": "acme", accept: "application/json" });
    expect(reply.status).toBe(200);
    const seen = reply.json;
    expect(seen.method).toBe("GET");
    expect(seen.url).toBe(`${host.url}/api/v1/echo/Zo%C3%AB%20M?a=1&b=two%20words&empty=`);
    expect(seen.params).toEqual({ name: "Zoë M" });
    expect(seen.query).toEqual({ a: "1", b: "two words", empty: "" });
    expect(seen.headers["x-partner"]).toBe("acme");
    expect(seen.headers.accept).toBe("application/json");
    expect(seen.body).toBe("");
    expect(seen.invocationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("gives each invocation its own id", async () => {
    const [a, b] = await Promise.all([get("/api/v1/echo/a"), get("/api/v1/echo/b")]);
    expect(a.json.invocationId).not.toBe(b.json.invocationId);
  });

  it("carries the body of a POST or PUT, byte for byte", async () => {
    const json = JSON.stringify({ hello: "wörld", n: 1 });
    const posted = await send(host.url, "POST", "/api/v1/echo/x", {
      headers: { "content-type": "application/json" },
      body: json,
    });
    expect(posted.json).toMatchObject({ method: "POST", body: json, headers: { "content-type": "application/json" } });
    const put = await send(host.url, "PUT", "/api/v1/echo/x", { body: "plain text" });
    expect(put.json).toMatchObject({ method: "PUT", body: "plain text" });
  });

  it("routes the handler's log lines to the host log with the function's name", async () => {
    await get("/api/v1/echo/logged-name");
    expect(logLines.some((line) => line.includes("[echo]") && line.includes("echoing logged-name"))).toBe(true);
  });

  it("answers 413 as problem+json for a body over the limit, without calling the function", async () => {
    const before = invocations;
    const reply = await send(host.url, "POST", "/api/v1/echo/big", { body: Buffer.alloc(1025, "a") });
    expectProblem(reply, 413, "payload_too_large", "/api/v1/echo/big");
    expect(invocations).toBe(before);
    // Exactly at the limit is fine.
    const atLimit = await send(host.url, "POST", "/api/v1/echo/big", { body: Buffer.alloc(1024, "a") });
    expect(atLimit.status).toBe(200);
    expect(atLimit.json.body).toHaveLength(1024);
  });

  it("answers 413 also for a body sent in chunks without a length", async () => {
    const reply = await new Promise<number>((resolve, reject) => {
      const url = new URL(host.url);
      const req = httpRequest(
        { host: url.hostname, port: url.port, method: "POST", path: "/api/v1/echo/chunked", headers: { "transfer-encoding": "chunked" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      for (let i = 0; i < 5; i += 1) req.write(Buffer.alloc(300, "b"));
      req.end();
    });
    expect(reply).toBe(413);
  });
});

describe("functions host: the handler's response", () => {
  it("writes back status, headers and body of a plain response init", async () => {
    const reply = await get("/api/v1/status/202");
    expect(reply.status).toBe(202);
    expect(reply.headers["x-toy"]).toBe("yes");
    expect(reply.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(reply.text).toBe("status 202");
  });

  it("writes back an HttpResponse with a JSON body", async () => {
    const reply = await send(host.url, "POST", "/api/v1/created");
    expect(reply.status).toBe(201);
    expect(reply.headers.location).toBe("/api/v1/items/9");
    expect(reply.headers["content-type"]).toMatch(/^application\/json/);
    expect(reply.json).toEqual({ id: "9", name: "Zoë" });
  });

  it("writes back an empty 204", async () => {
    const reply = await send(host.url, "DELETE", "/api/v1/empty");
    expect(reply.status).toBe(204);
    expect(reply.text).toBe("");
  });

  it("writes back binary bodies unchanged", async () => {
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      const url = new URL(host.url);
      httpRequest({ host: url.hostname, port: url.port, path: "/api/v1/bytes" }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(Buffer.concat(chunks)));
      })
        .on("error", reject)
        .end();
    });
    expect([...bytes]).toEqual([0, 1, 2, 254, 255]);
  });

  it("writes back every Set-Cookie header, not just the last", async () => {
    const reply = await get("/api/v1/cookies");
    expect(reply.headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2; Path=/"]);
  });

  it("answers 500 when the handler throws, and keeps serving", async () => {
    const reply = await get("/api/v1/throws");
    expectProblem(reply, 500, "internal", "/api/v1/throws");
    expect(reply.text).not.toContain("toy failure");
    expect(logLines.some((line) => line.includes("toy failure"))).toBe(true);
    expect((await get("/api/v1/items/1")).status).toBe(200);
  });
});

describe("functions host: App Service Authentication emulator", () => {
  async function signIn(user: string, name?: string): Promise<string> {
    const query = new URLSearchParams({ user, ...(name ? { name } : {}), post_login_redirect_uri: "/x" });
    const reply = await get(`/.auth/login/demo?${query}`);
    expect(reply.status).toBe(302);
    const setCookie = reply.headers["set-cookie"]?.[0] ?? "";
    return setCookie.split(";")[0] as string;
  }

  async function whoSees(headers: Record<string, string>) {
    const reply = await get("/api/v1/echo/me", headers);
    expect(reply.status).toBe(200);
    const seen = reply.json.headers as Record<string, string>;
    return {
      principal: decodePrincipal(seen["x-ms-client-principal"]),
      id: seen["x-ms-client-principal-id"],
      name: seen["x-ms-client-principal-name"],
      idp: seen["x-ms-client-principal-idp"],
      user: reply.json.user,
      headerNames: Object.keys(seen).filter((n) => n.startsWith("x-ms-client-principal")),
    };
  }

  it("signs in with the demo provider: 302 to the given page and an HttpOnly session cookie", async () => {
    const reply = await get("/.auth/login/demo?user=agent-7&name=Agent%20Seven&post_login_redirect_uri=/x");
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe("/x");
    const cookie = reply.headers["set-cookie"]?.[0] ?? "";
    expect(cookie).toMatch(/^AppServiceAuthSession=[^;]+;/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Path=\//);
  });

  it("refuses a sign-in without a user", async () => {
    const reply = await get("/.auth/login/demo?post_login_redirect_uri=/x");
    expect(reply.status).toBe(400);
    expect(reply.headers["set-cookie"]).toBeUndefined();
  });

  it.each([
    ["/x?tab=2#top", "/x?tab=2#top"],
    ["", "/"],
    ["//evil.example/x", "/"],
    ["https://evil.example/x", "/"],
    ["/\\evil.example/x", undefined],
    ["/\t/evil.example/x", undefined],
    ["/.//evil.example/x", undefined],
    ["/%2F/evil.example/x", undefined],
    ["javascript:alert(1)", "/"],
  ])("redirects after sign-in only within the site: %j", async (target, expected) => {
    const reply = await get(`/.auth/login/demo?user=u1&post_login_redirect_uri=${encodeURIComponent(target)}`);
    expect(reply.status).toBe(302);
    const location = String(reply.headers.location);
    if (expected !== undefined) expect(location).toBe(expected);
    // However a browser reads the Location header, it stays on this host.
    expect(new URL(location, host.url).origin).toBe(new URL(host.url).origin);
    expect(new URL(location.replaceAll("\\", "/"), host.url).origin).toBe(new URL(host.url).origin);
  });

  it("forwards the signed-in user to the function as Easy Auth's principal headers", async () => {
    const cookie = await signIn("agent-7", "Agent Seven");
    const seen = await whoSees({ cookie });
    expect(seen.principal).toEqual({
      auth_typ: "demo",
      name_typ: "name",
      role_typ: "roles",
      claims: [
        { typ: "sub", val: "agent-7" },
        { typ: "name", val: "Agent Seven" },
      ],
    });
    expect(seen).toMatchObject({ id: "agent-7", name: "Agent Seven", idp: "demo" });
    // The functions library reads the same headers into request.user.
    expect(seen.user).toMatchObject({ type: "AppService", id: "agent-7", username: "Agent Seven", identityProvider: "demo" });
  });

  it("uses the user id as the display name when none is given", async () => {
    const seen = await whoSees({ cookie: await signIn("agent-8") });
    expect(seen).toMatchObject({ id: "agent-8", name: "agent-8" });
  });

  it("finds the session cookie among other cookies", async () => {
    const cookie = await signIn("agent-9");
    expect((await whoSees({ cookie: `theme=dark; ${cookie}; other=1` })).id).toBe("agent-9");
  });

  it("forwards no principal without a session", async () => {
    const seen = await whoSees({});
    expect(seen.headerNames).toEqual([]);
    expect(seen.user).toBeNull();
  });

  it("strips x-ms-client-principal headers a browser sends", async () => {
    const forged = Buffer.from(JSON.stringify({ auth_typ: "aad", claims: [{ typ: "sub", val: "admin" }] })).toString("base64");
    const forgedHeaders = {
      "x-ms-client-principal": forged,
      "x-ms-client-principal-id": "admin",
      "x-ms-client-principal-name": "Admin",
      "x-ms-client-principal-idp": "aad",
    };
    expect((await whoSees(forgedHeaders)).headerNames).toEqual([]);
    const withSession = await whoSees({ ...forgedHeaders, cookie: await signIn("agent-7") });
    expect(withSession).toMatchObject({ id: "agent-7", name: "agent-7", idp: "demo" });
    expect(withSession.principal.claims).toContainEqual({ typ: "sub", val: "agent-7" });
  });

  it("strips them also when the host plays no Easy Auth", async () => {
    const reply = await send(bare.url, "GET", "/v1/echo/me", { headers: { "x-ms-client-principal-id": "admin" } });
    expect(Object.keys(reply.json.headers).filter((n: string) => n.startsWith("x-ms-client"))).toEqual([]);
  });

  it("forwards no principal for a tampered or foreign cookie", async () => {
    const cookie = await signIn("agent-7");
    const [name, value] = cookie.split("=") as [string, string];
    const [payload, signature] = value.split(".") as [string, string];
    const otherPayload = Buffer.from(JSON.stringify({ userId: "admin", name: "Admin" })).toString("base64url");
    const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);

    const foreignHost = createEasyAuthEmulator();
    const foreign = await new Promise<string>((resolve) => {
      // A cookie signed by another stack's secret.
      const fakeResponse = {
        writeHead: (_status: number, headers: Record<string, string>) => ({ end: () => resolve(headers["set-cookie"]!.split(";")[0]!) }),
      };
      foreignHost.handle({ headers: {} } as never, fakeResponse as never, new URL("http://x/.auth/login/demo?user=agent-7"));
    });

    for (const bad of [
      `${name}=${otherPayload}.${signature}`,
      `${name}=${payload}.${flipped}`,
      `${name}=${payload}.`,
      `${name}=${payload}`,
      `${name}=.${signature}`,
      `${name}=${payload}.${signature}x`,
      `${name}=`,
      foreign,
    ]) {
      const seen = await whoSees({ cookie: bad });
      expect(seen.headerNames, bad).toEqual([]);
    }
    // The untouched cookie still works, so the cases above fail for their tampering alone.
    expect((await whoSees({ cookie })).id).toBe("agent-7");
  });

  it("keeps a display name outside Latin-1 readable as UTF-8 and serves the request", async () => {
    const cookie = await signIn("agent-zh", "李雷");
    const reply = await get("/api/v1/echo/me", { cookie });
    expect(reply.status).toBe(200);
    expect(decodePrincipal(reply.json.headers["x-ms-client-principal"]).claims).toContainEqual({ typ: "name", val: "李雷" });
    // The plain header carries the name's UTF-8 bytes, as a header does on the wire.
    expect(Buffer.from(reply.json.headers["x-ms-client-principal-name"], "latin1").toString("utf8")).toBe("李雷");
    expect((await get("/.auth/me", { cookie })).json[0].user_claims).toContainEqual({ typ: "name", val: "李雷" });
  });

  it("answers /.auth/me with Easy Auth's shape for the session, and [] without one", async () => {
    const cookie = await signIn("agent-7", "Agent Seven");
    const me = await get("/.auth/me", { cookie });
    expect(me.status).toBe(200);
    expect(me.headers["content-type"]).toMatch(/^application\/json/);
    expect(me.json).toEqual([
      {
        provider_name: "demo",
        user_id: "agent-7",
        user_claims: [
          { typ: "sub", val: "agent-7" },
          { typ: "name", val: "Agent Seven" },
        ],
      },
    ]);
    expect((await get("/.auth/me")).json).toEqual([]);
    expect((await get("/.auth/me", { cookie: cookie.replace(/.$/, (c) => (c === "x" ? "y" : "x")) })).json).toEqual([]);
  });

  it("signs out: 302 to the given page and a cookie that expires now", async () => {
    const reply = await get("/.auth/logout?post_logout_redirect_uri=/bye");
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe("/bye");
    const cookie = reply.headers["set-cookie"]?.[0] ?? "";
    expect(cookie).toMatch(/^AppServiceAuthSession=;/);
    expect(cookie).toMatch(/Max-Age=0/);
    expect((await get("/.auth/logout?post_logout_redirect_uri=//evil.example")).headers.location).toBe("/");
    // With the cleared cookie the browser sends, nobody is signed in.
    expect((await get("/.auth/me", { cookie: "AppServiceAuthSession=" })).json).toEqual([]);
  });

  it("answers 404 for an unknown /.auth route, and leaves other paths alone", async () => {
    expect((await get("/.auth/login/aad")).status).toBe(404);
    expect((await get("/.auth/nothing")).status).toBe(404);
    expect((await get("/.authx")).status).toBe(404);
  });
});

describe("functions host: static files", () => {
  it.each([
    ["/app.js", "text/javascript; charset=utf-8", "console.log('app');"],
    ["/site.css", "text/css; charset=utf-8", "body{}"],
    ["/data.json", "application/json; charset=utf-8", '{"ok":true}'],
    ["/logo.svg", "image/svg+xml", "<svg/>"],
    ["/index.html", "text/html; charset=utf-8", "<h1>home</h1>"],
    ["/noindex/file.md", "text/markdown; charset=utf-8", "# md"],
    ["/with%20space.txt", "application/octet-stream", "spaced"],
  ])("serves %s as %s", async (path, type, body) => {
    const reply = await get(path);
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe(type);
    expect(reply.headers["content-length"]).toBe(String(Buffer.byteLength(body)));
    expect(reply.headers["x-content-type-options"]).toBe("nosniff");
    expect(reply.text).toBe(body);
  });

  it("serves unknown types as octet-stream, byte for byte", async () => {
    const reply = await get("/blob.bin");
    expect(reply.headers["content-type"]).toBe("application/octet-stream");
    expect(reply.headers["content-length"]).toBe("3");
  });

  it("serves index.html for a directory", async () => {
    expect((await get("/")).text).toBe("<h1>home</h1>");
    expect((await get("/sub/")).text).toBe("<h1>sub</h1>");
    expect((await get("/sub")).text).toBe("<h1>sub</h1>");
    expect((await get("/sub/")).headers["content-type"]).toBe("text/html; charset=utf-8");
  });

  it("answers 404 problem+json for a directory without index.html and for a missing file", async () => {
    expectProblem(await get("/noindex/"), 404, "not_found", "/noindex/");
    expectProblem(await get("/missing.js"), 404, "not_found", "/missing.js");
  });

  it("answers HEAD with the headers and no body", async () => {
    const reply = await send(host.url, "HEAD", "/app.js");
    expect(reply.status).toBe(200);
    expect(reply.headers["content-length"]).toBe(String(Buffer.byteLength("console.log('app');")));
    expect(reply.text).toBe("");
  });

  it("serves a root under its URL prefix with its own headers, from a directory given with a trailing slash", async () => {
    const reply = await get("/assets/client.js");
    expect(reply.status).toBe(200);
    expect(reply.text).toBe("export {};");
    expect(reply.headers["cache-control"]).toBe("max-age=60");
    expect((await get("/assets")).text).toBe("<h1>assets</h1>");
    expect((await get("/assets/")).text).toBe("<h1>assets</h1>");
    // Other roots keep their default cache policy.
    expect((await get("/app.js")).headers["cache-control"]).toBe("no-cache");
    // "/assetsx" is not under "/assets".
    expectProblem(await get("/assetsx/client.js"), 404, "not_found");
  });

  it.each([
    "/../secret.txt",
    "/sub/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/sub/%2e%2e/%2e%2e/secret.txt",
    "/..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/sub/..%2f..%2fsecret.txt",
    "/assets/..%2fsecret.txt",
    "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/..%5csecret.txt",
    "/%00secret.txt",
    "/%E0%A4%A",
  ])("refuses %s", async (path) => {
    const reply = await get(path);
    expect(reply.status).toBe(404);
    expect(reply.text).not.toContain("TOP SECRET");
  });

  it("serves static files for GET and HEAD only", async () => {
    expectProblem(await send(host.url, "POST", "/app.js"), 404, "not_found");
    expectProblem(await send(host.url, "DELETE", "/app.js"), 404, "not_found");
  });

  it("does not serve static files under the route prefix", async () => {
    await writeFile(join(root, "www", "api-file.txt"), "x");
    expectProblem(await get("/api/api-file.txt"), 404, "not_found");
  });
});
