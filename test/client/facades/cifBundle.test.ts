import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { budgets, sizeOf, webDir } from "../../../scripts/bundleSize.mjs";

/**
 * The built CIF library (npm test builds first): one classic script, served as /webcti/cif/msdyn_ciLibrary.js,
 * within its gzip budget (scripts/bundleSize.mjs, as npm run size prints it).
 */
const path = "webcti/cif/msdyn_ciLibrary.js";

describe("msdyn_ciLibrary.js", () => {
  it("is one classic script within its budget", async () => {
    const file = join(webDir, path);
    const code = await readFile(file, "utf8");
    expect(code).not.toMatch(/(^|[;}\s])(import\s*[\w{*"']|export\s*[{*]|import\()/); // no module syntax, no chunks
    expect(code).toContain("CIFInitDone");
    expect(code).toContain("CIFramework");
    const budget = (budgets as Record<string, number>)[path];
    expect(budget).toBeGreaterThan(0);
    expect((await sizeOf([file])).gzip).toBeLessThanOrEqual(budget!);
  });
});
