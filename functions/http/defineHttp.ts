import type { z } from "zod";
import type { Services } from "../../shared/services.js";
import type { PartnerPrincipal } from "../../shared/auth/partnerKeys.js";
import type { AgentIdentity } from "../../shared/auth/agentPrincipal.js";
import type { IntegrationPrincipal } from "../../shared/auth/integrationKeys.js";
import type { WebCtiErrorCode } from "../../shared/errors.js";
import type { ApiVersion } from "./version.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
/**
 * Who may call a route: a partner key, an agent (Easy Auth session, WebCTI agent token or Entra ID
 * access token), a tenant's integration key (the CRM's backend), or anyone.
 */
export type AuthKind = "partner" | "agent" | "integration" | "anonymous";

export type CallerOf<Auth extends AuthKind> = Auth extends "partner"
  ? PartnerPrincipal
  : Auth extends "agent"
    ? AgentIdentity
    : Auth extends "integration"
      ? IntegrationPrincipal
      : undefined;

/** What a handler receives, already authenticated and validated. */
export interface HandlerInput<Auth extends AuthKind, Body, Query, Params> {
  body: Body;
  query: Query;
  params: Params;
  caller: CallerOf<Auth>;
  headers: { get(name: string): string | null };
  /** The API version serving this request (`WebCTI-Version`; functions/http/version.ts). */
  version: ApiVersion;
}

/**
 * One HTTP function: its route, auth, schemas and handler. The Azure entry registers it with
 * `app.http`, the local host serves it, and the OpenAPI document is built from it.
 */
export interface HttpDefinition<
  Auth extends AuthKind = AuthKind,
  Body = unknown,
  Query = unknown,
  Params = unknown,
  Result = unknown,
> {
  name: string;
  method: HttpMethod;
  /** Azure Functions route template, without the host.json prefix: "v1/screen-pops/{popId}". */
  route: string;
  auth: Auth;
  summary: string;
  tags: string[];
  body?: z.ZodType<Body>;
  query?: z.ZodType<Query>;
  params?: z.ZodType<Params>;
  /**
   * `Idempotency-Key` handling (functions/http/toAzureHandler.ts, docs/api-conventions.md): "required"
   * refuses requests without one, "optional" honours it when sent; absent, the header is ignored.
   * Authenticated routes only: keys are kept per caller.
   */
  idempotency?: "required" | "optional";
  /** Default 64 KiB; bodies above are refused with 413 before they are parsed. */
  maxBodyBytes?: number;
  success: {
    status: 200 | 201 | 202;
    description: string;
    schema: z.ZodType<Result>;
    /** Other representations of the result (e.g. CSV), by content type: documented, produced by `render`. */
    alternatives?: Record<string, { description: string }>;
  };
  /**
   * Turns the result into another representation than JSON (e.g. chosen by a `format` parameter); return
   * undefined for JSON. Headers returned are added to the response.
   */
  render?: (result: Result, query: Query) => { contentType: string; body: string; headers?: Record<string, string> } | undefined;
  /**
   * Optimistic concurrency: the route reads `If-Match` (the handler, from `headers`) and its answer
   * carries the result's `ETag`; both are documented.
   */
  etag?: (result: Result) => string;
  /** Error codes this route documents besides the ones every route can return. */
  errors: WebCtiErrorCode[];
  handler: (input: HandlerInput<Auth, Body, Query, Params>, services: Services) => Promise<Result>;
}

export type AnyHttpDefinition = HttpDefinition<AuthKind, any, any, any, any>;

/** Identity function that makes TypeScript infer each definition's types from its schemas. */
export function defineHttp<Auth extends AuthKind, Body = undefined, Query = undefined, Params = undefined, Result = unknown>(
  definition: HttpDefinition<Auth, Body, Query, Params, Result>,
): HttpDefinition<Auth, Body, Query, Params, Result> {
  return definition;
}
