import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { budgets, sizeOf, staticClosure, webDir } from "../../../scripts/bundleSize.mjs";

/**
 * The built /webcti/agent.js (npm test builds first): what a page loads at start stays within its gzip
 * budget (scripts/bundleSize.mjs, the same as npm run size), and the panel host (penpal and the widget
 * protocol) is a chunk loaded on demand.
 */
const entry = join(webDir, "webcti", "agent.js");

describe("agent.js bundle", () => {
  it("loads within the start-up budget, without the panel host", async () => {
    const files = [...(await staticClosure(entry))];
    expect((await sizeOf(files)).gzip).toBeLessThanOrEqual(budgets["webcti/agent.js"]);
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
