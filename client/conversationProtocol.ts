/**
 * Widget protocol 1.3 (capability "conversations"): the conversation events a widget reports for its
 * provider and hears as `conversationEvent` (client/protocol.ts). No zod: the widget SDK bundles this file;
 * test/client/protocol.test-d.ts holds each type equal to the schema it mirrors.
 */
import type { Channel, RecordType } from "./protocol.js";

export type ConversationEventType =
  | "initiated"
  | "ivr"
  | "queued"
  | "ringing"
  | "answered"
  | "held"
  | "resumed"
  | "transferred"
  | "ended"
  | "wrapUpCompleted";

/**
 * A conversation event as the partner API takes it (the `ConversationEvent` schema, docs/conversations.md):
 * the fields every event has, the type's own (transfer targets, end reason, disposition) and any of the
 * partner's own, which are stored with the event. A type WebCTI does not know is stored and ignored.
 */
export interface ConversationEventReport {
  eventId: string;
  conversationId: string;
  type: ConversationEventType | (string & {});
  /** RFC 3339 with an offset: when it happened at the partner. */
  occurredAt: string;
  legId?: string;
  parentLegId?: string;
  /** Default voice. */
  channel?: Channel;
  /** Default inbound. */
  direction?: "inbound" | "outbound";
  /** Required from `ringing` on; it must be the signed-in agent when a widget reports it. */
  agentId?: string;
  customer?: { phone?: string; email?: string; customerId?: string; name?: string };
  queue?: string;
  [field: string]: unknown;
}

/** The service stored the event (the `EventAccepted` schema); a repeat of the same event gets the same answer. */
export interface ConversationEventAccepted {
  eventId: string;
  conversationId: string;
  /** The screen pop the event caused (one per call, whichever side reported the ring first), or null. */
  screenPop: { id: string; href: string } | null;
  /** `ringing` only: the caller's records where the tenant keeps them. */
  matches?: Array<{ type: RecordType; id: string; name: string; phone?: string; email?: string }>;
}
