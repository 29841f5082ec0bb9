import { describe, expect, it } from "vitest";
import { bicepFiles, parseBicep, syntaxProblems } from "./bicep.js";

// No Bicep compiler can run here; tree-sitter-bicep's grammar catches syntax slips (not types or API versions).
describe("the Bicep templates", async () => {
  const files = await bicepFiles();

  it("are there: main.bicep and its modules", () => {
    expect(files).toContain("infra/main.bicep");
    expect(files.filter((f) => f.startsWith("infra/modules/")).length).toBeGreaterThan(0);
  });

  it.each(files)("%s parses without ERROR or MISSING nodes", async (file) => {
    const tree = await parseBicep(file);
    expect(syntaxProblems(tree)).toEqual([]);
  });

  it("the check itself sees a broken template", async () => {
    const { bicepParser } = await import("./bicep.js");
    const tree = (await bicepParser()).parse("resource x 'Microsoft.Web/sites@2024-04-01' = {\n  name: \n}}\n")!;
    expect(syntaxProblems(tree).length).toBeGreaterThan(0);
  });
});
