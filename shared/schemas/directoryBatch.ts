import { z } from "zod";
import { RecordId, RecordType } from "./ids.js";
import { DirectoryRecord, DirectoryRecordInput } from "./directory.js";

export const maxBatchOperations = 100;

export const DirectoryBatchOperation = z
  .discriminatedUnion("op", [
    z
      .object({ op: z.literal("upsert"), type: RecordType, id: RecordId, record: DirectoryRecordInput })
      .describe("Create or replace the record, as `PUT /directory/{collection}/{recordId}` does."),
    z
      .object({ op: z.literal("delete"), type: RecordType, id: RecordId })
      .describe("Delete the record if it exists (a missing record is not an error: its result says `notFound`)."),
  ])
  .meta({ id: "DirectoryBatchOperation" });
export type DirectoryBatchOperation = z.infer<typeof DirectoryBatchOperation>;

export const DirectoryBatchInput = z
  .object({
    operations: z
      .array(DirectoryBatchOperation)
      .min(1)
      .max(maxBatchOperations)
      .describe(`Applied in order, at most ${maxBatchOperations}. The whole batch is checked before the first is applied.`),
  })
  .meta({ id: "DirectoryBatchInput" });
export type DirectoryBatchInput = z.input<typeof DirectoryBatchInput>;

export const DirectoryBatchResult = z
  .object({
    index: z.number().int().describe("The operation's position in `operations`."),
    op: z.enum(["upsert", "delete"]),
    type: RecordType,
    id: RecordId,
    status: z
      .enum(["created", "updated", "deleted", "notFound"])
      .describe("`created`/`updated` for an upsert; `deleted`, or `notFound` when there was nothing to delete."),
    record: DirectoryRecord.optional().describe("The stored record, for an upsert."),
  })
  .meta({ id: "DirectoryBatchResult" });
export type DirectoryBatchResult = z.infer<typeof DirectoryBatchResult>;

export const DirectoryBatchResponse = z
  .object({ results: z.array(DirectoryBatchResult).describe("One per operation, in the same order.") })
  .meta({ id: "DirectoryBatchResponse" });
export type DirectoryBatchResponse = z.infer<typeof DirectoryBatchResponse>;
