import { execFile } from "node:child_process";
import { mkdtemp, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../shared/projectRoot.js";

const run = promisify(execFile);
const root = projectRoot();
const pkg = join(root, "packages", "widget-sdk");
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The widget SDK as partners install it: `import { connectToHost } from "@webcti/widget-sdk"`. */
describe("@webcti/widget-sdk package", () => {
  it("packs the bundled module and its type declarations", async () => {
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json"], { cwd: pkg });
    const [packed] = JSON.parse(stdout) as Array<{ name: string; files: Array<{ path: string }> }>;
    expect(packed!.name).toBe("@webcti/widget-sdk");
    expect(packed!.files.map((f) => f.path)).toEqual(
      expect.arrayContaining(["package.json", "dist/widget.js", "dist/index.d.ts", "dist/types/widget/index.d.ts", "dist/types/protocol.d.ts"]),
    );
  });

  it("type-checks a partner's code that imports it, and rejects a wrong use", async () => {
    const dir = await mkdtemp(join(tmpdir(), "webcti-sdk-consumer-"));
    dirs.push(dir);
    await mkdir(join(dir, "node_modules", "@webcti"), { recursive: true });
    await symlink(pkg, join(dir, "node_modules", "@webcti", "widget-sdk"), "dir");
    await writeFile(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["ES2023", "DOM"], strict: true, noEmit: true, skipLibCheck: false } }),
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    await writeFile(
      join(dir, "ok.ts"),
      `import { connectToHost, WidgetError, type PanelState } from "@webcti/widget-sdk";
const host = await connectToHost({ hostOrigins: ["https://crm.example.com"] });
const state: PanelState = await host.setPanelSize(420);
host.on("clickToAct", ({ payload }) => console.log(payload.e164, payload.record?.id, state.mode));
try { await host.setPanelMode("docked"); } catch (e) { if (e instanceof WidgetError) console.log(e.code, e.correlationId); }
export {};
`,
    );
    await run(process.execPath, [tsc, "-p", dir]);
    await writeFile(join(dir, "bad.ts"), `import { connectToHost } from "@webcti/widget-sdk";\nconst host = await connectToHost({ hostOrigins: ["https://crm.example.com"] });\nawait host.setPanelMode("sideways");\nexport {};\n`);
    const failed = await run(process.execPath, [tsc, "-p", dir]).then(() => "", (error: { stdout: string }) => error.stdout);
    expect(failed).toContain("bad.ts");
    expect(failed).toContain('"sideways"');
  });
});
