import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { Cron } from "croner";
import { httpFunctions, timerFunctions } from "../../functions/index.js";
import { uniquePrefix } from "../support/stack.js";
import { projectRoot } from "../../shared/projectRoot.js";
import { notFoundResponse } from "../../functions/http/problem.js";

const everyMethod = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

const root = projectRoot();
const probe = fileURLToPath(new URL("../support/azureEntryProbe.mjs", import.meta.url));

/** Runs the built Azure entry under plain node (no test-runner transform), as the Functions host would. */
async function runEntry(invoke?: string) {
  const { stdout } = await promisify(execFile)(process.execPath, [probe, root, ...(invoke ? [invoke] : [])], {
    env: {
      ...process.env,
      WEBCTI_TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
      WEBCTI_WEBPUBSUB_CONNECTION_STRING: "Endpoint=http://127.0.0.1;Port=9;AccessKey=bm90LXVzZWQtaW4tdGhpcy10ZXN0;Version=1.0;",
      WEBCTI_TABLE_PREFIX: uniquePrefix(),
    },
  });
  return JSON.parse(stdout.trim().split("\n").pop()!) as {
    registrations: Array<{ name: string; methods: string[]; route: string; authLevel: string }>;
    timers: Array<{ name: string; schedule: string }>;
    response?: { status: number; contentType: string; headers: Record<string, string>; body: { code: string } };
    timerRun?: { ok: boolean; error?: string; logs: string[] };
  };
}

describe("the Azure Functions entry under plain node", () => {
  it("registers every function of the table with app.http, anonymous at the platform level", async () => {
    const { registrations } = await runEntry();
    expect(registrations).toEqual([
      ...httpFunctions.map((d) => ({ name: d.name, methods: [d.method], route: `api/${d.route}`, authLevel: "anonymous" })),
      // what no function takes: a problem under /api, else the desktop and browser bundles at the root
      // (host.json routePrefix ""); catch-alls rank after literal routes in the Functions host
      { name: "apiNotFound", methods: everyMethod, route: "api/{*path}", authLevel: "anonymous" },
      { name: "webFiles", methods: everyMethod, route: "{*path}", authLevel: "anonymous" },
    ]);
  });

  it("answers a path under /api that no route takes with the product's problem, as the local host does", async () => {
    for (const [method, path] of [["POST", "/api/v1/nothing"], ["GET", "/api/v2/screen-pops"], ["GET", "/api"]]) {
      const { response } = await runEntry(`apiNotFound ${method} http://localhost${path}`);
      expect(response, `${method} ${path}`).toEqual({ status: 404, contentType: "application/problem+json", headers: expect.any(Object), body: JSON.parse(notFoundResponse(path).body) });
    }
    const { response } = await runEntry("apiNotFound DELETE http://localhost/api/v1/agent/me");
    expect(response).toMatchObject({ status: 405, headers: { allow: "GET" }, body: { code: "method_not_allowed", instance: "/api/v1/agent/me" } });
  });

  it("answers a missing web file with the same renderer", async () => {
    const { response } = await runEntry("webFiles GET http://localhost/nothing-here.js");
    expect(response).toMatchObject({ status: 404, contentType: "application/problem+json", body: JSON.parse(notFoundResponse("/nothing-here.js").body) });
  });

  it("serves a request through a registered handler", async () => {
    const { response } = await runEntry("getAgentMe GET http://localhost/api/v1/agent/me");
    expect(response).toEqual({
      status: 401,
      contentType: "application/problem+json",
      headers: expect.any(Object),
      body: expect.objectContaining({ code: "unauthenticated", status: 401 }),
    });
  });

  it("registers every timer of the table with app.timer, on a six-field NCRONTAB schedule", async () => {
    const { timers } = await runEntry();
    expect(timers).toEqual(timerFunctions.map((d) => ({ name: d.name, schedule: d.schedule })));
    for (const { schedule } of timers) {
      expect(schedule.split(" "), schedule).toHaveLength(6); // the Functions host wants seconds first
      expect(new Cron(schedule, { paused: true }).nextRun(), schedule).toBeInstanceOf(Date);
    }
  });

  it("runs a timer through its registered handler against the tables", async () => {
    const { timerRun } = await runEntry("timer runWebhookRetries");
    expect(timerRun).toEqual({ ok: true, logs: [] });
  });

  it("needs nothing .funcignore leaves out of the package: every module it loads is under dist/functions, dist/shared or dist/web", async () => {
    const ignored = (await readFile(join(root, ".funcignore"), "utf8"))
      .split("\n")
      .filter((line) => line.startsWith("/"))
      .map((line) => line.slice(1).replace(/\/$/, ""));
    const modules = [...(await loadedByEntry()).files].map((file) => relative(root, file).split(sep).join("/"));
    expect(modules.length).toBeGreaterThan(20);
    for (const module of modules) {
      expect(module, module).toMatch(/^dist\/(functions|shared|web)\//);
      expect(ignored.filter((pattern) => module === pattern || module.startsWith(`${pattern}/`)), module).toEqual([]);
    }
    expect(ignored).toEqual(expect.arrayContaining(["local", "tools", "bench", "dist/local", "dist/tools", "dist/bench", "test"]));
  });

  it("has in package.json dependencies exactly the packages it loads (what only esbuild bundles or the local stack serves is a devDependency)", async () => {
    const { packages } = await loadedByEntry();
    const manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect([...packages].sort()).toEqual(Object.keys(manifest.dependencies).sort());
  });
});

/** The built modules the Azure entry loads, statically or on demand, and the packages they import. */
async function loadedByEntry(): Promise<{ files: Set<string>; packages: Set<string> }> {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = async (file: string): Promise<void> => {
    if (files.has(file)) return;
    files.add(file);
    const code = await readFile(file, "utf8");
    const statics = code.matchAll(/^\s*(?:import|export)\b[^;"]*?\bfrom\s*"([^"]+)"/gm);
    const bare = code.matchAll(/^\s*import\s*"([^"]+)"/gm);
    const dynamics = code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g);
    for (const [, target] of [...statics, ...bare, ...dynamics]) {
      if (target!.startsWith(".")) await visit(resolve(dirname(file), target!));
      else if (!target!.startsWith("node:")) packages.add(target!.split("/").slice(0, target!.startsWith("@") ? 2 : 1).join("/"));
    }
  };
  await visit(join(root, "dist", "functions", "azure.js"));
  return { files, packages };
}
