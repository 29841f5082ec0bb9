import { z } from "zod";
import { AgentId, ConversationId, EventId, PopSeq, ProviderId, RecordId, RecordType } from "./ids.js";
import { CrmRecordType, RecordMatch } from "./directory.js";
import { displayText } from "./displayText.js";
import { Channel, Direction } from "./conversationEvent.js";
import { LookupCustomer } from "./directoryLookup.js";
import { ScreenPopPolicy } from "./screenPopPolicy.js";

/**
 * What the agent's browser opens: one record, a search page, or a prefilled new-record form; or, when the
 * tenant's records live in the CRM page (`crm.records` = `host`), `lookup`: the caller's identifiers and the
 * provider's policy, which the browser client applies to what the page's adapter finds (docs/push-protocol.md).
 */
export const PopTarget = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("record"), record: RecordMatch }),
    z.object({ kind: z.literal("search"), query: z.string(), results: z.array(RecordMatch) }),
    z.object({
      kind: z.literal("newRecord"),
      recordType: RecordType,
      prefill: z.object({
        name: z.string().optional(),
        phone: z.string().optional(),
        extension: z.string().optional(),
        email: z.string().optional(),
      }),
    }),
    z.object({
      kind: z.literal("lookup"),
      customer: LookupCustomer,
      policy: ScreenPopPolicy.pick({ onOneMatch: true, onManyMatches: true, onNoMatch: true }),
    }),
  ])
  .meta({ id: "PopTarget" });
export type PopTarget = z.infer<typeof PopTarget>;

export const PopStatus = z.enum(["queued", "delivered", "expired"]).meta({ id: "PopStatus" });
export type PopStatus = z.infer<typeof PopStatus>;

/**
 * A screen pop. `seq` orders one agent's pops (it is a 20-digit decimal string that sorts as text);
 * the browser client asks for pops after the last `seq` it handled to catch up after a reconnect.
 */
export const ScreenPop = z
  .object({
    id: z.string(),
    seq: PopSeq,
    agentId: AgentId,
    providerId: ProviderId,
    conversationId: ConversationId,
    eventId: EventId,
    channel: Channel,
    direction: Direction,
    trigger: z.enum(["ringing", "answered", "manual"]),
    target: PopTarget,
    status: PopStatus,
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    deliveredAt: z.iso.datetime().optional(),
  })
  .meta({ id: "ScreenPop" });
export type ScreenPop = z.infer<typeof ScreenPop>;

export const ScreenPopList = z.object({ pops: z.array(ScreenPop) }).meta({ id: "ScreenPopList" });
export type ScreenPopList = z.infer<typeof ScreenPopList>;

/** What a manual pop opens (`POST /v1/screen-pops`): a record, a search, or a new-record form. */
export const ManualPopTarget = z
  .discriminatedUnion("kind", [
    z.strictObject({
      kind: z.literal("record"),
      record: z.strictObject({
        type: CrmRecordType,
        id: RecordId,
        name: displayText({ max: 200 }).optional().describe("Shown until the page opens it; a directory record's own name is used when it has one."),
      }),
    }),
    z.strictObject({ kind: z.literal("search"), query: displayText({ max: 200 }).describe("A phone number, an e-mail address or a name, as the page searches it.") }),
    z.strictObject({
      kind: z.literal("newRecord"),
      recordType: RecordType,
      prefill: z
        .strictObject({ name: displayText({ max: 200 }).optional(), phone: displayText({ max: 64 }).optional(), email: z.email().max(254).optional() })
        .default({}),
    }),
  ])
  .meta({ id: "ManualPopTarget" });

export const ManualScreenPopInput = z
  .strictObject({
    agentId: AgentId.describe("The agent whose desktop opens it (or the provider's own id of the agent)."),
    conversationId: ConversationId.describe("The call or chat it is about (the agent's session for it opens or comes to the front)."),
    target: ManualPopTarget,
    channel: Channel.default("voice"),
    direction: Direction.default("inbound"),
  })
  .meta({ id: "ManualScreenPopInput", description: "Open something in an agent's desktop now (Zendesk's 'display in agent's browser')." });
export type ManualScreenPopInput = z.infer<typeof ManualScreenPopInput>;
