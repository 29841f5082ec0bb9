import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder that holds host.json: the repository locally, the package root in Azure. Found by walking up
 * from this file, so it is the same whether code runs from source (tests) or from dist/ (npm start, Azure).
 */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "host.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("host.json not found above shared/projectRoot");
    dir = parent;
  }
  return dir;
}
