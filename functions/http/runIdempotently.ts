import type { TableClient } from "@azure/data-tables";
import { WebCtiError, toWebCtiError } from "../../shared/errors.js";
import {
  releaseIdempotencyKey,
  reserveIdempotencyKey,
  storeIdempotentAnswer,
  type IdempotencyScope,
  type IdempotencyTimes,
  type RequestFingerprint,
} from "../../shared/idempotency/idempotencyStore.js";
import type { Answer, Outcome } from "./answer.js";
import { idempotencyKeyHeader, replayedHeader } from "./idempotency.js";

export interface IdempotentRequest {
  table: TableClient;
  scope: IdempotencyScope;
  key: string;
  fingerprint: RequestFingerprint;
  now: Date;
  times: IdempotencyTimes;
}

export interface IdempotencyLog {
  warn(message: string): void;
  /** A failure after the request ran: it is answered anyway. */
  failed(message: string, error: WebCtiError): void;
}

/**
 * Runs a request under its `Idempotency-Key` (docs/api-conventions.md): the key is reserved first, so a
 * concurrent retry waits (409 `idempotency_key_in_use`) and a finished one is replayed with
 * `Idempotent-Replayed: true`; a key reused for another request is refused (422). Only successes are
 * kept: a refused request changes nothing, not even the idempotency table (its key is released, and a
 * retry with it is judged again).
 */
export async function runIdempotently(request: IdempotentRequest, run: () => Promise<Outcome>, log: IdempotencyLog): Promise<Outcome> {
  const { table, scope, key, fingerprint, now, times } = request;
  const reservation = await reserveIdempotencyKey(table, scope, key, fingerprint, now, times);
  switch (reservation.outcome) {
    case "replay": {
      const { status, contentType, body } = reservation.answer;
      return { answer: { status, headers: { "content-type": contentType, [replayedHeader.toLowerCase()]: "true" }, body } };
    }
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
  const outcome = await run();
  try {
    if (outcome.error !== undefined || outcome.answer.status >= 400) {
      await releaseIdempotencyKey(table, reservation);
    } else if (!(await storeIdempotentAnswer(table, reservation, fingerprint, stored(outcome.answer), now, times))) {
      log.warn("the answer for an Idempotency-Key was not kept (too long, or the reservation was taken over)");
    }
  } catch (thrown) {
    // The request ran: answer it. The reservation stays until its lock passes, as after a crash.
    log.failed("could not finish its Idempotency-Key record", toWebCtiError(thrown));
  }
  return outcome;
}

function stored(answer: Answer) {
  return { status: answer.status, contentType: answer.headers["content-type"] ?? "application/json; charset=utf-8", body: answer.body };
}
