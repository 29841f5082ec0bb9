import { z } from "zod";
import { idPattern, idRule, popSeqPattern, popSeqRule } from "./patterns.js";

/** Every id has one pattern (shared/schemas/patterns.ts): it keeps the key builders simple and safe. */
export function idSchema(id: string, description: string) {
  return z.string().regex(idPattern, idRule).meta({ id, description });
}

export const TenantId = idSchema("TenantId", "A tenant (one CRM organisation).");
export type TenantId = z.infer<typeof TenantId>;
export const ProviderId = idSchema("ProviderId", "A channel provider (partner integration) configured for a tenant.");
export type ProviderId = z.infer<typeof ProviderId>;
export const AgentId = idSchema("AgentId", "An agent of the tenant.");
export type AgentId = z.infer<typeof AgentId>;
export const PartnerUserId = idSchema("PartnerUserId", "The partner's own id of one of its users (an agent in the partner's system).");
export type PartnerUserId = z.infer<typeof PartnerUserId>;
export const ConversationId = idSchema("ConversationId", "The partner's id of one call or chat.");
export type ConversationId = z.infer<typeof ConversationId>;
export const LegId = idSchema("LegId", "The partner's id of one leg of a conversation.");
export type LegId = z.infer<typeof LegId>;
export const EventId = idSchema("EventId", "The partner's unique id of one event; retries carry the same id.");
export type EventId = z.infer<typeof EventId>;
export const RecordId = idSchema("RecordId", "The id of a contact or account in the customer directory.");
export type RecordId = z.infer<typeof RecordId>;

export const RecordType = z.enum(["contact", "account"]).meta({ id: "RecordType" });
export type RecordType = z.infer<typeof RecordType>;

export const PopSeq = z
  .string()
  .regex(popSeqPattern, popSeqRule)
  .meta({ id: "PopSeq", description: "Orders one agent's pops: a 20-digit decimal string that sorts as text." });
export type PopSeq = z.infer<typeof PopSeq>;
