// `npm run size`: minified + gzipped size of what a page loads for the browser client and the widget
// SDK (an entry plus the chunks it imports statically; chunks loaded on demand are listed apart), and of
// the reference desktop's own script and the chunk its supervisor dashboard loads on demand (no budget).
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const dir = fileURLToPath(new URL("../dist/web/webcti/", import.meta.url));
const budgets = { "agent.js": 20 * 1024, "widget.js": 5 * 1024 };

async function staticClosure(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = await readFile(file, "utf8");
  // esbuild's minified ESM: `import{a as b}from"./chunks/x.js"` and `import"./chunks/y.js"` (static only)
  for (const match of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w${}\s,*]+from\s*)?["'](\.[^"']+)["']/g)) {
    await staticClosure(resolve(dirname(file), match[1]), seen);
  }
  return seen;
}

const lines = [];
for (const [entry, budget] of Object.entries(budgets)) {
  const files = await staticClosure(join(dir, entry));
  let min = 0;
  let gz = 0;
  for (const file of files) {
    const bytes = await readFile(file);
    min += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  const code = await readFile(join(dir, entry), "utf8");
  const lazy = [...code.matchAll(/import\(["'](\.[^"']+)["']\)/g)].map((m) => m[1]);
  let lazyGz = 0;
  for (const file of lazy) lazyGz += gzipSync(await readFile(resolve(dir, file)), { level: 9 }).length;
  lines.push(
    `${entry.padEnd(10)} ${(min / 1024).toFixed(1).padStart(6)} KB min  ${(gz / 1024).toFixed(1).padStart(5)} KB gzip  ` +
      `(budget ${budget / 1024} KB: ${gz <= budget ? "within" : "over"})` +
      (lazy.length ? `  + ${(lazyGz / 1024).toFixed(1)} KB gzip loaded on first use (${lazy.length} chunk${lazy.length > 1 ? "s" : ""})` : ""),
  );
}
console.log("\nBrowser bundles (what a page loads at start)");
for (const line of lines) console.log(line);

// The reference desktop: main.js (with the chunks it imports statically), then each chunk it imports on
// demand (the dashboard: its code and Chart.js), counting only what main.js did not load already.
const desktop = fileURLToPath(new URL("../dist/web/desktop/main.js", import.meta.url));
const sizeOf = async (files) => {
  let min = 0;
  let gz = 0;
  for (const file of files) {
    const bytes = await readFile(file);
    min += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  return `${(min / 1024).toFixed(1).padStart(6)} KB min  ${(gz / 1024).toFixed(1).padStart(5)} KB gzip`;
};
const atStart = await staticClosure(desktop);
console.log("\nReference desktop (no budget)");
console.log(`${"desktop/main.js".padEnd(26)} ${await sizeOf(atStart)}`);
for (const file of atStart) {
  const code = await readFile(file, "utf8");
  for (const [, chunk] of code.matchAll(/import\(["'](\.[^"']+)["']\)/g)) {
    const onDemand = [...(await staticClosure(resolve(dirname(file), chunk)))].filter((f) => !atStart.has(f));
    const name = chunk.replace(/^.*\//, "").replace(/-[A-Z0-9]+\.js$/, "");
    console.log(`${`  + ${name} (on demand)`.padEnd(26)} ${await sizeOf(onDemand)}`);
  }
}
