import { z } from "zod";
import { AgentId, ConversationId, EventId, PopSeq, ProviderId, RecordType } from "./ids.js";
import { RecordMatch } from "./directory.js";
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
