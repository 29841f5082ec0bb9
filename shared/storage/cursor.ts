import { z } from "zod";
import type { TableEntityResult, TableEntityResultPage } from "@azure/data-tables";
import { WebCtiError } from "../errors.js";

/**
 * Lists page with opaque cursors: the caller gets `nextCursor` and sends it back as `?cursor=`; what is
 * inside (Table storage's continuation token) is ours to change. A cursor only continues the query it
 * came from: the query's filter (always the caller's tenant) still applies, so a forged one reads
 * nothing it could not read anyway.
 */
export const CursorQuery = {
  cursor: z
    .string()
    .max(4096)
    .regex(/^[A-Za-z0-9_-]+$/, "not a cursor this API returned")
    .optional()
    .describe("`nextCursor` of the previous page; omit for the first page."),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe("Largest number of items on this page."),
};

export const pageFields = {
  nextCursor: z.string().nullable().describe("Send it as `cursor` to read the next page; null on the last page."),
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(continuationToken: string | undefined): string | null {
  return continuationToken ? Buffer.from(JSON.stringify({ v: 1, t: continuationToken })).toString("base64url") : null;
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { v?: unknown; t?: unknown };
    if (decoded.v === 1 && typeof decoded.t === "string" && decoded.t.length > 0) return decoded.t;
  } catch {
    // falls through to the error below
  }
  throw new WebCtiError("invalid_request", "The cursor is not one this API returned.", {
    errors: [{ parameter: "cursor", detail: "not a cursor this API returned" }],
  });
}

/** Reads one page of a Table storage query: at most `limit` entities, and the cursor of the next page. */
export async function readPage<T extends object>(
  query: {
    byPage(settings: { maxPageSize: number; continuationToken?: string }): AsyncIterableIterator<TableEntityResultPage<T>>;
  },
  limit: number,
  cursor: string | undefined,
): Promise<Page<TableEntityResult<T>>> {
  const continuationToken = decodeCursor(cursor);
  const pages = query.byPage({ maxPageSize: limit, ...(continuationToken ? { continuationToken } : {}) });
  const first = await pages.next();
  if (first.done) return { items: [], nextCursor: null };
  return { items: [...first.value], nextCursor: encodeCursor(first.value.continuationToken) };
}
