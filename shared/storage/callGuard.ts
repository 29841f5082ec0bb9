import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { WebCtiError } from "../errors.js";

/**
 * A deadline for every call to a backing service (Table storage, Web PubSub) and a fast answer while it is
 * known to be down (issue 16, item 13: with storage hung, requests used to wait 35 s).
 *
 * 1. Each call (all its SDK retries together) ends after `timeoutMs`: the guard aborts it.
 * 2. A call that got no answer (timed out, connection refused or reset) marks the service down. While it is
 *    down, calls fail at once, without a network round trip, until the next probe is due; then one call at a
 *    time goes through as the probe. An answer of any status (even 404 or 500) means the service is up.
 * 3. The wait before the next probe doubles after each failed probe, from `probeAfterMs` up to
 *    `maxProbeAfterMs`: `Retry-After` is the time left until then, so callers come back when we will try.
 */
/** Used when a config built by hand (tests) has no timeout setting; the config schema has the same default. */
export const defaultCallTimeoutMs = 8000;

export interface CallGuardOptions {
  /** What is guarded, for messages ("Table storage", "Web PubSub"). */
  service: string;
  code: "storage_unavailable" | "push_unavailable";
  timeoutMs: number;
  probeAfterMs?: number;
  maxProbeAfterMs?: number;
  now?: () => number;
}

export interface CallGuardState {
  up: boolean;
  /** When the service was first seen down (epoch ms), while it is down. */
  downSince?: number;
  /** Seconds until the next probe: the `Retry-After` a caller gets now. */
  retryAfterSeconds: number;
  lastError?: string;
}

export interface CallGuard {
  readonly policy: PipelinePolicy;
  state(): CallGuardState;
  /** Fails now, as a guarded call would, when the service is known down and no probe is due. */
  check(): void;
}

export function createCallGuard(options: CallGuardOptions): CallGuard {
  const now = options.now ?? Date.now;
  const firstWaitMs = options.probeAfterMs ?? 1000;
  const maxWaitMs = options.maxProbeAfterMs ?? 30_000;
  let downSince: number | undefined;
  let nextProbeAt = 0;
  let waitMs = firstWaitMs;
  let probing = false;
  let lastError: string | undefined;

  const retryAfterSeconds = () => Math.max(1, Math.ceil((nextProbeAt - now()) / 1000));
  const unavailable = (message: string, cause?: unknown) =>
    new WebCtiError(options.code, `${options.service} is unavailable (${message}); retry later.`, {
      retryAfterSeconds: retryAfterSeconds(),
      ...(cause === undefined ? {} : { cause }),
    });
  const markDown = (reason: string) => {
    lastError = reason;
    downSince ??= now();
    nextProbeAt = now() + waitMs;
    waitMs = Math.min(waitMs * 2, maxWaitMs);
  };
  const markUp = () => {
    downSince = undefined;
    waitMs = firstWaitMs;
    lastError = undefined;
  };
  /** Throws when down and not this call's turn to probe; true when this call is the probe. */
  const admit = (): boolean => {
    if (downSince === undefined) return false;
    if (probing || now() < nextProbeAt) throw unavailable(`down since ${new Date(downSince).toISOString()}: ${lastError}`);
    probing = true;
    return true;
  };

  const policy: PipelinePolicy = {
    name: "webctiCallGuard",
    async sendRequest(request, next) {
      const probe = admit();
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
      const caller = request.abortSignal;
      request.abortSignal = caller ? AbortSignal.any([caller as AbortSignal, deadline.signal]) : deadline.signal;
      try {
        const response = await next(request);
        markUp();
        return response;
      } catch (error) {
        if (deadline.signal.aborted && !caller?.aborted) {
          markDown(`no answer within ${options.timeoutMs} ms`);
          throw unavailable(`no answer within ${options.timeoutMs} ms`, error);
        }
        const status = (error as { statusCode?: number }).statusCode;
        if (status !== undefined) markUp(); // the service answered: an HTTP error is the caller's to handle
        else if (isNetworkError(error)) {
          markDown(String((error as { code?: string }).code ?? "network error"));
          throw unavailable(lastError!, error);
        }
        throw error;
      } finally {
        clearTimeout(timer);
        if (probe) probing = false;
      }
    },
  };
  return {
    policy,
    state: () => ({
      up: downSince === undefined,
      ...(downSince === undefined ? {} : { downSince }),
      retryAfterSeconds: downSince === undefined ? 0 : retryAfterSeconds(),
      ...(lastError ? { lastError } : {}),
    }),
    check: () => {
      if (downSince !== undefined && (probing || now() < nextProbeAt)) throw unavailable(`down since ${new Date(downSince).toISOString()}: ${lastError}`);
    },
  };
}

const networkCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "REQUEST_SEND_ERROR"]);

function isNetworkError(error: unknown): boolean {
  const e = error as { code?: string; name?: string; cause?: { code?: string } } | undefined;
  return networkCodes.has(e?.code ?? "") || networkCodes.has(e?.cause?.code ?? "");
}
