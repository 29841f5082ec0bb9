import { z } from "zod";
import { displayText } from "./displayText.js";
import { RecordId, RecordType, idSchema } from "./ids.js";

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
  displayText({ min: 3, max: 64 }),
  z.object({ number: displayText({ min: 3, max: 64 }), label: displayText({ max: 40, min: 0 }).optional() }),
]);

/** What a partner or the seed sends for a contact or account; numbers in any format. */
export const DirectoryRecordInput = z
  .object({
    name: displayText({ max: 200 }),
    phones: z.array(PhoneInput).max(20).default([]),
    emails: z.array(z.email().max(254)).max(20).default([]),
    accountId: RecordId.optional().describe("For a contact: the account it belongs to."),
    title: displayText({ max: 200, min: 0 }).optional(),
    notes: displayText({ max: 2000, min: 0, multiline: true }).optional(),
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

/**
 * A record type as pops, look-ups and activities name it. WebCTI's directory has `contact` and `account`
 * (its routes take only those); a tenant whose records live in its CRM (`crm.records` `host` or `webhook`)
 * uses the CRM's own types (lead, case, …), so outside the directory any id-shaped type is accepted.
 */
export const CrmRecordType = idSchema(
  "CrmRecordType",
  "A record type: `contact` or `account` in WebCTI's directory; with records in the CRM, the CRM's own (lead, case, …).",
);
export type CrmRecordType = z.infer<typeof CrmRecordType>;

/**
 * A matching record as screen pops and look-ups return it: enough to show and open it. From the directory
 * (a contact or account) or from the tenant's look-up webhook (any of the CRM's types, with what it sent).
 */
export const RecordMatch = z
  .object({
    type: CrmRecordType,
    id: RecordId,
    name: z.string().describe("The record's name; from a look-up webhook that sent none, its id."),
    phone: z.string().optional().describe("From a look-up webhook: the number the CRM shows for the record."),
    email: z.string().optional().describe("From a look-up webhook: the record's e-mail address."),
  })
  .meta({ id: "RecordMatch" });
export type RecordMatch = z.infer<typeof RecordMatch>;
