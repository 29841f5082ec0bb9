import type { TableClient, TableEntityResult } from "@azure/data-tables";
import { isEntityAlreadyExists, isNotFound, isPreconditionFailed } from "../errors.js";
import { key } from "../storage/tables.js";
import { keyPart, roomAfter } from "../storage/keyPart.js";
import { readEntity } from "../storage/readEntity.js";

/**
 * The `Idempotency-Key` records (IETF draft "The Idempotency-Key HTTP Header Field"). One row per key
 * and caller: it is first a reservation (`pending`, while the request runs), then the stored answer
 * (`done`), replayed to every retry with the same key for at least `ttlSeconds`.
 *
 * - Reserving is an insert, so of many identical requests at once exactly one wins and runs.
 * - A reservation carries `lockedUntil`, short (10 s) and pushed forward while its request runs
 *   (`renewIdempotencyReservation`): one left by a crashed instance, or whose release failed, is taken
 *   over soon after it passed, with an etag-conditional replace, so two takers cannot both win.
 * - Storing the answer and releasing a reservation are conditional on the reservation's etag: an
 *   instance whose reservation was taken over cannot overwrite the new owner's row.
 * - Expired rows are treated as absent and replaced (etag-conditional) when their key is used again.
 *   Nothing purges rows that are never used again yet.
 * - A secret is never stored: an answer that holds one (`withheld`) is kept as its status alone, and a
 *   retry learns that its request was done but gets no body (`withheld`, not `replay`).
 */

/** Whose key it is: keys of different callers never meet. */
export interface IdempotencyScope {
  tenantId: string;
  /** "provider" for partner keys, "agent" for agents, "integration" for a tenant's integration keys. */
  kind: "provider" | "agent" | "integration";
  id: string;
}

/** What makes two requests "the same request": method, target (path and query) and the body's SHA-256. */
export interface RequestFingerprint {
  method: string;
  target: string;
  bodySha256: string;
}

export interface StoredAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** What is kept of an answer that holds a secret: that the request was done, not what it answered. */
export interface WithheldAnswer {
  status: number;
  withheld: true;
}

export interface IdempotencyTimes {
  /** How long a finished answer is kept (and replayed). At least 24 h. */
  ttlSeconds: number;
  /**
   * How long a reservation holds before another instance may take it over. The running request renews it
   * every third of this, so it bounds how long a key stays "in use" after its request died or its release
   * failed, not how long a request may run.
   */
  lockSeconds: number;
}

export const defaultIdempotencyTimes: IdempotencyTimes = { ttlSeconds: 24 * 60 * 60, lockSeconds: 10 };

export type Reservation =
  | { outcome: "reserved"; partitionKey: string; etag: string }
  | { outcome: "replay"; answer: StoredAnswer }
  | { outcome: "withheld"; answeredAt: string }
  | { outcome: "in_use"; retryAfterSeconds: number }
  | { outcome: "mismatch" };

export type Reserved = Extract<Reservation, { outcome: "reserved" }>;

interface Row extends RequestFingerprint {
  state: "pending" | "done";
  lockedUntil: string;
  expiresAt: string;
  status?: number;
  contentType?: string;
  withheld?: boolean;
  bodyParts?: number;
  [bodyPart: `body${number}`]: string | undefined;
}

/** A string column holds at most 64 KiB (32 K UTF-16 units); longer bodies are kept in several columns. */
const bodyPartChars = 30_000;
/** An entity holds at most 1 MiB: answers longer than this are not kept (the key is released instead). */
export const maxStoredBodyChars = 15 * bodyPartChars;

export function idempotencyPartitionKey(scope: IdempotencyScope, idempotencyKey: string): string {
  // Percent-encoded (no / \ # ?, control characters or "|"), and shortened with a hash past 1 KiB (keyPart.ts).
  return key(scope.tenantId, scope.kind, scope.id, keyPart(idempotencyKey, roomAfter(scope.tenantId, scope.kind, scope.id)));
}

const later = (now: Date, seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

/**
 * Reserves the key for this request, or says why not: the first answer is there to replay, the key is
 * held by a request still running (`in_use`), or it was used for another request (`mismatch`).
 */
export async function reserveIdempotencyKey(
  table: TableClient,
  scope: IdempotencyScope,
  idempotencyKey: string,
  fingerprint: RequestFingerprint,
  now: Date,
  times: IdempotencyTimes = defaultIdempotencyTimes,
): Promise<Reservation> {
  const partitionKey = idempotencyPartitionKey(scope, idempotencyKey);
  const reservation = {
    partitionKey,
    rowKey: "",
    state: "pending",
    ...fingerprint,
    lockedUntil: later(now, times.lockSeconds),
    expiresAt: later(now, times.ttlSeconds),
  };
  // Each round either decides or lost a race to another request; the one after sees what that one wrote.
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      const created = await table.createEntity(reservation);
      return { outcome: "reserved", partitionKey, etag: created.etag! };
    } catch (error) {
      if (!isEntityAlreadyExists(error)) throw error;
    }
    const row = await readEntity(table, partitionKey, "", (r: TableEntityResult<Row>) => r);
    if (!row) continue; // released meanwhile: insert again
    const expired = Date.parse(row.expiresAt) <= now.getTime();
    if (!expired) {
      if (row.method !== fingerprint.method || row.target !== fingerprint.target || row.bodySha256 !== fingerprint.bodySha256) {
        return { outcome: "mismatch" };
      }
      if (row.state === "done") return row.withheld ? { outcome: "withheld", answeredAt: row.lockedUntil } : { outcome: "replay", answer: answerOf(row) };
      const lockedForMs = Date.parse(row.lockedUntil) - now.getTime();
      if (lockedForMs > 0) return { outcome: "in_use", retryAfterSeconds: Math.max(1, Math.ceil(lockedForMs / 1000)) };
    }
    // Expired, or a reservation whose instance stopped before it answered: take the row over.
    try {
      const replaced = await table.updateEntity(reservation, "Replace", { etag: row.etag });
      return { outcome: "reserved", partitionKey, etag: replaced.etag! };
    } catch (error) {
      if (!isPreconditionFailed(error) && !isNotFound(error)) throw error;
    }
  }
  return { outcome: "in_use", retryAfterSeconds: 1 };
}

/**
 * Stores the final answer in place of the reservation (of a withheld answer, only its status: no body, no
 * content type). False when it could not be kept: the answer is too long, or the reservation was taken
 * over meanwhile (its lock had passed).
 */
export async function storeIdempotentAnswer(
  table: TableClient,
  reserved: Reserved,
  fingerprint: RequestFingerprint,
  answer: StoredAnswer | WithheldAnswer,
  now: Date,
  times: IdempotencyTimes = defaultIdempotencyTimes,
): Promise<boolean> {
  if ("body" in answer && answer.body.length > maxStoredBodyChars) {
    await releaseIdempotencyKey(table, reserved);
    return false;
  }
  const content: Record<string, string | number | boolean> = "body" in answer ? { contentType: answer.contentType, ...bodyColumns(answer.body) } : { withheld: true };
  try {
    await table.updateEntity(
      {
        partitionKey: reserved.partitionKey,
        rowKey: "",
        state: "done",
        ...fingerprint,
        lockedUntil: now.toISOString(),
        expiresAt: later(now, times.ttlSeconds),
        status: answer.status,
        ...content,
      },
      "Replace",
      { etag: reserved.etag },
    );
    return true;
  } catch (error) {
    if (isPreconditionFailed(error) || isNotFound(error)) return false;
    throw error;
  }
}

/**
 * Pushes the reservation's lock forward while its request runs; returns the reservation with its new etag.
 * Throws 412 if it was taken over meanwhile (the lock had passed).
 */
export async function renewIdempotencyReservation(table: TableClient, reserved: Reserved, now: Date, times: IdempotencyTimes): Promise<Reserved> {
  const renewed = await table.updateEntity({ partitionKey: reserved.partitionKey, rowKey: "", lockedUntil: later(now, times.lockSeconds) }, "Merge", {
    etag: reserved.etag,
  });
  return { ...reserved, etag: renewed.etag! };
}

/** Deletes the reservation so a retry runs the request again (after a 5xx or another retryable error). */
export async function releaseIdempotencyKey(table: TableClient, reserved: Reserved): Promise<void> {
  try {
    await table.deleteEntity(reserved.partitionKey, "", { etag: reserved.etag });
  } catch (error) {
    if (!isPreconditionFailed(error) && !isNotFound(error)) throw error;
  }
}

/** A body in columns of at most 30 000 characters (`body0`, `body1`…) and their count. */
function bodyColumns(body: string): Record<string, string | number> {
  const parts: Record<string, string | number> = {};
  let count = 0;
  for (let at = 0; at < body.length || count === 0; at += bodyPartChars) parts[`body${count++}`] = body.slice(at, at + bodyPartChars);
  return { bodyParts: count, ...parts };
}

function answerOf(row: Row): StoredAnswer {
  let body = "";
  for (let i = 0; i < (row.bodyParts ?? 0); i++) body += row[`body${i}`] ?? "";
  return { status: Number(row.status), contentType: row.contentType ?? "application/json; charset=utf-8", body };
}
