import { z } from "zod";
import { RecordId, RecordType } from "./ids.js";

export const PhoneNumber = z
  .object({
    raw: z.string().describe("As it was given."),
    e164: z.string().regex(/^\+[1-9]\d{1,14}$/).describe("Normalized E.164, the key phone lookups use."),
    extension: z.string().optional().describe("Kept apart from the number: it does not identify the line."),
    label: z.string().max(40).optional(),
  })
  .meta({ id: "PhoneNumber" });
export type PhoneNumber = z.infer<typeof PhoneNumber>;

export const PhoneInput = z.union([
  z.string().min(3).max(64),
  z.object({ number: z.string().min(3).max(64), label: z.string().max(40).optional() }),
]);

/** What a partner or the seed sends for a contact or account; numbers in any format. */
export const DirectoryRecordInput = z
  .object({
    name: z.string().min(1).max(200),
    phones: z.array(PhoneInput).max(20).default([]),
    emails: z.array(z.email().max(254)).max(20).default([]),
    accountId: RecordId.optional().describe("For a contact: the account it belongs to."),
    title: z.string().max(200).optional(),
    notes: z.string().max(2000).optional(),
  })
  .meta({ id: "DirectoryRecordInput" });
export type DirectoryRecordInput = z.input<typeof DirectoryRecordInput>;

export const DirectoryRecord = z
  .object({
    type: RecordType,
    id: RecordId,
    name: z.string(),
    phones: z.array(PhoneNumber),
    emails: z.array(z.string()),
    accountId: RecordId.optional(),
    title: z.string().optional(),
    notes: z.string().optional(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "DirectoryRecord" });
export type DirectoryRecord = z.infer<typeof DirectoryRecord>;

/** A directory match as screen pops and lookups return it: enough to show and open it. */
export const RecordMatch = z
  .object({ type: RecordType, id: RecordId, name: z.string() })
  .meta({ id: "RecordMatch" });
export type RecordMatch = z.infer<typeof RecordMatch>;
