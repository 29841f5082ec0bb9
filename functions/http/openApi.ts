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
import { z } from "zod";
import { supportedVersions, versionHeader } from "./version.js";
import { idempotencyKeyHeader, replayedHeader } from "./idempotency.js";
import { webhookDocumentation } from "../../shared/webhooks/openApi.js";

export type OpenApiDocument = oas31.OpenAPIObject;

export interface OpenApiOptions {
  /** Adds `servers: [{ url }]`. Without it the document is relative to where it is served from. */
  serverUrl?: string;
}

/** Prefix of every API route (functions/azure.ts adds it; host.json's own routePrefix is "" so web files sit at the root). */
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
  agentBearer: {
    type: "http",
    scheme: "bearer",
    description:
      "An agent token minted by the CRM's backend (`POST /api/v1/integration/agent-tokens`), or a Microsoft Entra ID access " +
      "token for WebCTI's API from the authority in the tenant's CRM settings (`entra`).",
  },
  integrationKey: {
    type: "http",
    scheme: "bearer",
    description: "A tenant's integration key (the CRM's backend): `Authorization: Bearer wcik_<keyId>_<secret>`.",
  },
} satisfies Record<string, oas31.SecuritySchemeObject>;

/** Request headers the HTTP edge reads (functions/http/toAzureHandler.ts); docs/api-conventions.md explains them. */
const versionParameter = z
  .enum(supportedVersions)
  .optional()
  .meta({
    param: {
      id: versionHeader,
      description: "The API version to serve (a date). Omitted: the newest. An unknown one is refused with 400.",
    },
  });

const idempotencyKeyDescription =
  'A unique value per request (1–255 characters, a structured-field string `"…"` or a bare token), the same on its retries: ' +
  "a retry gets the first answer again (`Idempotent-Replayed: true`) and runs nothing. Kept 24 hours per caller.";
const idempotencyKeySchema = z.string().min(1).max(257).meta({ examples: ['"8e03978e-40d5-43e8-bc93-6894a57f9324"'] });
const idempotencyKeyParameter = {
  required: idempotencyKeySchema.meta({ param: { description: idempotencyKeyDescription } }),
  optional: idempotencyKeySchema.optional().meta({ param: { description: idempotencyKeyDescription } }),
};

const ifMatchParameter = z
  .string()
  .min(1)
  .optional()
  .meta({
    param: {
      description:
        "Apply only if the resource is still at one of these entity tags (the `ETag` of an earlier answer; `*`: any version). Otherwise 412 `precondition_failed` and nothing changes. Omitted: the last writer wins.",
    },
  });

/** Response headers, as components: every answer carries the first; the others where they apply. */
const responseHeaders = {
  [versionHeader]: {
    description: "The API version that served the request.",
    schema: { type: "string", enum: [...supportedVersions] },
  },
  [replayedHeader]: {
    description: "`true` on the stored answer to an earlier request with the same `Idempotency-Key` (only successes are kept and replayed).",
    schema: { type: "string", enum: ["true"] },
  },
  RateLimit: {
    description: 'What is left of the caller\'s quota: `"<policy>";r=<requests left>;t=<seconds until full>`, the policy `partner-key`, `integration-key` or `agent` (IETF draft-ietf-httpapi-ratelimit-headers).',
    schema: { type: "string" },
  },
  ETag: {
    description: "The resource's entity tag (a strong, quoted tag of its content): send it as `If-Match` to change it only if no one changed it since.",
    schema: { type: "string" },
  },
  "RateLimit-Policy": {
    description: 'The caller\'s quota: `"<policy>";q=<burst>;w=<seconds to refill it>`, the policy `partner-key`, `integration-key` or `agent`. Per function instance.',
    schema: { type: "string" },
  },
} satisfies Record<string, oas31.HeaderObject>;

const headerRef = (name: keyof typeof responseHeaders): oas31.ReferenceObject => ({ $ref: `#/components/headers/${name}` });

const securityOf: Record<AuthKind, oas31.SecurityRequirementObject[] | undefined> = {
  partner: [{ partnerKey: [] }],
  agent: [{ agentSession: [] }, { agentBearer: [] }],
  integration: [{ integrationKey: [] }],
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
    components: { securitySchemes, headers: responseHeaders },
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
 * (toAzureHandler) itself can answer for it: 401 and 403 when it authenticates, 400 for an unknown version or
 * input that is not valid, 429 on every authenticated route, 409 and 422 with an `Idempotency-Key`, 413 and 415
 * when it reads a body, and for every route 503 (storage, read before the handler runs) and 500.
 */
export function documentedErrorCodes(definition: AnyHttpDefinition): WebCtiErrorCode[] {
  const codes = new Set<WebCtiErrorCode>(definition.errors);
  if (definition.auth !== "anonymous") {
    codes.add("unauthenticated");
    // The caller's tenant, provider or agent was removed since the key was issued or the user signed in.
    codes.add("forbidden");
  }
  // Every route reads WebCTI-Version (an unknown one is a 400).
  codes.add("invalid_request");
  if (rateLimited(definition)) codes.add("rate_limited");
  if (definition.idempotency) {
    codes.add("idempotency_key_in_use");
    codes.add("idempotency_key_mismatch");
    // The body is read (and bounded) under a key even where the route takes none.
    codes.add("payload_too_large");
  }
  if (definition.body) {
    codes.add("payload_too_large");
    codes.add("unsupported_media_type");
  }
  codes.add("storage_unavailable");
  codes.add("internal");
  return [...codes];
}

/** Partner keys, integration keys and signed-in agents take a rate token (functions/http/rateLimit.ts). */
function rateLimited(definition: AnyHttpDefinition): boolean {
  return definition.auth !== "anonymous";
}

function operationOf(definition: AnyHttpDefinition): ZodOpenApiOperationObject {
  const requestParams: ZodOpenApiParameters = {};
  // Object schemas: each property is one parameter, its description and optionality carried over.
  if (definition.params) requestParams.path = definition.params as ZodObjectInput;
  if (definition.query) requestParams.query = definition.query as ZodObjectInput;
  const header: Record<string, z.ZodType> = {};
  if (definition.idempotency) {
    header[idempotencyKeyHeader] = idempotencyKeyParameter[definition.idempotency];
  }
  if (definition.etag) header["If-Match"] = ifMatchParameter;
  if (definition.route.startsWith("v1/")) header[versionHeader] = versionParameter;
  if (Object.keys(header).length > 0) requestParams.header = z.object(header);
  const successHeaders: Record<string, oas31.ReferenceObject> = { [versionHeader]: headerRef(versionHeader) };
  if (rateLimited(definition)) Object.assign(successHeaders, rateLimitHeaderRefs());
  if (definition.idempotency) successHeaders[replayedHeader] = headerRef(replayedHeader);
  if (definition.etag) successHeaders.ETag = headerRef("ETag");
  const security = securityOf[definition.auth];
  return {
    operationId: definition.name,
    summary: definition.summary,
    tags: definition.tags,
    ...(security ? { security } : {}),
    ...(Object.keys(requestParams).length > 0 ? { requestParams } : {}),
    ...(definition.body
      ? { requestBody: { required: true, content: { "application/json": { schema: definition.body } } } }
      : {}),
    responses: {
      [definition.success.status]: {
        description: definition.success.description,
        headers: successHeaders,
        content: {
          "application/json": { schema: definition.success.schema },
          ...Object.fromEntries(
            Object.entries(definition.success.alternatives ?? {}).map(([type, { description }]) => [type, { schema: { type: "string", description } }]),
          ),
        },
      },
      ...errorResponses(documentedErrorCodes(definition), definition),
    },
  };
}

/** One response per status; codes that share a status (503) share it, each named in the description. */
function errorResponses(codes: WebCtiErrorCode[], definition: AnyHttpDefinition): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, WebCtiErrorCode[]>();
  for (const code of codes) {
    const { status } = problemTable[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, shared] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers: Record<string, oas31.HeaderObject | oas31.ReferenceObject> = { [versionHeader]: headerRef(versionHeader) };
    if (rateLimited(definition) && status !== 401) Object.assign(headers, rateLimitHeaderRefs());
    if (status === 503 || status === 429) {
      headers["Retry-After"] = { description: "Seconds to wait before retrying.", schema: { type: "integer", minimum: 0 } };
    }
    if (status === 409 && shared.includes("idempotency_key_in_use")) {
      headers["Retry-After"] = {
        description: "With `idempotency_key_in_use`: seconds to wait before retrying (then the first request's answer is replayed).",
        schema: { type: "integer", minimum: 1 },
      };
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

function rateLimitHeaderRefs(): Record<string, oas31.ReferenceObject> {
  return { RateLimit: headerRef("RateLimit"), "RateLimit-Policy": headerRef("RateLimit-Policy") };
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
