import { z } from "zod";
import { AgentId, ConversationId, ProviderId, RecordId, RecordType } from "./ids.js";
import { Channel, Direction } from "./conversationEvent.js";

export const ActivityId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$/)
  .meta({ id: "ActivityId", description: "Chosen by the sender to make the write idempotent, or by WebCTI." });

/** What a widget (through the agent desktop) logs after a call or chat: it lands on the record's timeline. */
export const ActivityInput = z
  .object({
    activityId: ActivityId.optional().describe("Send it again with the same id and body: stored once."),
    providerId: ProviderId.describe("The provider whose channel carried the conversation."),
    channel: Channel.default("voice"),
    direction: Direction.default("inbound"),
    record: z.object({ type: RecordType, id: RecordId }).describe("The contact or account it concerns."),
    subject: z.string().min(1).max(200),
    notes: z.string().max(4000).optional(),
    disposition: z.string().min(1).max(100).optional(),
    conversationId: ConversationId.optional(),
    from: z.string().max(64).optional(),
    to: z.string().max(64).optional(),
    startedAt: z.iso.datetime({ offset: true }).optional(),
    endedAt: z.iso.datetime({ offset: true }).optional(),
    durationSeconds: z.number().int().min(0).max(7 * 86_400).optional(),
    recordingUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
    transcriptUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  })
  .refine((a) => !a.startedAt || !a.endedAt || Date.parse(a.startedAt) <= Date.parse(a.endedAt), {
    message: "endedAt is before startedAt",
    path: ["endedAt"],
  })
  .meta({ id: "ActivityInput" });
export type ActivityInput = z.input<typeof ActivityInput>;

export const Activity = z
  .object({
    activityId: ActivityId,
    providerId: ProviderId,
    agentId: AgentId,
    channel: Channel,
    direction: Direction,
    record: z.object({ type: RecordType, id: RecordId }),
    subject: z.string(),
    notes: z.string().optional(),
    disposition: z.string().optional(),
    conversationId: ConversationId.optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    startedAt: z.string().optional(),
    endedAt: z.string().optional(),
    durationSeconds: z.number().int().optional(),
    recordingUrl: z.string().optional(),
    transcriptUrl: z.string().optional(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "Activity" });
export type Activity = z.infer<typeof Activity>;

export const ActivityList = z
  .object({ activities: z.array(Activity).describe("Newest first (by endedAt, else startedAt, else createdAt).") })
  .meta({ id: "ActivityList" });
