// Builds what browsers load:
//   dist/web/webcti/agent.js    the browser client a CRM page loads (its phone-number chunk loads on demand)
//   dist/web/webcti/widget.js   the widget SDK a partner's widget loads (widget.global.js: the same for a classic script tag)
//   dist/web/                   the reference agent desktop (imports /webcti/agent.js at run time; its dashboard
//                               page and Chart.js are a chunk, dist/web/desktop/chunks/, loaded on demand)
//   packages/agent-client/dist  the browser client as the npm package @webcti/agent-client (module, chunks, types)
//   dist/widgets/               the demo softphone, served from a second origin (imports /webcti/widget.js)
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const web = root("dist/web");
const widgets = root("dist/widgets");
for (const dir of [web, widgets]) {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}
const staticOnly = (src) => !src.endsWith(".ts") && !src.endsWith("tsconfig.json");
await cp(root("web"), web, { recursive: true, filter: (src) => staticOnly(src) && !src.startsWith(root("web/widgets")) });
await cp(root("web/widgets"), widgets, { recursive: true, filter: staticOnly });

const common = { bundle: true, format: "esm", platform: "browser", target: "es2022", minify: true, sourcemap: true, legalComments: "none", logLevel: "warning" };
await build({
  ...common,
  entryPoints: { agent: root("client/agent/index.ts") },
  // The Web PubSub client's browser build pulls Node polyfills; it needs three small parts of them.
  alias: { buffer: root("client/shims/buffer.ts"), events: root("client/shims/events.ts") },
  outdir: `${web}/webcti`,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
});
// The same client as the npm package @webcti/agent-client (packages/agent-client): its module with the
// panel host chunk, and its declarations (tsc, client/agent/tsconfig.declarations.json).
const agentPackage = root("packages/agent-client/dist");
await rm(agentPackage, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { index: root("client/agent/index.ts") },
  alias: { buffer: root("client/shims/buffer.ts"), events: root("client/shims/events.ts") },
  outdir: agentPackage,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
});
execFileSync(process.execPath, [root("node_modules/typescript/bin/tsc"), "-p", root("client/agent/tsconfig.declarations.json")], { stdio: "inherit" });
await writeFile(`${agentPackage}/index.d.ts`, 'export * from "./types/client/agent/index.js";\n');
await build({ ...common, entryPoints: { widget: root("client/widget/index.ts") }, outdir: `${web}/webcti` });
// The same SDK as the npm package @webcti/widget-sdk (packages/widget-sdk; declarations by tsc).
await build({ ...common, entryPoints: { widget: root("client/widget/index.ts") }, outdir: root("packages/widget-sdk/dist") });
await writeFile(root("packages/widget-sdk/dist/index.d.ts"), 'export * from "./types/widget/index.js";\n');
// The same SDK for one classic <script> tag: window.WebCtiWidget.
await build({ ...common, format: "iife", globalName: "WebCtiWidget", entryPoints: { "widget.global": root("client/widget/index.ts") }, outdir: `${web}/webcti` });
// The Salesforce Open CTI façade, one classic script defining window.sforce.opencti: webcti/opencti/opencti_min.js.
await build({ ...common, format: "iife", entryPoints: { "opencti/opencti_min": root("client/facades/opencti/index.ts") }, outdir: `${web}/webcti` });
// The Microsoft CIF façade, one classic script defining window.Microsoft.CIFramework: webcti/cif/msdyn_ciLibrary.js.
await build({ ...common, format: "iife", entryPoints: { "cif/msdyn_ciLibrary": root("client/facades/cif/index.ts") }, outdir: `${web}/webcti` });
// The desktop's pages that only some agents open (the supervisor dashboard with Chart.js) are chunks it
// loads on demand.
await build({
  ...common,
  entryPoints: { "desktop/main": root("web/desktop/main.ts") },
  outdir: web,
  external: ["/webcti/agent.js"],
  splitting: true,
  chunkNames: "desktop/chunks/[name]-[hash]",
});
await build({ ...common, entryPoints: { "softphone/main": root("web/widgets/softphone/main.ts") }, outdir: widgets, external: ["/webcti/widget.js"] });
