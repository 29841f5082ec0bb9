// Builds what the browser loads: the WebCTI browser client bundle and the reference agent desktop.
import { build } from "esbuild";
import { cp, mkdir, rm } from "node:fs/promises";
import { existsSync } from "node:fs";

const out = new URL("../dist/web/", import.meta.url);
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
if (existsSync(new URL("../web/", import.meta.url))) await cp(new URL("../web/", import.meta.url), out, { recursive: true });
const entries = { "webcti/agent": "client/agent/index.ts" };
for (const [name, entry] of Object.entries(entries)) {
  if (!existsSync(new URL(`../${entry}`, import.meta.url))) continue;
  await build({
    entryPoints: { [name]: new URL(`../${entry}`, import.meta.url).pathname },
    outdir: out.pathname,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: true,
    legalComments: "none",
  });
}
