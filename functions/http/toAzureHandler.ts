import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { SpanStatusCode } from "@opentelemetry/api";
import { toWebCtiError, type WebCtiError } from "../../shared/errors.js";
import type { Services } from "../../shared/services.js";
import { defaultIdempotencyTimes, type IdempotencyTimes } from "../../shared/idempotency/idempotencyStore.js";
import { SpanKind, annotate, attr, requestParent, withSpan } from "../../shared/telemetry/tracing.js";
import type { AnyHttpDefinition } from "./defineHttp.js";
import { toProblemResponse } from "./problem.js";
import { currentVersion, requestedVersion, versionHeader } from "./version.js";
import { idempotencyScope, readIdempotencyKey, requestFingerprint } from "./idempotency.js";
import { authenticateCaller, type Caller } from "./authenticateCaller.js";
import { corsHeaders } from "./cors.js";
import { readInput } from "./readInput.js";
import { runAndRender, withHeaders, type Outcome } from "./answer.js";
import { runIdempotently } from "./runIdempotently.js";

export { defaultMaxBodyBytes } from "./readInput.js";

export type AzureHttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

export interface EdgeOptions {
  /** Idempotency record times (tests shorten the lock); defaults: kept 24 h, lock 10 s (renewed while the request runs). */
  idempotency?: Partial<IdempotencyTimes>;
}

/** Codes that are the service's fault (or its backing services'): logged with their cause. */
const logged = new Set(["internal", "storage_unavailable", "push_unavailable"]);

/**
 * Makes a definition an `@azure/functions` handler. In order: read the version (`WebCTI-Version`),
 * authenticate (the caller's tenant and provider or agent must still exist; partner keys take a rate
 * token), validate headers, parameters and body, then run the handler, under its `Idempotency-Key` when
 * one is sent, and answer JSON or problem+json. Everything before the key's reservation writes nothing,
 * so bad input changes nothing and does not use up the key; requests without a key cost no storage call
 * here.
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
  const route = `/api/${definition.route}`;

  const handle: AzureHttpHandler = async (request, context) => {
    let services: Services | undefined;
    let caller: Caller;
    const response = await answer(request, context, (s, c) => ((services = s), (caller = c)));
    // Agent routes answer CORS for the tenants' CRM origins (functions/http/cors.ts).
    if (definition.auth !== "agent" || !services) return response;
    const cors = await corsHeaders(services, request, caller?.tenantId).catch(() => ({}));
    return { ...response, headers: { ...(response.headers as Record<string, string>), ...cors } };
  };

  const answer = async (
    request: HttpRequest,
    context: InvocationContext,
    known: (services: Services, caller: Caller) => void,
  ): Promise<HttpResponseInit> => {
    const url = new URL(request.url);
    const instance = url.pathname;
    const headers: Record<string, string> = { [versionHeader.toLowerCase()]: currentVersion };
    const fail = (message: string, error: WebCtiError) => {
      if (logged.has(error.code)) context.error(`${definition.name} ${message}: ${error.code} ${error.message}`, error.cause ?? error);
      annotate({ [attr.errorCode]: error.code });
    };
    try {
      const version = requestedVersion(request.headers);
      headers[versionHeader.toLowerCase()] = version;
      const services = await getServices();
      known(services, undefined);
      const caller = await authenticateCaller(definition.auth, services, request, headers);
      known(services, caller);
      const key = definition.idempotency ? readIdempotencyKey(request.headers, definition.idempotency === "required") : undefined;
      const input = await readInput(definition, request, key !== undefined);
      const run = async (): Promise<Outcome> => {
        const outcome = await runAndRender(definition, { services, caller, input, headers: request.headers, version, instance });
        if (outcome.error) fail("failed", outcome.error);
        return outcome;
      };
      if (key === undefined) return withHeaders((await run()).answer, headers);
      const idempotent = {
        table: services.tables.idempotency,
        scope: idempotencyScope(caller!),
        key,
        fingerprint: requestFingerprint(request.method, url, input.bytes ?? new Uint8Array()),
        now: services.now(),
        times,
        clock: services.now,
      };
      const log = { warn: (message: string) => context.warn(`${definition.name}: ${message}`), failed: fail };
      return withHeaders((await runIdempotently(idempotent, run, log)).answer, headers);
    } catch (thrown) {
      const error = toWebCtiError(thrown);
      fail("failed", error);
      return withHeaders(toProblemResponse(error, instance), headers);
    }
  };

  // One server span per request (a no-op with telemetry off); a caller's `traceparent` continues its trace.
  return (request, context) =>
    withSpan(
      `${definition.method} ${route}`,
      { "http.request.method": definition.method, "http.route": route, "webcti.function": definition.name },
      async (span) => {
        const response = await handle(request, context);
        const status = response.status ?? 200;
        span.setAttribute("http.response.status_code", status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        return response;
      },
      { kind: SpanKind.SERVER, parent: requestParent(request.headers.get("traceparent"), context.traceContext?.traceParent) },
    );
}
