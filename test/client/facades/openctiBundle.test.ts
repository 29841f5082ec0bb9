import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { budgets, sizeOf, webDir } from "../../../scripts/bundleSize.mjs";

/**
 * The built Open CTI façade (npm test builds first): one classic script a softphone loads with a plain
 * <script src> tag (no module syntax, nothing loaded after it), within its gzip budget (scripts/bundleSize.mjs,
 * the same as npm run size).
 */
const file = join(webDir, "webcti", "opencti", "opencti_min.js");

describe("opencti_min.js bundle", () => {
  it("is one classic script that defines sforce.opencti", async () => {
    const code = await readFile(file, "utf8");
    expect(code.trimStart()).toMatch(/^(?:"use strict";)?\(\(\)=>\{/);
    expect(code).not.toMatch(/(?:^|[;}\s])(?:import|export)\s*[{*"']/);
    expect(code).not.toMatch(/import\(/);
    expect(code).toContain("sforce");
  });

  it("stays within its gzip budget", async () => {
    const budget = (budgets as Record<string, number>)["webcti/opencti/opencti_min.js"];
    expect(budget).toBeGreaterThan(0);
    expect((await sizeOf([file])).gzip).toBeLessThanOrEqual(budget!);
  });
});
