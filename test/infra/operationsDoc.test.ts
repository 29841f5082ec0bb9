import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "./bicep.js";
import { httpFunctions, timerFunctions } from "../../functions/index.js";
import { usage } from "../../tools/ops.js";

/** docs/operations.md (the runbooks included) names only commands, routes and timers that exist. */
describe("docs/operations.md names what exists", async () => {
  const doc = await readFile(join(root, "docs/operations.md"), "utf8");

  it("every `npm run ops -- <command>` is a command of the operator CLI (tools/ops.ts)", () => {
    const commands = new Set([...doc.matchAll(/npm run ops -- ([a-z-]+(?: [a-z]+)?)/g)].map((m) => m[1]!));
    expect(commands.size).toBeGreaterThan(5);
    const known = usage.split("\n").map((line) => line.trim().split(/\s+--|\s{2,}/)[0]!.trim());
    const unknown = [...commands].filter((c) => c !== "--help" && !known.includes(c));
    expect(unknown).toEqual([]);
  });

  it("every `METHOD /api/...` is a route of the app with that method", () => {
    const named = [...doc.matchAll(/\b(GET|POST|PUT|PATCH|DELETE) \/api\/([^\s`?)]+)/g)].map((m) => ({ method: m[1]!, path: m[2]! }));
    expect(named.length).toBeGreaterThan(3);
    const routes = httpFunctions.map((d) => ({ method: d.method, pattern: new RegExp(`^${d.route.replace(/\{[^}]+\}/g, "[^/]+")}$`) }));
    const missing = named.filter(({ method, path }) => !routes.some((r) => r.method === method && r.pattern.test(path)));
    expect(missing).toEqual([]);
  });

  it("every timer it names is a timer function", () => {
    const timers = new Set(timerFunctions.map((t) => t.name));
    const named = [...doc.matchAll(/`(run[A-Z]\w+|purge[A-Z]\w+)`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !timers.has(name))).toEqual([]);
  });
});
