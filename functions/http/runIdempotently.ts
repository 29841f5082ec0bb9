import type { TableClient } from "@azure/data-tables";
import { WebCtiError, toWebCtiError } from "../../shared/errors.js";
import {
  releaseIdempotencyKey,
  renewIdempotencyReservation,
  reserveIdempotencyKey,
  storeIdempotentAnswer,
  type IdempotencyScope,
  type IdempotencyTimes,
  type RequestFingerprint,
  type Reserved,
  type StoredAnswer,
  type WithheldAnswer,
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
  /** The clock for renewing the reservation while the request runs (default: the wall clock). */
  clock?: () => Date;
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
 * retry with it is judged again). A success that holds a secret (`Cache-Control: no-store`, e.g. a
 * rotated webhook secret) is kept without its body: a retry gets 409 `conflict`, never the secret again.
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
    case "withheld":
      throw new WebCtiError(
        "conflict",
        `The request with this ${idempotencyKeyHeader} was done (at ${reservation.answeredAt}), but its answer held a secret, which is shown once and never stored, so it cannot be replayed; nothing ran again. For a new secret, send the request again with a new ${idempotencyKeyHeader}.`,
        { errors: [{ header: idempotencyKeyHeader, detail: "its request was done; its answer held a secret, shown once and not replayed" }] },
      );
    case "mismatch":
      throw new WebCtiError("idempotency_key_mismatch", "This Idempotency-Key was already used for another request (another body or operation); use a new key for a new request.", {
        errors: [{ header: idempotencyKeyHeader, detail: "already used for a different request" }],
      });
    case "reserved":
      break;
  }
  // The lock is short (10 s): it is pushed forward while the request runs, so it lapses soon after a
  // request that died, or whose release failed (docs/api-conventions.md, "Idempotency-Key").
  const clock = request.clock ?? (() => new Date());
  let held: Reserved = reservation;
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renewing
      .then(async () => void (held = await renewIdempotencyReservation(table, held, clock(), times)))
      .catch(() => undefined); // lost or storage down: store/release below find out
  }, (times.lockSeconds * 1000) / 3);
  let outcome: Outcome;
  try {
    outcome = await run();
  } finally {
    clearInterval(timer);
    await renewing;
  }
  try {
    if (outcome.error !== undefined || outcome.answer.status >= 400) {
      await releaseIdempotencyKey(table, held);
    } else if (!(await storeIdempotentAnswer(table, held, fingerprint, stored(outcome.answer), now, times))) {
      log.warn("the answer for an Idempotency-Key was not kept (too long, or the reservation was taken over)");
    }
  } catch (thrown) {
    // The request ran: answer it. A failed release is tried again in the background until the lock passes.
    log.failed("could not finish its Idempotency-Key record", toWebCtiError(thrown));
    if (outcome.error !== undefined || outcome.answer.status >= 400) retryRelease(table, held, times);
  }
  return outcome;
}

/**
 * Tries a failed release again each second, until it works or the lock has passed anyway: a retry of the
 * request then finds the key free as soon as storage answers again, not only when the lock runs out.
 */
function retryRelease(table: TableClient, reserved: Reserved, times: IdempotencyTimes): void {
  const giveUpAt = Date.now() + times.lockSeconds * 1000;
  const attempt = () => {
    if (Date.now() > giveUpAt) return;
    releaseIdempotencyKey(table, reserved).catch(() => setTimeout(attempt, 1000).unref());
  };
  setTimeout(attempt, 1000).unref();
}

/** What is kept of a success: all of it, or only its status when it must not be stored (a secret). */
function stored(answer: Answer): StoredAnswer | WithheldAnswer {
  if (/(^|,)\s*no-store\s*(,|$)/i.test(answer.headers["cache-control"] ?? "")) return { status: answer.status, withheld: true };
  return { status: answer.status, contentType: answer.headers["content-type"] ?? "application/json; charset=utf-8", body: answer.body };
}
