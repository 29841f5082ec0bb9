import type { TableEntityResult, TableEntityResultPage } from "@azure/data-tables";
import { WebCtiError } from "../errors.js";


/**
 * Lists page with opaque cursors: the caller gets `nextCursor` and sends it back as `?cursor=`; what is
 * inside (Table storage's continuation token) is ours to change. A cursor only continues the query it
 * came from: the query's filter (always the caller's tenant) still applies, so a forged one reads
 * nothing it could not read anyway.
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** An opaque cursor holding `value` (any position a list keeps: a continuation token, a key…). */
export function encodeOpaque(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** The position inside a cursor, if `accept` recognizes it; otherwise the `cursor` parameter is refused (400). */
export function decodeOpaque<T>(cursor: string, accept: (decoded: Record<string, unknown>) => T | undefined): T {
  let position: T | undefined;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (decoded && typeof decoded === "object") position = accept(decoded as Record<string, unknown>);
  } catch {
    // falls through to the error below
  }
  if (position !== undefined) return position;
  throw new WebCtiError("invalid_request", "The cursor is not one this API returned.", {
    errors: [{ parameter: "cursor", detail: "not a cursor this API returned" }],
  });
}

/** A cursor of a query of one partition names it (`p`): it then continues that query only. */
export function encodeCursor(continuationToken: string | undefined, partitionKey?: string): string | null {
  return continuationToken ? encodeOpaque({ v: 1, t: continuationToken, ...(partitionKey === undefined ? {} : { p: partitionKey }) }) : null;
}

export function decodeCursor(cursor: string | undefined, partitionKey?: string): string | undefined {
  if (cursor === undefined) return undefined;
  return decodeOpaque(cursor, ({ v, t, p }) =>
    v === 1 && typeof t === "string" && isContinuationToken(t) && p === partitionKey ? t : undefined,
  );
}

/**
 * Whether a text is a Table storage continuation token as the SDK writes and reads it (base64 of JSON
 * `{ nextPartitionKey, nextRowKey? }`): the SDK would throw on anything else, a 500 for a forged cursor.
 */
function isContinuationToken(token: string): boolean {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, "base64").toString("latin1"));
    if (typeof decoded !== "object" || decoded === null) return false;
    const { nextPartitionKey, nextRowKey } = decoded as Record<string, unknown>;
    return typeof nextPartitionKey === "string" && nextPartitionKey.length > 0 && (nextRowKey === undefined || typeof nextRowKey === "string");
  } catch {
    return false;
  }
}

/** Reads one page of a Table storage query: at most `limit` entities, and the cursor of the next page. */
export async function readPage<T extends object>(
  query: {
    byPage(settings: { maxPageSize: number; continuationToken?: string }): AsyncIterableIterator<TableEntityResultPage<T>>;
  },
  limit: number,
  cursor: string | undefined,
  /** The one partition the query reads, when it reads one: its cursors name it, and another's is refused. */
  partitionKey?: string,
): Promise<Page<TableEntityResult<T>>> {
  const continuationToken = decodeCursor(cursor, partitionKey);
  const pages = query.byPage({ maxPageSize: limit, ...(continuationToken ? { continuationToken } : {}) });
  const first = await pages.next();
  if (first.done) return { items: [], nextCursor: null };
  return { items: [...first.value], nextCursor: encodeCursor(first.value.continuationToken, partitionKey) };
}
