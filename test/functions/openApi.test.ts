import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Validator } from "@seriousme/openapi-schema-validator";
import { httpFunctions } from "../../functions/index.js";
import {
  buildOpenApiDocument,
  documentedErrorCodes,
  openApiPath,
  routePrefix,
  serializeOpenApiDocument,
  type OpenApiDocument,
} from "../../functions/http/openApi.js";
import { problemTable } from "../../functions/http/problem.js";
import { webCtiErrorCodes, type WebCtiErrorCode } from "../../shared/errors.js";
import { call, startTestStack } from "../support/stack.js";
import type { Stack } from "../../local/stack.js";
import { projectRoot } from "../../shared/projectRoot.js";

const readText = (path: string) => readFile(join(projectRoot(), path), "utf8");

const document = buildOpenApiDocument(httpFunctions);

type Operation = {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }>; headers?: Record<string, unknown> }>;
};

function operation(path: string, method: string): Operation | undefined {
  const item = document.paths?.[path] as Record<string, Operation> | undefined;
  return item?.[method.toLowerCase()];
}

/** Every `$ref` in the document, with where it was found. */
function refs(value: unknown, at = "#"): Array<{ ref: string; at: string }> {
  if (Array.isArray(value)) return value.flatMap((v, i) => refs(v, `${at}/${i}`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, v]) =>
    key === "$ref" && typeof v === "string" ? [{ ref: v, at }] : refs(v, `${at}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`),
  );
}

function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  return ref
    .slice(2)
    .split("/")
    .map((part) => decodeURIComponent(part).replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), doc);
}

describe("the OpenAPI document", () => {
  it("is the one committed in docs/openapi.json", async () => {
    const committed = await readText("docs/openapi.json").catch(() => "");
    const message = "docs/openapi.json is out of date: run npm run openapi";
    expect(committed ? (JSON.parse(committed) as unknown) : undefined, message).toEqual(
      JSON.parse(serializeOpenApiDocument(document)) as unknown,
    );
    expect(committed, message).toBe(serializeOpenApiDocument(document));
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as unknown as Record<string, unknown>);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(document.openapi).toBe("3.1.0");
  });

  it("names the product and carries package.json's version", async () => {
    const pkg = JSON.parse(await readText("package.json")) as { version: string };
    expect(document.info).toMatchObject({ title: "WebCTI", version: pkg.version });
  });

  it("has one operation per definition, under the API route prefix", async () => {
    // host.json's prefix is "": functions/azure.ts puts `${routePrefix}/` before every API route itself.
    const hostJson = JSON.parse(await readText("host.json")) as { extensions: { http: { routePrefix: string } } };
    expect(hostJson.extensions.http.routePrefix).toBe("");
    expect(routePrefix).toBe("api");
    const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations).toHaveLength(httpFunctions.length);
    for (const definition of httpFunctions) {
      const path = `/api/${definition.route}`;
      const op = operation(path, definition.method);
      expect(op, `${definition.method} ${path}`).toBeDefined();
      expect(op?.operationId).toBe(definition.name);
      expect(op?.tags).toEqual(definition.tags);
    }
    expect(new Set(httpFunctions.map((d) => d.name)).size).toBe(httpFunctions.length);
  });

  it("names a server only when asked: served, it is relative to its own URL", () => {
    expect(document.servers).toBeUndefined();
    const hosted = buildOpenApiDocument(httpFunctions, { serverUrl: "https://webcti.example.net" });
    expect(hosted.servers).toEqual([{ url: "https://webcti.example.net" }]);
    expect(hosted.paths).toEqual(document.paths);
  });

  it("turns Azure route templates into OpenAPI path templates", () => {
    expect(openApiPath("v1/screen-pops/{popId}")).toBe("/api/v1/screen-pops/{popId}");
    expect(openApiPath("v1/items/{id:int}/{name?}")).toBe("/api/v1/items/{id}/{name}");
    expect(openApiPath("v1/files/{*rest}")).toBe("/api/v1/files/{rest}");
  });

  it("declares every path template's parameters, required, from the params schema", () => {
    for (const definition of httpFunctions) {
      const path = openApiPath(definition.route);
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const parameters = ((operation(path, definition.method) as { parameters?: Array<{ in: string; name: string; required?: boolean }> })
        ?.parameters ?? []).filter((p) => p.in === "path");
      expect(parameters.map((p) => p.name).sort(), definition.name).toEqual(names.sort());
      for (const p of parameters) expect(p.required, `${definition.name} ${p.name}`).toBe(true);
    }
  });

  it("answers every error code a definition lists, 401 on authenticated routes, as problem+json", () => {
    for (const definition of httpFunctions) {
      const op = operation(openApiPath(definition.route), definition.method)!;
      expect(Object.keys(op.responses), definition.name).toContain(String(definition.success.status));
      const codes: WebCtiErrorCode[] = [...definition.errors, ...(definition.auth === "anonymous" ? [] : ["unauthenticated" as const])];
      for (const code of [...codes, ...documentedErrorCodes(definition)]) {
        const response = op.responses[String(problemTable[code].status)];
        expect(response, `${definition.name}: ${code}`).toBeDefined();
        expect(response?.content?.["application/problem+json"]?.schema).toEqual({ $ref: "#/components/schemas/Problem" });
      }
      if (op.responses["503"]) expect(op.responses["503"].headers).toHaveProperty("Retry-After");
      const security = {
        partner: [{ partnerKey: [] }],
        agent: [{ agentSession: [] }, { agentBearer: [] }],
        integration: [{ integrationKey: [] }],
        anonymous: undefined,
      };
      expect(op.security).toEqual(security[definition.auth]);
    }
    expect(document.components?.securitySchemes).toMatchObject({
      partnerKey: { type: "http", scheme: "bearer" },
      agentSession: { type: "apiKey", in: "cookie", name: "AppServiceAuthSession" },
      agentBearer: { type: "http", scheme: "bearer" },
      integrationKey: { type: "http", scheme: "bearer" },
    });
  });

  it("resolves every $ref", () => {
    const all = refs(document);
    expect(all.length).toBeGreaterThan(0);
    for (const { ref, at } of all) expect(resolvePointer(document, ref), `${ref} at ${at}`).toBeDefined();
  });

  it("names components by the zod schemas' meta ids, requests in their input shape and responses in their output shape", () => {
    const schemas = document.components?.schemas as Record<string, { required?: string[]; additionalProperties?: unknown }>;
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(["ConversationEvent", "EventAccepted", "ScreenPop", "Problem"]));
    expect(operation("/api/v1/conversations/events", "POST")?.requestBody?.content["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/ConversationEvent",
    });
    // Defaulted fields are optional in what a partner sends...
    expect(schemas["RingingEvent"]?.required).not.toContain("channel");
    expect(schemas["DirectoryRecordInput"]?.required).toEqual(["name"]);
    // ...and present in what the API answers.
    expect(schemas["DirectoryRecord"]?.required).toEqual(expect.arrayContaining(["phones", "emails"]));
    expect(schemas["Problem"]?.required).toEqual(expect.arrayContaining(["type", "title", "status", "code"]));
  });
});

describe("docs/errors.md", () => {
  it("has a row for every error code, with its status", async () => {
    const rows = new Map(
      [...(await readText("docs/errors.md")).matchAll(/^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => [m[1], Number(m[2])]),
    );
    expect(Object.keys(problemTable).sort()).toEqual([...webCtiErrorCodes].sort());
    for (const [code, { status }] of Object.entries(problemTable)) {
      expect(rows.get(code), `docs/errors.md has no row for \`${code}\``).toBe(status);
    }
    expect([...rows.keys()].sort()).toEqual(Object.keys(problemTable).sort());
  });
});

describe("GET /api/v1/openapi.json", () => {
  let stack: Stack;
  beforeAll(async () => {
    ({ stack } = await startTestStack());
  });
  afterAll(() => stack?.close());

  it("serves the same document, anonymously", async () => {
    const res = await call<OpenApiDocument>(`${stack.apiUrl}/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body).toEqual(JSON.parse(serializeOpenApiDocument(document)));
  });
});
