import type { HttpResponseInit } from "@azure/functions";
import { WebCtiError, type WebCtiErrorCode } from "../../shared/errors.js";
import type { Problem } from "../../shared/schemas/problem.js";
import { currentVersion, versionHeader } from "./version.js";

/** The one place an error code becomes an HTTP status and a problem type (docs/errors.md lists them). */
export const problemTable: Record<WebCtiErrorCode, { status: number; title: string }> = {
  invalid_request: { status: 400, title: "Request is not valid" },
  unauthenticated: { status: 401, title: "Authentication required" },
  forbidden: { status: 403, title: "Not allowed" },
  not_found: { status: 404, title: "Not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  conflict: { status: 409, title: "Conflict" },
  precondition_failed: { status: 412, title: "Precondition failed" },
  idempotency_key_in_use: { status: 409, title: "Idempotency key in use" },
  idempotency_key_mismatch: { status: 422, title: "Idempotency key reused with another request" },
  payload_too_large: { status: 413, title: "Request body too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  rate_limited: { status: 429, title: "Too many requests" },
  storage_unavailable: { status: 503, title: "Storage unavailable" },
  push_unavailable: { status: 503, title: "Realtime push unavailable" },
  internal: { status: 500, title: "Internal error" },
};

export function problemType(code: WebCtiErrorCode): string {
  return `urn:webcti:problem:${code}`;
}

export type ProblemResponse = HttpResponseInit & { status: number; headers: Record<string, string>; body: string };

/**
 * RFC 9457 body. Internal errors say nothing about their cause: the log has it, the caller does not.
 * Every problem the product writes goes through here: the functions, the web-files and API catch-alls in
 * Azure, and the local host's own answers (no route, wrong method, body too large, a handler that threw).
 */
export function toProblemResponse(error: WebCtiError, instance: string): ProblemResponse {
  const body = problemOf(error, instance);
  const status = body.status;
  const headers: Record<string, string> = { "content-type": "application/problem+json" };
  if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.retryAfterSeconds);
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="webcti"';
  return { status, headers, body: JSON.stringify(body) };
}

/** A path nothing serves: a URL under /api that no route matches, a missing web file (Azure and local alike). */
export function notFoundResponse(path: string): ProblemResponse {
  return withApiVersion(toProblemResponse(new WebCtiError("not_found", `Nothing is served at ${path}.`), path), path);
}

/** A route that exists, but not for this method; `Allow` lists the methods it has. */
export function methodNotAllowedResponse(method: string, path: string, allow: string[]): ProblemResponse {
  const response = toProblemResponse(new WebCtiError("method_not_allowed", `${method} is not allowed on ${path}.`), path);
  response.headers.allow = allow.join(", ");
  return withApiVersion(response, path);
}

/** An answer under /api says which API version served it, as every route's does (docs/api-conventions.md). */
function withApiVersion(response: ProblemResponse, path: string): ProblemResponse {
  if (path === "/api" || path.startsWith("/api/")) response.headers[versionHeader.toLowerCase()] = currentVersion;
  return response;
}

/** The RFC 9457 body of an error: of an answer, or of one item of a batch answer (the batch itself succeeded). */
export function problemOf(error: WebCtiError, instance: string): Problem {
  const { status, title } = problemTable[error.code];
  return {
    type: problemType(error.code),
    title,
    status,
    code: error.code,
    detail: error.message,
    instance,
    ...(error.errors?.length ? { errors: error.errors } : {}),
  };
}
