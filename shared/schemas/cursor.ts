import { z } from "zod";

/**
 * The query and answer fields of every paged list (shared/storage/cursor.ts encodes and reads the cursors).
 * Schemas only, no Node: browser code may import the schemas that use them.
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

