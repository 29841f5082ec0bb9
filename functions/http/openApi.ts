import { readFileSync } from "node:fs";
import {
  createDocument,
  type oas31,
  type ZodObjectInput,
  type ZodOpenApiOperationObject,
  type ZodOpenApiParameters,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from "zod-openapi";
import type { WebCtiErrorCode } from "../../shared/errors.js";
import { Problem } from "../../shared/schemas/problem.js";
import type { AnyHttpDefinition, AuthKind } from "./defineHttp.js";
import { problemTable } from "./problem.js";
import { webhookDocumentation } from "../../shared/webhooks/openApi.js";

export type OpenApiDocument = oas31.OpenAPIObject;

export interface OpenApiOptions {
  /** Adds `servers: [{ url }]`. Without it the document is relative to where it is served from. */
  serverUrl?: string;
}

/** host.json `extensions.http.routePrefix`; the test checks they agree. */
export const routePrefix = "api";

const securitySchemes = {
  partnerKey: {
    type: "http",
    scheme: "bearer",
    description: "A partner API key: `Authorization: Bearer wcti_<keyId>_<secret>`.",
  },
  agentSession: {
    type: "apiKey",
    in: "cookie",
    name: "AppServiceAuthSession",
    description: "App Service Authentication: the session cookie of the signed-in agent (Microsoft Entra ID in Azure).",
  },
} satisfies Record<string, oas31.SecuritySchemeObject>;

const securityOf: Record<AuthKind, oas31.SecurityRequirementObject[] | undefined> = {
  partner: [{ partnerKey: [] }],
  agent: [{ agentSession: [] }],
  anonymous: undefined,
};

/**
 * The OpenAPI 3.1 document of the given HTTP definitions. zod-openapi renders the zod schemas (request
 * parameters and bodies in their input shape, responses in their output shape) and turns every schema
 * with `.meta({ id })` into a `#/components/schemas/<id>` reference; this function only maps the
 * definitions onto paths, operations and responses.
 */
export function buildOpenApiDocument(definitions: readonly AnyHttpDefinition[], options: OpenApiOptions = {}): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const definition of definitions) {
    const path = openApiPath(definition.route);
    const method = definition.method.toLowerCase() as Lowercase<AnyHttpDefinition["method"]>;
    const item = (paths[path] ??= {});
    if (item[method]) throw new Error(`Two definitions for ${definition.method} ${path}: ${item[method].operationId} and ${definition.name}`);
    item[method] = operationOf(definition);
  }
  const tags = [...new Set(definitions.flatMap((d) => d.tags))].map((name) => ({ name }));
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "WebCTI",
      version: packageVersion(),
      description:
        "Partner channels (calls, chats) into the CRM agent desktop. Errors are `application/problem+json` " +
        "(RFC 9457) with a stable `code`; see docs/errors.md.",
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags,
    paths,
    webhooks: webhookDocumentation,
    components: { securitySchemes },
  });
}

/** The document as `npm run openapi` writes it to docs/openapi.json. */
export function serializeOpenApiDocument(document: OpenApiDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * "v1/screen-pops/{popId}" becomes "/api/v1/screen-pops/{popId}". Azure route constraints, optional
 * markers and catch-alls ("{id:int}", "{name?}", "{*rest}") become plain OpenAPI templates ("{id}").
 */
export function openApiPath(route: string): string {
  const template = route
    .split("/")
    .filter(Boolean)
    .map((segment) => segment.replace(/^\{\*?([A-Za-z_][A-Za-z0-9_]*)(?::[^}?]*)?\??\}$/, "{$1}"))
    .join("/");
  return `/${routePrefix}/${template}`;
}

/**
 * The error codes an operation documents: the ones its definition lists, plus the ones the HTTP edge
 * (toAzureHandler) itself can answer for it: 401 when it authenticates, 400 when it validates input,
 * 413 and 415 when it reads a body, and for every route 503 (storage, read before the handler runs) and 500.
 */
export function documentedErrorCodes(definition: AnyHttpDefinition): WebCtiErrorCode[] {
  const codes = new Set<WebCtiErrorCode>(definition.errors);
  if (definition.auth !== "anonymous") codes.add("unauthenticated");
  if (definition.params || definition.query || definition.body) codes.add("invalid_request");
  if (definition.body) {
    codes.add("payload_too_large");
    codes.add("unsupported_media_type");
  }
  codes.add("storage_unavailable");
  codes.add("internal");
  return [...codes];
}

function operationOf(definition: AnyHttpDefinition): ZodOpenApiOperationObject {
  const requestParams: ZodOpenApiParameters = {};
  // Object schemas: each property is one parameter, its description and optionality carried over.
  if (definition.params) requestParams.path = definition.params as ZodObjectInput;
  if (definition.query) requestParams.query = definition.query as ZodObjectInput;
  const security = securityOf[definition.auth];
  return {
    operationId: definition.name,
    summary: definition.summary,
    tags: definition.tags,
    ...(security ? { security } : {}),
    ...(definition.params || definition.query ? { requestParams } : {}),
    ...(definition.body
      ? { requestBody: { required: true, content: { "application/json": { schema: definition.body } } } }
      : {}),
    responses: {
      [definition.success.status]: {
        description: definition.success.description,
        content: { "application/json": { schema: definition.success.schema } },
      },
      ...errorResponses(documentedErrorCodes(definition)),
    },
  };
}

/** One response per status; codes that share a status (503) share it, each named in the description. */
function errorResponses(codes: WebCtiErrorCode[]): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, WebCtiErrorCode[]>();
  for (const code of codes) {
    const { status } = problemTable[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, shared] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers: Record<string, oas31.HeaderObject> = {};
    if (status === 503) {
      headers["Retry-After"] = { description: "Seconds to wait before retrying.", schema: { type: "integer", minimum: 0 } };
    }
    if (status === 401) {
      headers["WWW-Authenticate"] = { description: 'The challenge: `Bearer realm="webcti"`.', schema: { type: "string" } };
    }
    responses[`${status}` as `${4 | 5}${string}`] = {
      description: shared.map((code) => `${problemTable[code].title} (\`${code}\`)`).join("; "),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: { "application/problem+json": { schema: Problem } },
    };
  }
  return responses;
}

let version: string | undefined;

/**
 * package.json's version. It is looked up from this file's folder upwards, so the same code finds it from
 * the TypeScript sources (tests), from dist/ and in a deployed function app.
 */
function packageVersion(): string {
  if (version) return version;
  for (let dir = new URL("./", import.meta.url); ; dir = new URL("../", dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "webcti" && pkg.version) return (version = pkg.version);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (dir.pathname === "/") throw new Error("package.json of webcti not found above functions/http");
  }
}
