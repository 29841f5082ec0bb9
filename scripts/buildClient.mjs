// Builds what the browser loads: the WebCTI browser client (dist/web/webcti/agent.js), a library any CRM
// page loads, and the reference agent desktop (static files from web/ plus its script, which imports
// the client from /webcti/agent.js at run time as a CRM page would).
import { build } from "esbuild";
import { cp, mkdir, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const out = root("dist/web");
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await cp(root("web"), out, { recursive: true, filter: (src) => !src.endsWith(".ts") && !src.endsWith("tsconfig.json") });

const common = { bundle: true, format: "esm", platform: "browser", target: "es2022", minify: true, sourcemap: true, legalComments: "none", logLevel: "warning" };
await build({ ...common, entryPoints: { "webcti/agent": root("client/agent/index.ts") }, outdir: out });
await build({ ...common, entryPoints: { "desktop/main": root("web/desktop/main.ts") }, outdir: out, external: ["/webcti/agent.js"] });
