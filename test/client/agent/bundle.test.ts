import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

/**
 * The built /webcti/agent.js (npm test builds first): what a page loads at start stays within the 20 KB
 * gzip budget, and the panel host (penpal and the widget protocol) is a chunk loaded on demand.
 */
const entry = fileURLToPath(new URL("../../../dist/web/webcti/agent.js", import.meta.url));

async function staticClosure(file: string, seen = new Set<string>()): Promise<Set<string>> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = await readFile(file, "utf8");
  for (const match of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w${}\s,*]+from\s*)?["'](\.[^"']+)["']/g)) {
    await staticClosure(resolve(dirname(file), match[1]!), seen);
  }
  return seen;
}

describe("agent.js bundle", () => {
  it("loads within the start-up budget, without the panel host", async () => {
    const files = [...(await staticClosure(entry))];
    let gzip = 0;
    for (const file of files) gzip += gzipSync(await readFile(file), { level: 9 }).length;
    expect(gzip).toBeLessThanOrEqual(20 * 1024);
    for (const file of files) {
      const code = await readFile(file, "utf8");
      expect(code, file).not.toContain("penpal");
      expect(code, file).not.toContain("webcti-panel-launcher");
    }
  });

  it("still exports mountPanels, which loads the panel host chunk on demand", async () => {
    const code = await readFile(entry, "utf8");
    expect(code).toMatch(/export\s*\{[^}]*\bmountPanels\b/);
    const lazy = [...code.matchAll(/import\(["'](\.\/chunks\/panels-[^"']+)["']\)/g)].map((m) => m[1]!);
    expect(lazy).toHaveLength(1);
    const chunk = await readFile(resolve(dirname(entry), lazy[0]!), "utf8");
    expect(chunk).toContain("webcti-panel-launcher");
    expect(chunk).toContain("penpal");
  });
});
