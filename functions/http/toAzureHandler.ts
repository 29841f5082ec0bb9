import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { WebCtiError, errorItemsFromZod, toWebCtiError } from "../../shared/errors.js";
import type { Services } from "../../shared/services.js";
import { authenticatePartner, type PartnerPrincipal } from "../../shared/auth/partnerKeys.js";
import { authenticateAgent, type AgentIdentity } from "../../shared/auth/agentPrincipal.js";
import { requireConfiguredAgent, requireConfiguredPartner } from "../../shared/auth/callerStanding.js";
import {
  defaultIdempotencyTimes,
  releaseIdempotencyKey,
  reserveIdempotencyKey,
  storeIdempotentAnswer,
  type IdempotencyTimes,
} from "../../shared/idempotency/idempotencyStore.js";
import type { AnyHttpDefinition } from "./defineHttp.js";
import { toProblemResponse } from "./problem.js";
import { currentVersion, requestedVersion, versionHeader } from "./version.js";
import { RateLimitedError, rateLimitHeaders, takeRateToken } from "./rateLimit.js";
import { idempotencyKeyHeader, idempotencyScope, readIdempotencyKey, replayedHeader, requestFingerprint } from "./idempotency.js";
import type { z } from "zod";
import { SpanStatusCode } from "@opentelemetry/api";
import { SpanKind, annotate, attr, requestParent, withSpan } from "../../shared/telemetry/tracing.js";

export const defaultMaxBodyBytes = 64 * 1024;

export type AzureHttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

export interface EdgeOptions {
  /** Idempotency record times (tests shorten the lock); defaults: kept 24 h, lock 60 s. */
  idempotency?: Partial<IdempotencyTimes>;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const json = "application/json; charset=utf-8";

/**
 * Makes a definition an `@azure/functions` handler. In order: read the version (`WebCTI-Version`),
 * authenticate (and check the caller's tenant and provider or agent still exist), take a rate token (partner keys), validate headers, parameters and body, then (with an
 * `Idempotency-Key`) reserve the key, run the handler, store its answer, and answer JSON or
 * problem+json. Everything before the reservation writes nothing, so bad input changes nothing and does
 * not use up the key; requests without a key cost no storage call here.
 */
export function toAzureHandler(
  definition: AnyHttpDefinition,
  getServices: () => Promise<Services>,
  options: EdgeOptions = {},
): AzureHttpHandler {
  if (definition.idempotency && definition.auth === "anonymous") {
    throw new Error(`${definition.name}: Idempotency-Key needs an authenticated caller (keys are kept per caller)`);
  }
  const times: IdempotencyTimes = { ...defaultIdempotencyTimes, ...options.idempotency };
  // One server span per request (a no-op with telemetry off); a caller's `traceparent` continues its trace.
  const spanName = `${definition.method} /api/${definition.route}`;
  const traced: AzureHttpHandler = (request, context) =>
    withSpan(
      spanName,
      { "http.request.method": definition.method, "http.route": `/api/${definition.route}`, "webcti.function": definition.name },
      async (span) => {
        const response = await handle(request, context);
        const status = response.status ?? 200;
        span.setAttribute("http.response.status_code", status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        return response;
      },
      { kind: SpanKind.SERVER, parent: requestParent(request.headers.get("traceparent"), context.traceContext?.traceParent) },
    );
  const handle: AzureHttpHandler = async (request, context) => {
    const url = new URL(request.url);
    const instance = url.pathname;
    const headers: Record<string, string> = { [versionHeader.toLowerCase()]: currentVersion };
    const log = (message: string, error: WebCtiError) => {
      if (error.code === "internal" || error.code === "storage_unavailable" || error.code === "push_unavailable") {
        context.error(`${definition.name} ${message}: ${error.code}`, error.cause ?? error);
      }
    };
    try {
      const version = requestedVersion(request.headers);
      headers[versionHeader.toLowerCase()] = version;
      const services = await getServices();
      const caller =
        definition.auth === "partner"
          ? await authenticatePartner(services, request.headers)
          : definition.auth === "agent"
            ? await authenticateAgent(services, request.headers)
            : undefined;
      // A credential whose tenant, provider or agent was removed since: 403 on every route.
      if (caller) annotate({ [attr.tenantId]: caller.tenantId });
      if (definition.auth === "agent") await requireConfiguredAgent(services, caller as AgentIdentity);
      if (definition.auth === "partner") {
        const provider = await requireConfiguredPartner(services, caller as PartnerPrincipal);
        try {
          Object.assign(headers, rateLimitHeaders(takeRateToken(services, caller as PartnerPrincipal, provider)));
        } catch (error) {
          if (error instanceof RateLimitedError) Object.assign(headers, rateLimitHeaders(error.decision));
          throw error;
        }
      }
      const idempotencyKey = definition.idempotency
        ? readIdempotencyKey(request.headers, definition.idempotency === "required")
        : undefined;
      const params = parseParameters(definition.params, request.params);
      const query = parseParameters(definition.query, Object.fromEntries(request.query.entries()));
      const bytes = definition.body
        ? await readBodyBytes(request, definition.maxBodyBytes)
        : idempotencyKey !== undefined
          ? new Uint8Array(await request.arrayBuffer())
          : undefined;
      const body = definition.body ? parseJsonBody(bytes!, definition.body) : undefined;
      const run = async (): Promise<{ answer: Answer; error?: WebCtiError }> => {
        try {
          const result = await definition.handler({ body, query, params, caller, headers: request.headers, version }, services);
          const rendered = definition.render?.(result, query);
          if (rendered) {
            return { answer: { status: definition.success.status, headers: { ...rendered.headers, "content-type": rendered.contentType }, body: rendered.body } };
          }
          return { answer: { status: definition.success.status, headers: { "content-type": json }, body: JSON.stringify(result) } };
        } catch (thrown) {
          const error = toWebCtiError(thrown);
          log("failed", error);
          annotate({ [attr.errorCode]: error.code });
          return { answer: toProblemResponse(error, instance), error };
        }
      };
      if (idempotencyKey === undefined) return withHeaders((await run()).answer, headers);

      const table = services.tables.idempotency;
      const fingerprint = requestFingerprint(request.method, url, bytes ?? new Uint8Array());
      const reservation = await reserveIdempotencyKey(table, idempotencyScope(caller!), idempotencyKey, fingerprint, services.now(), times);
      switch (reservation.outcome) {
        case "replay":
          return withHeaders(
            { status: reservation.answer.status, headers: { "content-type": reservation.answer.contentType }, body: reservation.answer.body },
            { ...headers, [replayedHeader.toLowerCase()]: "true" },
          );
        case "in_use":
          throw new WebCtiError("idempotency_key_in_use", "A request with this Idempotency-Key is still being processed; retry after Retry-After to get its answer.", {
            retryAfterSeconds: reservation.retryAfterSeconds,
            errors: [{ header: idempotencyKeyHeader, detail: "a request with this key is in progress" }],
          });
        case "mismatch":
          throw new WebCtiError("idempotency_key_mismatch", "This Idempotency-Key was already used for another request (another body or operation); use a new key for a new request.", {
            errors: [{ header: idempotencyKeyHeader, detail: "already used for a different request" }],
          });
        case "reserved":
          break;
      }
      const { answer, error } = await run();
      // Successful answers are kept and replayed. A refused request (any error) changes nothing, not even
      // this table: its key is released, and a retry with it is judged again (docs/api-conventions.md).
      const refusedOrFailed = error !== undefined || answer.status >= 400;
      try {
        if (refusedOrFailed) {
          await releaseIdempotencyKey(table, reservation);
        } else {
          const stored = { status: answer.status, contentType: answer.headers["content-type"] ?? json, body: answer.body };
          if (!(await storeIdempotentAnswer(table, reservation, fingerprint, stored, services.now(), times))) {
            context.warn(`${definition.name}: the answer for an Idempotency-Key was not kept (too long, or the reservation was taken over)`);
          }
        }
      } catch (thrown) {
        // The request ran: answer it. The reservation stays until its lock passes, as after a crash.
        log("could not finish its Idempotency-Key record", toWebCtiError(thrown));
      }
      return withHeaders(answer, headers);
    } catch (thrown) {
      const error = toWebCtiError(thrown);
      log("failed", error);
      annotate({ [attr.errorCode]: error.code });
      return withHeaders(toProblemResponse(error, instance), headers);
    }
  };
  return traced;
}

function withHeaders(answer: Answer, headers: Record<string, string>): HttpResponseInit {
  return { status: answer.status, headers: { ...answer.headers, ...headers }, body: answer.body };
}

function parseParameters<T>(schema: z.ZodType<T> | undefined, values: Record<string, string>): T {
  if (!schema) return undefined as T;
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    throw new WebCtiError("invalid_request", "A query or path parameter is not valid.", {
      errors: errorItemsFromZod(parsed.error, "parameter"),
    });
  }
  return parsed.data;
}

async function readBodyBytes(request: HttpRequest, maxBytes = defaultMaxBodyBytes): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    throw new WebCtiError("payload_too_large", `The request body is ${declared} bytes; the limit is ${maxBytes}.`);
  }
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(contentType)) {
    throw new WebCtiError("unsupported_media_type", "Send the body as JSON with `Content-Type: application/json`.");
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > maxBytes) {
    throw new WebCtiError("payload_too_large", `The request body is ${bytes.byteLength} bytes; the limit is ${maxBytes}.`);
  }
  return bytes;
}

function parseJsonBody<T>(bytes: Uint8Array, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new WebCtiError("invalid_request", `The request body is not valid JSON: ${(cause as Error).message}`, {
      errors: [{ pointer: "#", detail: "not valid JSON" }],
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new WebCtiError("invalid_request", "The request body is not valid.", { errors: errorItemsFromZod(parsed.error) });
  }
  return parsed.data;
}
