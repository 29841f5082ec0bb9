import type { TestProject } from "vitest/node";
import { startAzuriteTables } from "../../local/azurite.js";

declare module "vitest" {
  export interface ProvidedContext {
    tablesConnectionString: string;
  }
}

/** One in-memory Azurite for the whole run; each test file uses its own table prefix. */
export default async function setup(project: TestProject) {
  const azurite = await startAzuriteTables();
  project.provide("tablesConnectionString", azurite.connectionString);
  return () => azurite.close();
}
