import { execFile } from "node:child_process";
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../shared/projectRoot.js";

const run = promisify(execFile);
const root = projectRoot();
const pkg = join(root, "packages", "agent-client");
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function packedFiles(): Promise<string[]> {
  const { stdout } = await run("npm", ["pack", "--dry-run", "--json"], { cwd: pkg });
  const [packed] = JSON.parse(stdout) as Array<{ name: string; files: Array<{ path: string }> }>;
  expect(packed!.name).toBe("@webcti/agent-client");
  return packed!.files.map((f) => f.path);
}

/** The browser client as a CRM installs it: `import { createAgentClient } from "@webcti/agent-client"`. */
describe("@webcti/agent-client package", () => {
  it("packs the module, its on-demand chunks, its declarations and a README, with no machine paths", async () => {
    const files = await packedFiles();
    expect(files).toEqual(
      expect.arrayContaining(["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/types/client/agent/index.d.ts", "dist/types/client/protocol.d.ts"]),
    );
    expect(files.some((f) => /^dist\/chunks\/panels-.*\.js$/.test(f))).toBe(true);
    for (const file of files) expect(await readFile(join(pkg, file), "utf8"), file).not.toContain(root);
  });

  it("declares every package its types import", async () => {
    const manifest = JSON.parse(await readFile(join(pkg, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    // What a consumer's compiler loads: the declarations index.d.ts reaches, and the packages they import
    // (internal modules such as the Web PubSub connection are emitted but never reached).
    const imported = new Set<string>();
    const seen = new Set<string>();
    const visit = async (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = (await readFile(file, "utf8")).replace(/\/\*[\s\S]*?\*\//g, ""); // examples in doc comments are not imports
      for (const [, spec] of code.matchAll(/(?:from|import\()\s*"([^"]+)"/g)) {
        if (spec!.startsWith(".")) await visit(join(file, "..", spec!.replace(/\.js$/, ".d.ts")));
        else imported.add(spec!.split("/").slice(0, spec!.startsWith("@") ? 2 : 1).join("/"));
      }
    };
    await visit(join(pkg, "dist", "index.d.ts"));
    expect(seen.size).toBeGreaterThan(10);
    expect([...imported].sort()).toEqual(Object.keys(manifest.dependencies ?? {}).sort());
  });

  it("loads as an ES module with the documented exports", async () => {
    const module = (await import(pathToFileURL(join(pkg, "dist", "index.js")).href)) as Record<string, unknown>;
    expect(Object.keys(module).sort()).toEqual(["AgentApiError", "createAgentClient", "memoryStorage", "mountPanels"]);
  });

  it("type-checks a CRM's code that imports it, and rejects a wrong use", async () => {
    const dir = await mkdtemp(join(tmpdir(), "webcti-agent-consumer-"));
    dirs.push(dir);
    await mkdir(join(dir, "node_modules", "@webcti"), { recursive: true });
    await symlink(pkg, join(dir, "node_modules", "@webcti", "agent-client"), "dir");
    await writeFile(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["ES2023", "DOM"], strict: true, noEmit: true, skipLibCheck: false, types: [] } }),
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    await writeFile(
      join(dir, "ok.ts"),
      `import { createAgentClient, mountPanels, AgentApiError, type AgentAdapter, type CrmRecord } from "@webcti/agent-client";
const records: CrmRecord[] = [{ type: "lead", id: "L-1", name: "Ada", fields: { phone: "+12065550101" } }];
const adapter: AgentAdapter = {
  openRecord: (record) => console.log(record.type, record.id),
  openSearch: ({ query, results }) => console.log(query, results.length),
  openNewRecord: ({ recordType, prefill }) => console.log(recordType, prefill.phone),
  search: async ({ phone }) => records.filter((r) => r.fields?.phone === phone),
  getRecord: async ({ type, id }) => records.find((r) => r.type === type && r.id === id),
  logActivity: async (activity) => ({ id: activity.activityId ?? activity.subject }),
  recordTypes: ["lead", "contact"],
};
const getToken = async () => ({ token: "t", expiresAt: new Date().toISOString() });
const client = createAgentClient({ apiBase: "https://webcti.example.com/api", getToken, adapter });
client.on("pop", ({ pop, outcome }) => console.log(pop.target.kind, outcome));
try { await client.start(); } catch (e) { if (e instanceof AgentApiError) console.log(e.code, e.retryable); }
const host = await mountPanels({ container: document.body, adapter, apiBase: "https://webcti.example.com/api", getToken: async () => "t" });
host.panels.forEach((p) => console.log(p.providerId, p.state.mode));
export {};
`,
    );
    await run(process.execPath, [tsc, "-p", dir]);
    await writeFile(join(dir, "bad.ts"), `import { createAgentClient } from "@webcti/agent-client";\ncreateAgentClient({ adapter: { openRecord() {}, openSearch() {}, openNewRecord() {} }, getToken: () => 42 });\nexport {};\n`);
    const failed = await run(process.execPath, [tsc, "-p", dir]).then(() => "", (error: { stdout: string }) => error.stdout);
    expect(failed).toContain("bad.ts");
    expect(failed).toContain("GetToken");
  });
});
