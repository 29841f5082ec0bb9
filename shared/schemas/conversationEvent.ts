import { z } from "zod";
import { AgentId, ConversationId, EventId, LegId } from "./ids.js";
import { CustomerRef } from "./customer.js";

export const Channel = z.enum(["voice", "chat", "sms", "email", "video", "social"]).meta({ id: "Channel" });
export type Channel = z.infer<typeof Channel>;
export const Direction = z.enum(["inbound", "outbound"]).meta({ id: "Direction" });
export type Direction = z.infer<typeof Direction>;

const eventBase = {
  eventId: EventId,
  conversationId: ConversationId,
  legId: LegId.optional().describe("Defaults to the conversation id (a single-leg conversation)."),
  occurredAt: z.iso.datetime({ offset: true }).describe("When it happened at the partner, RFC 3339."),
  channel: Channel.default("voice"),
  direction: Direction.default("inbound"),
  agentId: AgentId,
  customer: CustomerRef.default({}),
  queue: z.string().min(1).max(128).optional(),
};

export const RingingEvent = z
  .object({ type: z.literal("ringing"), ...eventBase })
  .meta({ id: "RingingEvent", description: "The conversation is offered to (ringing at) the agent." });
export const AnsweredEvent = z
  .object({ type: z.literal("answered"), ...eventBase })
  .meta({ id: "AnsweredEvent", description: "The agent answered." });
export const EndedEvent = z
  .object({
    type: z.literal("ended"),
    ...eventBase,
    endedBy: z.enum(["customer", "agent", "system"]).optional(),
  })
  .meta({ id: "EndedEvent", description: "The leg ended." });

export const ConversationEvent = z
  .discriminatedUnion("type", [RingingEvent, AnsweredEvent, EndedEvent])
  .meta({ id: "ConversationEvent" });
export type ConversationEvent = z.infer<typeof ConversationEvent>;
export type ConversationEventInput = z.input<typeof ConversationEvent>;
export type ConversationEventType = ConversationEvent["type"];

export const EventAccepted = z
  .object({
    eventId: EventId,
    conversationId: ConversationId,
    screenPop: z
      .object({ id: z.string(), href: z.string().describe("Where the pop's delivery status can be read.") })
      .nullable()
      .describe("The screen pop this event caused, or null when the provider's policy pops nothing for it."),
  })
  .meta({ id: "EventAccepted", description: "Stored. A retry of the same event returns this same body." });
export type EventAccepted = z.infer<typeof EventAccepted>;
