import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { httpFunctions } from "../functions/index.js";
import { buildOpenApiDocument, serializeOpenApiDocument } from "../functions/http/openApi.js";
import { projectRoot } from "../shared/projectRoot.js";

/**
 * `npm run openapi`: writes docs/openapi.json from the function table and its zod schemas. The file is
 * generated, never edited; test/functions/openApi.test.ts fails when it is out of date.
 */
const target = join(projectRoot(), "docs", "openapi.json");
const text = serializeOpenApiDocument(buildOpenApiDocument(httpFunctions));
const before = await readFile(target, "utf8").catch(() => undefined);
await mkdir(dirname(target), { recursive: true });
await writeFile(target, text);
console.log(`${relative(process.cwd(), target)}: ${before === text ? "unchanged" : "written"}`);
