import type { TableClient } from "@azure/data-tables";
import { isEntityAlreadyExists, isNotFound, isPreconditionFailed } from "../errors.js";

/** A row as read (or only its keys when there is none yet: no etag). */
export type LeaseRow = { partitionKey: string; rowKey: string; etag?: string | undefined } & Record<string, unknown>;

export interface LeaseOptions {
  /** The column that holds the time (ISO) until which the row is held. */
  field: string;
  leaseMs: number;
  now: () => Date;
}

export interface Lease {
  /** The etag of the write that holds the row: a write conditional on it proves the lease is still ours. */
  readonly etag: string;
  /** Extends the lease; throws (412) if it was lost, expired and taken by another. */
  renew(): Promise<void>;
  /** Gives the row back (best effort: a lost lease is someone else's now), writing `extra` beside it. */
  release(extra?: Record<string, unknown>): Promise<void>;
  /**
   * Renews the lease every `everyMs` in the background until the returned stop function is called, so a
   * short lease holds through a long run and lapses soon after a holder that died (or lost its storage).
   */
  keepRenewed(everyMs: number, onError?: (error: unknown) => void): () => void;
}

/**
 * Holds a row for a while with one conditional write: the row's `field` must have passed, and the write is
 * conditional on the etag read (or an insert, when there was no row), so of two takers at most one wins
 * and the other gets undefined. A holder that crashed loses the row when its time runs out.
 */
export async function takeLease(table: TableClient, row: LeaseRow, options: LeaseOptions): Promise<Lease | undefined> {
  const { field, leaseMs, now } = options;
  const held = row[field];
  if (typeof held === "string" && Date.parse(held) > now().getTime()) return undefined;
  const keys = { partitionKey: row.partitionKey, rowKey: row.rowKey };
  const until = () => ({ ...keys, [field]: new Date(now().getTime() + leaseMs).toISOString() });
  let etag: string;
  try {
    const taken = row.etag ? await table.updateEntity(until(), "Merge", { etag: row.etag }) : await table.createEntity(until());
    etag = taken.etag!;
  } catch (error) {
    if (isPreconditionFailed(error) || isEntityAlreadyExists(error) || isNotFound(error)) return undefined; // another was quicker
    throw error;
  }
  // Renewals run one after the other: each is conditional on the etag the one before wrote.
  let last: Promise<void> = Promise.resolve();
  const renew = () => {
    const next = last.catch(() => undefined).then(async () => {
      etag = (await table.updateEntity(until(), "Merge", { etag })).etag!;
    });
    last = next;
    return next;
  };
  return {
    get etag() {
      return etag;
    },
    renew,
    async release(extra = {}) {
      await last.catch(() => undefined);
      await table.updateEntity({ ...keys, ...extra, [field]: "" }, "Merge", { etag }).catch(() => undefined);
    },
    keepRenewed(everyMs, onError) {
      const timer = setInterval(() => void renew().catch((error: unknown) => onError?.(error)), everyMs);
      timer.unref?.();
      return () => clearInterval(timer);
    },
  };
}
