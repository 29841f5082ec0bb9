import { z } from "zod";
import { RecordId, RecordType } from "./ids.js";
import { RecordMatch } from "./directory.js";

/** Directory URLs use plural collection names: /directory/contacts/{id}, /directory/accounts/{id}. */
export const RecordCollection = z.enum(["contacts", "accounts"]).meta({ id: "RecordCollection" });
export type RecordCollection = z.infer<typeof RecordCollection>;

export function recordTypeOf(collection: RecordCollection): RecordType {
  return collection === "contacts" ? "contact" : "account";
}

export const RecordPath = z.object({ collection: RecordCollection, recordId: RecordId });
export const CollectionPath = z.object({ collection: RecordCollection });

export const LookupQuery = z
  .object({
    phone: z.string().min(3).max(64).optional(),
    email: z.email().optional(),
  })
  .refine((q) => q.phone || q.email, { message: "give `phone` or `email`" });

export const LookupResult = z
  .object({
    query: z.object({ phone: z.string().optional(), e164: z.string().optional(), email: z.string().optional() }),
    matches: z.array(RecordMatch),
    source: z
      .enum(["directory", "webhook", "host", "none"])
      .describe(
        "Where the matches come from, by the tenant's `crm.records`: WebCTI's directory; the tenant's look-up webhook; `host`: the tenant's records live in its CRM page, which WebCTI cannot search (matches is empty); `none`: the look-up webhook failed and the tenant's fallback is a search (matches is empty).",
      ),
  })
  .meta({ id: "LookupResult" });
export type LookupResult = z.infer<typeof LookupResult>;

export const DeletedRecord = z
  .object({ type: RecordType, id: z.string(), deleted: z.literal(true) })
  .meta({ id: "DeletedRecord" });
