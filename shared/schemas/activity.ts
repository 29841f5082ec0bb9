import { z } from "zod";
import { displayText } from "./displayText.js";
import { CursorQuery, pageFields } from "./cursor.js";
import { AgentId, ConversationId, ProviderId, RecordId, idSchema } from "./ids.js";
import { CrmRecordType } from "./directory.js";
import { Channel, Direction } from "./conversationEvent.js";

export const ActivityId = idSchema(
  "ActivityId",
  "Unique in the tenant. Chosen by the sender to make the write idempotent, or by WebCTI.",
);

const seconds = () => z.number().int().min(0).max(7 * 86_400);

/** How long each part of the conversation took; every part is optional. */
export const ActivityDurations = z
  .object({
    ringSeconds: seconds().optional().describe("Ringing (or waiting in queue) before the agent answered."),
    talkSeconds: seconds().optional().describe("Connected time, holds included."),
    holdSeconds: seconds().optional().describe("Total time on hold."),
    holdCount: z.number().int().min(0).max(1000).optional().describe("How many times the customer was put on hold."),
    wrapUpSeconds: seconds().optional().describe("After-call work once the conversation ended."),
  })
  .strict()
  .meta({ id: "ActivityDurations" });
export type ActivityDurations = z.infer<typeof ActivityDurations>;

export const ActivityRecordRef = z
  .object({ type: CrmRecordType, id: RecordId })
  .meta({
    id: "ActivityRecordRef",
    description:
      "The record the activity concerns. With records in WebCTI's directory (`crm.records` = `directory`): a `contact` or `account` that exists. With records in the CRM: the CRM's type and id, taken as they are.",
  });

/** What every sender describes: the conversation, its outcome and links to its artefacts. */
const activityFields = {
  channel: Channel.default("voice"),
  direction: Direction.default("inbound"),
  record: ActivityRecordRef,
  subject: displayText({ max: 200 }),
  notes: displayText({ max: 4000, min: 0, multiline: true }).optional(),
  disposition: displayText({ max: 100 }).optional(),
  conversationId: ConversationId.optional(),
  from: displayText({ max: 64, min: 0 }).optional(),
  to: displayText({ max: 64, min: 0 }).optional(),
  startedAt: z.iso.datetime({ offset: true }).optional(),
  endedAt: z.iso.datetime({ offset: true }).optional(),
  durationSeconds: seconds().optional().describe("The whole conversation, in seconds."),
  durations: ActivityDurations.optional(),
  recordingUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  transcriptUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
};

const endsAfterStart = <T extends { startedAt?: string | undefined; endedAt?: string | undefined }>(a: T) =>
  !a.startedAt || !a.endedAt || Date.parse(a.startedAt) <= Date.parse(a.endedAt);
const endsAfterStartIssue = { message: "endedAt is before startedAt", path: ["endedAt"] };

/** What a widget (through the agent desktop) logs after a call or chat: it lands on the record's timeline. */
export const ActivityInput = z
  .object({
    activityId: ActivityId.optional().describe("Send it again with the same id and body: stored once."),
    providerId: ProviderId.describe("The provider whose channel carried the conversation."),
    ...activityFields,
  })
  .refine(endsAfterStart, endsAfterStartIssue)
  .meta({ id: "ActivityInput" });
export type ActivityInput = z.input<typeof ActivityInput>;

/** What a partner's server posts after a call, chat, SMS or e-mail; the provider is the partner key's. */
export const PartnerActivityInput = z
  .object({
    activityId: ActivityId.optional().describe(
      "The partner's id of this activity, unique in the tenant. Send it again with the same body: stored once, same answer; with another body: 409 `conflict`.",
    ),
    agentId: AgentId.optional().describe("The agent who handled it; their desktop's open timeline shows it at once."),
    ...activityFields,
  })
  .refine(endsAfterStart, endsAfterStartIssue)
  .meta({ id: "PartnerActivityInput" });
export type PartnerActivityInput = z.input<typeof PartnerActivityInput>;

export const Activity = z
  .object({
    activityId: ActivityId,
    providerId: ProviderId,
    agentId: AgentId.optional().describe("Absent when a partner logged it without naming an agent."),
    channel: Channel,
    direction: Direction,
    record: z.object({ type: CrmRecordType, id: RecordId }),
    subject: z.string(),
    notes: z.string().optional(),
    disposition: z.string().optional(),
    conversationId: ConversationId.optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    startedAt: z.string().optional(),
    endedAt: z.string().optional(),
    durationSeconds: z.number().int().optional(),
    durations: ActivityDurations.optional(),
    recordingUrl: z.string().optional(),
    transcriptUrl: z.string().optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime().optional().describe("When it was last changed (`PATCH /v1/agent/activities/{activityId}`); absent until then."),
  })
  .meta({ id: "Activity" });
export type Activity = z.infer<typeof Activity>;

export const ActivityList = z
  .object({
    activities: z.array(Activity).describe("Newest first (by endedAt, else startedAt, else createdAt)."),
    ...pageFields,
  })
  .meta({ id: "ActivityList" });
export type ActivityList = z.infer<typeof ActivityList>;

export const ActivityPath = z.object({ activityId: ActivityId });

/** What may change in a stored activity: what describes the conversation, never whose or where it is. */
const updatableFields = (({ channel: _c, direction: _d, record: _r, subject, ...rest }) => ({ subject: subject.optional(), ...rest }))(activityFields);

/**
 * A change to an activity, from a widget through the agent desktop: the given fields replace the stored
 * ones, the others stay. Its identity (id, provider, agent, record, channel, direction) does not change.
 */
export const ActivityUpdate = z
  .strictObject({
    providerId: ProviderId.describe("The provider the activity is of (the widget's panel): another provider's activities are not found."),
    ...updatableFields,
  })
  .refine((update) => Object.keys(update).some((name) => name !== "providerId"), { message: "give at least one field to change" })
  .meta({ id: "ActivityUpdate" });
export type ActivityUpdate = z.infer<typeof ActivityUpdate>;

/** The tenant-wide activity feed (integration routes): every stored activity, in the order stored. */
export const ActivityFeedQuery = z
  .object({
    cursor: CursorQuery.cursor.describe("`cursor` of the previous answer: continue after what it returned. Omit to start at `since`."),
    since: z.iso
      .datetime({ offset: true })
      .optional()
      .describe("Without a cursor: the activities stored at or after this time (default: 35 days ago)."),
    limit: z.coerce.number().int().min(1).max(500).default(100).describe("Largest number of activities in this answer."),
  })
  .meta({ id: "ActivityFeedQuery" });
export type ActivityFeedQuery = z.infer<typeof ActivityFeedQuery>;

export const ActivityFeed = z
  .object({
    activities: z
      .array(Activity)
      .describe("Oldest stored first. At least once: an activity may come twice (keep the last per activityId)."),
    cursor: z.string().describe("Always present: send it back as `cursor` to get what was stored since (the feed never ends)."),
  })
  .meta({ id: "ActivityFeed" });
export type ActivityFeed = z.infer<typeof ActivityFeed>;
