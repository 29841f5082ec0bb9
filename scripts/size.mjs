// `npm run size`: minified + gzipped size of what a page loads for the browser client and the widget
// SDK (an entry plus the chunks it imports statically; chunks loaded on demand are listed apart), and of
// the reference desktop's own script and the chunk its supervisor dashboard loads on demand (no budget).
// The budgets and the measuring are scripts/bundleSize.mjs, which the bundle test uses too.
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { budgets, onDemandImports, sizeOf, staticClosure, webDir } from "./bundleSize.mjs";

const kb = (bytes) => (bytes / 1024).toFixed(1);
const sizes = ({ min, gzip }) => `${kb(min).padStart(6)} KB min  ${kb(gzip).padStart(5)} KB gzip`;

console.log("\nBrowser bundles (what a page loads at start)");
for (const [entry, budget] of Object.entries(budgets)) {
  const file = join(webDir, entry);
  const size = await sizeOf(await staticClosure(file));
  const lazy = onDemandImports(await readFile(file, "utf8"));
  const lazySize = await sizeOf(lazy.map((chunk) => resolve(dirname(file), chunk)));
  console.log(
    `${entry.replace(/^webcti\//, "").padEnd(10)} ${sizes(size)}  (budget ${budget / 1024} KB: ${size.gzip <= budget ? "within" : "over"})` +
      (lazy.length ? `  + ${kb(lazySize.gzip)} KB gzip loaded on first use (${lazy.length} chunk${lazy.length > 1 ? "s" : ""})` : ""),
  );
}
// The HubSpot host (client/agent/hubspot/): agent.js's panel host loads it only for a panel with widgetProtocol "hubspot".
console.log("\nagent.js's panel host loads for some panels only (no budget)");
for (const chunk of onDemandImports(await readFile(join(webDir, "webcti", "agent.js"), "utf8"))) {
  const panelHost = resolve(join(webDir, "webcti"), chunk);
  for (const hubspot of onDemandImports(await readFile(panelHost, "utf8")).filter((c) => /hubspotHost-/.test(c))) {
    console.log(`${"hubspotHost (widgetProtocol hubspot)".padEnd(37)} ${sizes(await sizeOf([resolve(dirname(panelHost), hubspot)]))}`);
  }
}

// The reference desktop: main.js (with the chunks it imports statically), then each chunk it imports on
// demand (the dashboard: its code and Chart.js), counting only what main.js did not load already.
const atStart = await staticClosure(join(webDir, "desktop", "main.js"));
console.log("\nReference desktop (no budget)");
console.log(`${"desktop/main.js".padEnd(26)} ${sizes(await sizeOf(atStart))}`);
for (const file of atStart) {
  for (const chunk of onDemandImports(await readFile(file, "utf8"))) {
    const onDemand = [...(await staticClosure(resolve(dirname(file), chunk)))].filter((f) => !atStart.has(f));
    const name = chunk.replace(/^.*\//, "").replace(/-[A-Z0-9]+\.js$/, "");
    console.log(`${`  + ${name} (on demand)`.padEnd(26)} ${sizes(await sizeOf(onDemand))}`);
  }
}
