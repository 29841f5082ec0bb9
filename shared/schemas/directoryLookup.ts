import { z } from "zod";
import { displayText } from "./displayText.js";
import { ConversationId, ProviderId, RecordId, TenantId } from "./ids.js";
import { Channel, Direction } from "./conversationEvent.js";
import { CrmRecordType } from "./directory.js";

/**
 * The tenant's look-up webhook (`crm.records` = `webhook`, docs/webhooks.md "customer.lookup"): what WebCTI
 * POSTs at ringing time and what it accepts back. Limits are part of the contract: an answer past them is
 * treated like no answer (the tenant's `lookupWebhook.fallback`).
 */
export const lookupTimeoutMs = 1_500;
export const maxLookupAnswerBytes = 64 * 1024;
export const maxLookupMatches = 50;

/** Who is calling, as WebCTI could read it: the number in E.164 when it parses (else as the partner sent it). */
export const LookupCustomer = z
  .object({
    phone: z.string().optional().describe("E.164 when the partner's number could be read, else as the partner sent it."),
    extension: z.string().optional(),
    email: z.string().optional(),
    customerId: RecordId.optional().describe("The partner's customer id, when it sent one."),
    name: z.string().optional(),
  })
  .meta({ id: "LookupCustomer" });
export type LookupCustomer = z.infer<typeof LookupCustomer>;

export const CustomerLookupData = z
  .object({
    tenantId: TenantId,
    providerId: ProviderId,
    conversationId: ConversationId.optional().describe("Absent for a partner's caller-id look-up (GET /v1/directory/lookup)."),
    channel: Channel.optional(),
    direction: Direction.optional(),
    customer: LookupCustomer,
  })
  .meta({ id: "CustomerLookupData" });
export type CustomerLookupData = z.infer<typeof CustomerLookupData>;

export const CustomerLookupRequest = z
  .object({ type: z.literal("customer.lookup"), timestamp: z.iso.datetime(), data: CustomerLookupData })
  .meta({ id: "CustomerLookupRequest" });

/** One record the CRM found; unknown fields are ignored. */
export const LookupAnswerMatch = z.object({
  type: CrmRecordType,
  id: RecordId,
  name: displayText({ max: 200, min: 0 }).optional(),
  phone: displayText({ max: 64, min: 0 }).optional(),
  email: displayText({ max: 254, min: 0 }).optional(),
});

export const CustomerLookupAnswer = z
  .object({ matches: z.array(LookupAnswerMatch).max(maxLookupMatches) })
  .meta({ id: "CustomerLookupAnswer", description: `At most ${maxLookupMatches} matches, ${maxLookupAnswerBytes} bytes, within ${lookupTimeoutMs} ms.` });
export type CustomerLookupAnswer = z.infer<typeof CustomerLookupAnswer>;
