import { z } from "zod";
import { AgentId, ConversationId, LegId } from "./ids.js";
import { CustomerRef } from "./customer.js";
import { Channel, Direction, EndReason, EndedBy, LegOutcome } from "./conversationEvent.js";

/**
 * The state of a conversation as WebCTI derives it from the SET of its stored events (order of arrival
 * and duplicates do not matter). docs/conversations.md states every rule; shared/conversation/
 * conversationState.ts implements them.
 */

const timestamp = z.iso.datetime();
const at = (what: string) => timestamp.optional().describe(`First ${what} (UTC); absent until it happened.`);
const seconds = (formula: string) =>
  z.number().min(0).optional().describe(`Seconds (millisecond precision): ${formula}. Absent when a timestamp it needs is missing.`);

export const LegState = z
  .enum(["initiated", "ivr", "queued", "ringing", "connected", "held", "wrapUp", "ended"])
  .meta({
    id: "LegState",
    description:
      "initiated → ivr → queued → ringing → connected (⇄ held) → wrapUp → ended. The furthest milestone the leg's events show; an unanswered leg goes straight to ended.",
  });
export type LegState = z.infer<typeof LegState>;

export const LegDurations = z
  .object({
    ivrSeconds: seconds("ivrAt → first of queuedAt, ringingAt, answeredAt, endedAt"),
    queueSeconds: seconds("queuedAt → first of ringingAt, answeredAt, endedAt"),
    ringSeconds: seconds("ringingAt → first of answeredAt, endedAt"),
    holdSeconds: seconds("the sum of the closed hold intervals within answeredAt → endedAt; present on a connected leg"),
    holdCount: z.number().int().min(0).describe("Hold intervals (a `held` up to the next `resumed`, or to endedAt)."),
    talkSeconds: seconds("answeredAt → endedAt minus holdSeconds"),
    wrapUpSeconds: seconds("endedAt → wrapUpCompletedAt, connected legs only"),
    totalSeconds: seconds("the leg's first event → wrapUpCompletedAt, else endedAt"),
  })
  .meta({ id: "LegDurations", description: "Computed from stored timestamps only; a partner's clock skew never makes one negative (it reads 0)." });
export type LegDurations = z.infer<typeof LegDurations>;

export const LegTransfer = z
  .object({
    toLegId: LegId.optional(),
    toAgentId: AgentId.optional(),
    toQueue: z.string().optional(),
    transferType: z.enum(["blind", "consult"]).optional(),
  })
  .meta({ id: "LegTransfer", description: "Where the leg was transferred to: each field from the last `transferred` event that carries it." });
export type LegTransfer = z.infer<typeof LegTransfer>;

export const Leg = z
  .object({
    legId: LegId,
    parentLegId: LegId.optional().describe("The leg this one was transferred from."),
    state: LegState,
    outcome: LegOutcome.nullable().describe("Set once the leg's media ended (state wrapUp or ended), null before."),
    channel: Channel,
    direction: Direction,
    agentId: AgentId.optional().describe("From the last event that names an agent."),
    queue: z.string().optional(),
    endedBy: EndedBy.optional(),
    reason: EndReason.optional(),
    disposition: z.string().optional(),
    transfer: LegTransfer.optional(),
    initiatedAt: at("`initiated`"),
    ivrAt: at("`ivr`"),
    queuedAt: at("`queued`"),
    ringingAt: at("`ringing`"),
    answeredAt: at("`answered`"),
    transferredAt: at("`transferred`"),
    endedAt: timestamp
      .optional()
      .describe("When the leg's media ended: the first `ended`; without one, the first `transferred`; without either, `wrapUpCompletedAt`."),
    wrapUpCompletedAt: at("`wrapUpCompleted`"),
    firstEventAt: timestamp,
    lastEventAt: timestamp,
    durations: LegDurations,
  })
  .meta({ id: "Leg", description: "One leg of a conversation (a transfer creates a new leg)." });
export type Leg = z.infer<typeof Leg>;

export const ConversationState = z
  .enum(["active", "wrapUp", "ended"])
  .meta({ id: "ConversationState", description: "ended: every leg ended; wrapUp: every leg's media ended and some agent is still wrapping up." });
export type ConversationState = z.infer<typeof ConversationState>;

export const Conversation = z
  .object({
    conversationId: ConversationId,
    channel: Channel,
    direction: Direction,
    customer: CustomerRef.describe("Field by field, from the last event that carries each field."),
    state: ConversationState,
    outcome: LegOutcome.nullable().describe("The outcome of the leg whose media ended last; null while the conversation is active."),
    startedAt: timestamp.describe("The first event."),
    endedAt: timestamp.nullable().describe("When every leg's media has ended: the latest leg endedAt; null before."),
    lastEventAt: timestamp,
    eventCount: z.number().int().min(0).describe("Distinct events (by eventId), including ignored ones."),
    ignoredEventCount: z.number().int().min(0).describe("Events of types WebCTI does not know; stored, otherwise ignored."),
    legs: z.array(Leg).describe("In the order of their first event."),
  })
  .meta({ id: "Conversation" });
export type Conversation = z.infer<typeof Conversation>;
