import { ZodError } from "zod";
import type { ErrorItem } from "./schemas/problem.js";

/**
 * The closed list of error codes. Codes are API: partners and the browser client branch on them, so
 * renaming one is a breaking change. Messages are for people and may change.
 */
export const webCtiErrorCodes = [
  "invalid_request",
  "unauthenticated",
  "forbidden",
  "not_found",
  "method_not_allowed",
  "conflict",
  "precondition_failed",
  "idempotency_key_in_use",
  "idempotency_key_mismatch",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "storage_unavailable",
  "push_unavailable",
  "internal",
] as const;
export type WebCtiErrorCode = (typeof webCtiErrorCodes)[number];

/** One problem with one part of the input (its schema is in shared/schemas/problem.ts). */
export type { ErrorItem };

export interface WebCtiErrorOptions {
  errors?: ErrorItem[];
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** Domain code throws this; the HTTP edge alone decides which status and problem type a code becomes. */
export class WebCtiError extends Error {
  override readonly name = "WebCtiError";
  readonly code: WebCtiErrorCode;
  readonly errors: ErrorItem[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: WebCtiErrorCode, message: string, options: WebCtiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Turns zod issues into pointers a partner can follow to the offending field. */
export function errorItemsFromZod(error: ZodError, where: "body" | "parameter" = "body"): ErrorItem[] {
  return flattenUnions(error.issues, []).map(({ path, message }) =>
    where === "parameter"
      ? { parameter: path.map(String).join(".") || "(parameters)", detail: message }
      : {
          pointer: `#${path.map((p) => `/${String(p).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("")}`,
          detail: message,
        },
  );
}

/**
 * The fields that failed, with the kind of failure, for a log: never the values (zod issues and their
 * messages can echo what was read, and rows hold personal data).
 */
export function failedPaths(error: ZodError): string {
  return [...new Set(error.issues.map((issue) => `${issue.path.map(String).join(".") || "(root)"} (${issue.code})`))].join(", ");
}

type Issue = ZodError["issues"][number];

/**
 * A union that failed reports every branch's issues. The branches that rejected the `type` are not the
 * one the sender meant (a known event type fails the "other type" branch on `type`), so the issues of the
 * one remaining branch are reported, at their full path, instead of a bare "Invalid input".
 */
function flattenUnions(issues: readonly Issue[], prefix: PropertyKey[]): { path: PropertyKey[]; message: string }[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const meant = issue.errors.filter((branch) => !branch.some((i) => i.path.length === 1 && i.path[0] === "type"));
      if (meant.length === 1) return flattenUnions(meant[0]!, path);
    }
    return [{ path, message: issue.message }];
  });
}

interface RestErrorLike {
  name?: string;
  statusCode?: number;
  code?: string;
}

/**
 * Turns anything thrown into a WebCtiError. Storage and push outages become retryable 503 codes so a
 * partner's retry policy (at-least-once delivery) does the right thing; anything unknown is `internal`
 * and its message is not shown to the caller.
 */
export function toWebCtiError(error: unknown): WebCtiError {
  if (error instanceof WebCtiError) return error;
  // The edge refuses a request that does not parse with its own `invalid_request`; a ZodError that gets
  // here is data of ours (a stored row, a pushed message, a re-parse) that no longer parses.
  if (error instanceof ZodError) {
    return new WebCtiError("internal", "An unexpected error occurred.", {
      cause: new Error(`Data of the service does not parse: ${failedPaths(error)}`),
    });
  }
  const rest = error as RestErrorLike | undefined;
  if (rest && typeof rest === "object" && rest.name === "RestError") {
    const status = rest.statusCode;
    if (status === undefined || status >= 500 || status === 429 || status === 408) {
      return new WebCtiError("storage_unavailable", "A backing service is unavailable; retry later.", {
        retryAfterSeconds: 2,
        cause: error,
      });
    }
  }
  if (rest && typeof rest === "object" && ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT"].includes(rest.code ?? "")) {
    return new WebCtiError("storage_unavailable", "A backing service is unavailable; retry later.", {
      retryAfterSeconds: 2,
      cause: error,
    });
  }
  return new WebCtiError("internal", "An unexpected error occurred.", { cause: error });
}

/** True when an Azure Tables call failed because the entity already exists (insert conflict). */
export function isEntityAlreadyExists(error: unknown): boolean {
  const e = error as { statusCode?: number; details?: { odataError?: { code?: string } } } | undefined;
  return e?.statusCode === 409 || e?.details?.odataError?.code === "EntityAlreadyExists";
}

/** True when an Azure Tables call failed because the entity or table does not exist. */
export function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number } | undefined)?.statusCode === 404;
}

/** True when an optimistic-concurrency update lost the race (etag mismatch). */
export function isPreconditionFailed(error: unknown): boolean {
  return (error as { statusCode?: number } | undefined)?.statusCode === 412;
}

/**
 * What an operator is shown of an error: its name, its code where it has one, its message, and the same of
 * its causes (an `internal` error says nothing itself; its cause names the table and keys of a row that no
 * longer reads, never the row's content); cut to 500 characters.
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth += 1) {
    const code = typeof e.code === "string" || typeof e.code === "number" ? ` ${e.code}` : "";
    parts.push(`${typeof e.name === "string" ? e.name : "Error"}${code}: ${String(e.message ?? e)}`);
  }
  return parts.join("; caused by ").slice(0, 500);
}
