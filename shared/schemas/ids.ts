import { z } from "zod";

/**
 * Ids appear inside Table storage keys, joined with "|", so they may not contain "|", "/", "\", "#", "?"
 * or control characters. One pattern for all of them keeps the key builders simple and safe.
 */
const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$/;
const idMessage = "must be 1-128 characters: letters, digits and . _ : @ + - (starting with a letter or digit)";

function idSchema(id: string, description: string) {
  return z.string().regex(idPattern, idMessage).meta({ id, description });
}

export const TenantId = idSchema("TenantId", "A tenant (one CRM organisation).");
export type TenantId = z.infer<typeof TenantId>;
export const ProviderId = idSchema("ProviderId", "A channel provider (partner integration) configured for a tenant.");
export type ProviderId = z.infer<typeof ProviderId>;
export const AgentId = idSchema("AgentId", "An agent of the tenant.");
export type AgentId = z.infer<typeof AgentId>;
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
