// The browser bundles' size budgets and how they are measured, in one place: `npm run size` prints them
// (scripts/size.mjs) and test/client/agent/bundle.test.ts holds the build to them. Sizes are minified +
// gzipped (level 9) over an entry and the chunks it imports statically: what a page loads at start.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** dist/web, where scripts/buildClient.mjs writes what browsers load. */
export const webDir = fileURLToPath(new URL("../dist/web/", import.meta.url));

/** Budgets in gzipped bytes, by path under dist/web. */
export const budgets = {
  "webcti/agent.js": 20 * 1024,
  "webcti/widget.js": 5 * 1024,
  // The Salesforce Open CTI façade (client/facades/opencti/): the widget SDK and sforce.opencti in one classic script.
  "webcti/opencti/opencti_min.js": 12 * 1024,
  // The Microsoft CIF façade (client/facades/cif/): the widget SDK and Microsoft.CIFramework in one classic script.
  "webcti/cif/msdyn_ciLibrary.js": 14 * 1024,
};

/**
 * A built file and every file it imports statically, transitively (esbuild's minified ESM:
 * `import{a as b}from"./chunks/x.js"` and `import"./chunks/y.js"`).
 * @param {string} file
 * @returns {Promise<Set<string>>}
 */
export async function staticClosure(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = await readFile(file, "utf8");
  for (const match of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w${}\s,*]+from\s*)?["'](\.[^"']+)["']/g)) {
    await staticClosure(resolve(dirname(file), match[1]), seen);
  }
  return seen;
}

/**
 * The chunks a built file imports on demand (`import("./chunks/x.js")`), as written in it.
 * @param {string} code
 * @returns {string[]}
 */
export function onDemandImports(code) {
  return [...code.matchAll(/import\(["'](\.[^"']+)["']\)/g)].map((m) => m[1]);
}

/**
 * Minified and gzipped bytes of some files, together.
 * @param {Iterable<string>} files
 * @returns {Promise<{ min: number, gzip: number }>}
 */
export async function sizeOf(files) {
  let min = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = await readFile(file);
    min += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { min, gzip };
}
