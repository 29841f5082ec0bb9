import { z } from "zod";
import { displayText } from "./displayText.js";
import { AgentId, ConversationId, EventId, LegId, ProviderId } from "./ids.js";
import { CustomerRef } from "./customer.js";
import { RecordMatch } from "./directory.js";
import { Problem } from "./problem.js";
import { channels } from "./channels.js";

export const Channel = z.enum(channels).meta({ id: "Channel" });
export type Channel = z.infer<typeof Channel>;
export const Direction = z.enum(["inbound", "outbound"]).meta({ id: "Direction" });
export type Direction = z.infer<typeof Direction>;

/** The outcomes a partner states in an `ended` event (`EndReason`); the rest are derived by WebCTI. */
const endReasons = ["voicemail", "callbackRequested", "flowOut", "noAnswer", "busy", "failed", "canceled", "missedByAgent"] as const;

/**
 * How a leg ended: exactly one per ended leg (docs/conversations.md says how each is derived). A partner
 * may state the ones it alone can know in `ended.reason`; the others follow from the leg's states.
 */
export const LegOutcome = z
  .enum([
    "completed",
    "transferred",
    "abandonedInIvr",
    "abandonedInQueue",
    "abandonedInRinging",
    "abandonedInHold",
    ...endReasons,
  ])
  .meta({ id: "LegOutcome" });
export type LegOutcome = z.infer<typeof LegOutcome>;

/** The outcomes a partner states in an `ended` event; the rest are derived by WebCTI. */
export const EndReason = LegOutcome.extract(endReasons).meta({ id: "EndReason" });
export type EndReason = z.infer<typeof EndReason>;

export const EndedBy = z.enum(["customer", "agent", "system"]).meta({ id: "EndedBy" });
export type EndedBy = z.infer<typeof EndedBy>;

const occurredAt = z.iso.datetime({ offset: true }).describe("When it happened at the partner, RFC 3339. States and durations come from these.");

/**
 * Fields every event has. Objects are loose: fields WebCTI does not know are stored with the event and
 * ignored, so a partner can send its own without breaking anything.
 */
const eventBase = {
  eventId: EventId,
  conversationId: ConversationId,
  legId: LegId.optional().describe("Defaults to the conversation id (a single-leg conversation)."),
  parentLegId: LegId.optional().describe("The leg this one was transferred from (a transfer creates a new leg)."),
  occurredAt,
  channel: Channel.default("voice"),
  direction: Direction.default("inbound"),
  agentId: AgentId.optional().describe("The agent the leg is with (required from `ringing` on)."),
  customer: CustomerRef.default({}),
  queue: displayText({ max: 128 }).optional(),
};
const withAgent = { ...eventBase, agentId: AgentId.describe("The agent the leg is offered to or connected with.") };

function event<T extends string, S extends z.core.$ZodLooseShape>(type: T, shape: S, description: string) {
  const id = `${type[0]!.toUpperCase()}${type.slice(1)}Event`;
  return z.looseObject({ type: z.literal(type), ...shape }).meta({ id, description });
}

export const InitiatedEvent = event("initiated", eventBase, "The conversation (or leg) started: an inbound call reached the partner, or an agent placed an outbound call.");
export const IvrEvent = event("ivr", eventBase, "The caller entered the IVR (self-service menu).");
export const QueuedEvent = event("queued", eventBase, "The conversation waits in `queue` for an agent.");
export const RingingEvent = event("ringing", withAgent, "The conversation is offered to (ringing at) the agent. The answer carries the caller's directory matches.");
export const AnsweredEvent = event("answered", withAgent, "The agent (inbound) or the customer (outbound) answered: the leg is connected.");
export const HeldEvent = event("held", eventBase, "The agent put the customer on hold.");
export const ResumedEvent = event("resumed", eventBase, "The customer is off hold.");
export const TransferredEvent = event(
  "transferred",
  {
    ...eventBase,
    toLegId: LegId.optional().describe("The new leg the conversation continues on."),
    toAgentId: AgentId.optional(),
    toQueue: displayText({ max: 128 }).optional(),
    transferType: z.enum(["blind", "consult"]).optional(),
  },
  "This leg was transferred: it ends with the outcome `transferred` and the conversation continues on `toLegId`.",
);
export const EndedEvent = event(
  "ended",
  {
    ...eventBase,
    endedBy: EndedBy.optional().describe("Who ended the media (hung up, closed the chat)."),
    reason: EndReason.optional().describe("The outcome, when the partner knows one WebCTI cannot derive (voicemail, busy, …)."),
  },
  "The media of the leg ended (hang-up, chat closed). A connected leg goes on to wrap-up.",
);
export const WrapUpCompletedEvent = event(
  "wrapUpCompleted",
  { ...eventBase, disposition: displayText({ max: 100 }).optional() },
  "The agent finished the after-call work of the leg.",
);

export const KnownConversationEvent = z
  .discriminatedUnion("type", [
    InitiatedEvent,
    IvrEvent,
    QueuedEvent,
    RingingEvent,
    AnsweredEvent,
    HeldEvent,
    ResumedEvent,
    TransferredEvent,
    EndedEvent,
    WrapUpCompletedEvent,
  ])
  .meta({ id: "KnownConversationEvent" });
export type KnownConversationEvent = z.infer<typeof KnownConversationEvent>;
export type ConversationEventType = KnownConversationEvent["type"];
export const conversationEventTypes = KnownConversationEvent.options.map((o) => o.shape.type.value) as ConversationEventType[];

const knownTypes = new Set<string>(conversationEventTypes);

/** An event type this version does not know (a newer partner, a partner's own): stored, ignored by the model. */
export const OtherConversationEvent = z
  .looseObject({
    type: z
      .string()
      .min(1)
      .max(64)
      // `abort`: a known type's own schema then reports the issues (zod answers a union with the one
      // branch whose issues did not abort, and this branch must not be it for a known type).
      .refine((t) => !knownTypes.has(t), { message: "a known event type must match its own schema", abort: true }),
    eventId: EventId,
    conversationId: ConversationId,
    legId: LegId.optional(),
    occurredAt,
  })
  .meta({ id: "OtherConversationEvent", description: "An event type WebCTI does not know: stored and ignored." });
export type OtherConversationEvent = z.infer<typeof OtherConversationEvent>;

export const ConversationEvent = z.union([KnownConversationEvent, OtherConversationEvent]).meta({ id: "ConversationEvent" });
export type ConversationEvent = z.infer<typeof ConversationEvent>;
export type ConversationEventInput = z.input<typeof ConversationEvent>;

export function isKnownEvent(event: ConversationEvent): event is KnownConversationEvent {
  return knownTypes.has(event.type);
}

/**
 * A conversation event reported from the agent's browser (a widget without a server integration): the
 * partner route's event plus the provider it is for. `providerId` is not stored with the event.
 */
export const AgentConversationEvent = z
  .intersection(ConversationEvent, z.object({ providerId: ProviderId.describe("The provider the conversation is with: one of the tenant's with a panel.") }))
  .meta({ id: "AgentConversationEvent" });
export type AgentConversationEvent = z.infer<typeof AgentConversationEvent>;

export const maxEventsPerBatch = 100;

export const ConversationEventBatch = z
  .object({ events: z.array(ConversationEvent).min(1).max(maxEventsPerBatch) })
  .meta({ id: "ConversationEventBatch", description: `Up to ${maxEventsPerBatch} events, of any conversations, in any order.` });
export type ConversationEventBatch = z.infer<typeof ConversationEventBatch>;

export const EventAccepted = z
  .object({
    eventId: EventId,
    conversationId: ConversationId,
    screenPop: z
      .object({ id: z.string(), href: z.string().describe("Where the pop's delivery status can be read.") })
      .nullable()
      .describe("The screen pop this event caused, or null when the provider's policy pops nothing for it."),
    matches: z
      .array(RecordMatch)
      .optional()
      .describe(
        "`ringing` only: the caller's records, found by the event's customer identifiers where the tenant keeps them (`crm.records`): the directory's contacts and accounts (contacts first), the tenant's look-up webhook's records, or none when the records live in the CRM page (`host`).",
      ),
  })
  .meta({ id: "EventAccepted", description: "Stored. A retry of the same event returns this same body." });
export type EventAccepted = z.infer<typeof EventAccepted>;

export const EventRejected = z
  .object({
    status: z.literal("rejected"),
    eventId: z.string(),
    conversationId: z.string(),
    problem: Problem.describe("Why this event was not stored (a reused `eventId` with other content: `conflict`)."),
  })
  .meta({ id: "EventRejected" });

export const EventBatchAccepted = z
  .object({
    results: z
      .array(z.discriminatedUnion("status", [EventAccepted.extend({ status: z.literal("accepted") }), EventRejected]))
      .describe("One per event, in the order sent."),
  })
  .meta({ id: "EventBatchAccepted", description: "Every event is stored or rejected; a retry of the batch gets the same results." });
export type EventBatchAccepted = z.infer<typeof EventBatchAccepted>;
