import { z } from "zod";
import { displayText } from "./displayText.js";
import { AgentId, ConversationId, EventId, ProviderId } from "./ids.js";
import { Problem } from "./problem.js";
import { CursorQuery } from "./cursor.js";
import { Channel, Direction, LegOutcome } from "./conversationEvent.js";

/**
 * Channel analytics: the tenant's KPI settings, the per-conversation facts every KPI is summed from, the
 * additive aggregate of those facts, and the KPI figures derived from an aggregate at read time.
 * docs/kpis.md states every formula; shared/analytics/ implements them.
 */

const count = (what: string) => z.number().int().min(0).describe(what);
const sumMs = (what: string) => z.number().int().min(0).describe(`Sum in whole milliseconds (exact under addition and subtraction): ${what}.`);
const rate = (formula: string) => z.number().min(0).max(1).nullable().describe(`A fraction 0…1: ${formula}. null when the denominator is 0.`);
const average = (formula: string) => z.number().min(0).nullable().describe(`Seconds: ${formula}. null when the denominator is 0.`);

export const KpiSettings = z
  .object({
    shortAbandonSeconds: z
      .number()
      .min(0)
      .max(600)
      .default(5)
      .describe("An abandon in queue or ringing whose wait (first offered → end) is shorter than this is a short abandon."),
    serviceLevelSeconds: z
      .number()
      .min(0)
      .max(3600)
      .default(20)
      .describe("An answer whose wait (first offered → first answered) is at most this meets the service-level target."),
  })
  .meta({ id: "KpiSettings", description: "A tenant's KPI settings (docs/kpis.md). Changing them changes the figures of past intervals too." });
export type KpiSettings = z.infer<typeof KpiSettings>;
export const defaultKpiSettings: KpiSettings = KpiSettings.parse({});

export const ConversationFacts = z
  .object({
    conversationId: ConversationId,
    providerId: ProviderId,
    channel: Channel,
    direction: Direction,
    queue: z.string().optional().describe("The first queue the conversation was offered in (the first leg, in event order, that names a queue)."),
    agentId: AgentId.optional().describe("The agent who answered first; if nobody answered, the agent of the last leg that names one."),
    intervalAt: z.iso.datetime().describe("The conversation's endedAt (every leg's media ended): the interval it counts in."),
    outcome: LegOutcome.describe("The conversation's outcome."),
    offered: z.boolean().describe("Inbound."),
    answered: z.boolean().describe("Inbound and some leg was connected."),
    abandonedIn: z.enum(["ivr", "queue", "ringing", "hold"]).optional().describe("Inbound, outcome abandonedIn…"),
    shortAbandon: z.boolean().describe("Abandoned in queue or ringing with waitMs < shortAbandonSeconds."),
    flowOut: z.boolean().describe("Inbound, not answered, outcome flowOut, voicemail, callbackRequested or transferred."),
    unansweredOther: z.boolean().describe("Inbound, not answered, neither abandoned nor flowed out (noAnswer, busy, failed, canceled, missedByAgent)."),
    waitMs: z.number().int().min(0).optional().describe("Inbound and offered to agents: first queuedAt or ringingAt (any leg) → first answeredAt, or → endedAt when never answered."),
    withinServiceLevel: z.boolean().describe("Answered with waitMs ≤ serviceLevelSeconds."),
    transferred: z.boolean().describe("Answered and some connected leg was transferred."),
    missedByAgentIds: z.array(AgentId).max(100).describe("One entry per inbound leg with outcome missedByAgent (the first 100, in the order the legs began): the agent it rang at."),
    talkMs: z.number().int().min(0).describe("Answered: the sum of the legs' talkSeconds; 0 otherwise."),
    holdMs: z.number().int().min(0).describe("Answered: the sum of the legs' holdSeconds; 0 otherwise."),
    wrapUpMs: z.number().int().min(0).describe("Answered: the sum of the legs' completed wrapUpSeconds; 0 otherwise."),
    outboundConnected: z.boolean().describe("Outbound and some leg was connected."),
  })
  .meta({
    id: "ConversationFacts",
    description: "The small record of one conversation whose media ended that feeds every KPI (docs/kpis.md, 'Per-conversation facts').",
  });
export type ConversationFacts = z.infer<typeof ConversationFacts>;

export const KpiAggregate = z
  .object({
    offered: count("Inbound conversations."),
    answered: count("Inbound conversations answered."),
    abandonedInIvr: count("Inbound, outcome abandonedInIvr."),
    abandonedInQueue: count("Inbound, not answered, outcome abandonedInQueue."),
    abandonedInRinging: count("Inbound, not answered, outcome abandonedInRinging."),
    abandonedInHold: count("Inbound, answered, outcome abandonedInHold."),
    shortAbandoned: count("Abandons in queue or ringing shorter than the short-abandon threshold."),
    flowOut: count("Inbound, not answered, left to voicemail, a callback, a transfer or another system."),
    unansweredOther: count("Inbound, not answered, neither abandoned nor flowed out."),
    answeredWithinServiceLevel: count("Answered within the service-level target."),
    transferred: count("Answered and transferred."),
    missedByAgent: count("Inbound legs with outcome missedByAgent."),
    outbound: count("Outbound conversations."),
    outboundConnected: count("Outbound conversations connected."),
    answerWaitMs: sumMs("waitMs of answered conversations"),
    talkMs: sumMs("talkMs of answered conversations"),
    holdMs: sumMs("holdMs of answered conversations"),
    wrapUpMs: sumMs("wrapUpMs of answered conversations"),
    partnerEvents: z.record(z.string(), z.number().int().min(0)).describe("Partner-defined analytics events by eventName."),
  })
  .meta({ id: "KpiAggregate", description: "Counts and sums only: aggregates add, subtract and merge exactly (docs/kpis.md)." });
export type KpiAggregate = z.infer<typeof KpiAggregate>;

export const Kpis = z
  .object({
    offered: count("Inbound conversations."),
    answered: count("Inbound conversations answered."),
    abandoned: count("abandonedInIvr + abandonedInQueue + abandonedInRinging + abandonedInHold."),
    abandonedInIvr: count("See KpiAggregate."),
    abandonedInQueue: count("See KpiAggregate."),
    abandonedInRinging: count("See KpiAggregate."),
    abandonedInHold: count("See KpiAggregate."),
    shortAbandoned: count("See KpiAggregate."),
    flowOut: count("See KpiAggregate."),
    abandonRate: rate("(abandonedInQueue + abandonedInRinging − shortAbandoned) / (offered − abandonedInIvr − shortAbandoned)"),
    serviceLevel: rate("answeredWithinServiceLevel / (answered + abandonedInQueue + abandonedInRinging − shortAbandoned)"),
    averageSpeedOfAnswerSeconds: average("answerWaitMs / answered"),
    averageHandleSeconds: average("(talkMs + holdMs + wrapUpMs) / answered"),
    averageTalkSeconds: average("talkMs / answered"),
    averageHoldSeconds: average("holdMs / answered"),
    averageWrapUpSeconds: average("wrapUpMs / answered"),
    transferRate: rate("transferred / answered"),
    missedByAgent: count("Inbound legs with outcome missedByAgent."),
    outbound: count("Outbound conversations."),
    outboundConnected: count("Outbound conversations connected."),
    partnerEvents: z.record(z.string(), z.number().int().min(0)).describe("Partner-defined analytics events by eventName."),
  })
  .meta({ id: "Kpis", description: "KPI figures, derived from a KpiAggregate at read time (docs/kpis.md)." });
export type Kpis = z.infer<typeof Kpis>;

/** A partner-defined analytics event, in the shape of Microsoft CIF 2.0 `logAnalyticsEvent`. */
export const PartnerAnalyticsEvent = z
  .object({
    eventId: EventId.describe("The partner's id of this analytics event: a resend with the same id is stored once."),
    conversationId: ConversationId,
    sessionId: z.string().min(1).max(128).optional(),
    participantId: z.string().min(1).max(128).optional(),
    eventName: displayText({ max: 64 }).describe("Counted by this name (docs/kpis.md), which the KPI dashboard shows."),
    eventReason: displayText({ max: 256, min: 0 }).optional(),
    eventTimestamp: z.iso.datetime({ offset: true }).describe("When it happened: the interval it counts in."),
    customData: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: "PartnerAnalyticsEvent", description: "Counted by eventName in the interval of eventTimestamp (docs/kpis.md)." });
export type PartnerAnalyticsEvent = z.infer<typeof PartnerAnalyticsEvent>;

export const maxAnalyticsEventsPerRequest = 100;

export const PartnerAnalyticsEventBatch = z
  .object({ events: z.array(PartnerAnalyticsEvent).min(1).max(maxAnalyticsEventsPerRequest) })
  .meta({ id: "PartnerAnalyticsEventBatch", description: `Up to ${maxAnalyticsEventsPerRequest} analytics events, of any conversations.` });

export const AnalyticsEventResult = z
  .object({
    status: z.enum(["accepted", "rejected"]),
    eventId: EventId,
    conversationId: ConversationId,
    problem: Problem.optional().describe("Why it was not stored: an `eventId` already used with other content (`conflict`)."),
  })
  .meta({ id: "AnalyticsEventResult" });

export const AnalyticsEventsAccepted = z
  .object({ results: z.array(AnalyticsEventResult).describe("One per event, in the order sent.") })
  .meta({ id: "AnalyticsEventsAccepted" });
export type AnalyticsEventsAccepted = z.infer<typeof AnalyticsEventsAccepted>;

/** The intervals a KPI report can be split by: 15 minutes, one hour, one day (UTC, aligned to midnight). */
export const KpiInterval = z.enum(["15m", "hour", "day"]).meta({ id: "KpiInterval" });
export type KpiInterval = z.infer<typeof KpiInterval>;

/** The longest range (in days) a report may span at each interval. */
export const maxKpiRangeDays: Record<KpiInterval, number> = { "15m": 31, hour: 93, day: 400 };

export const KpiQuery = z
  .object({
    from: z.iso
      .datetime({ offset: true })
      .describe("Start of the range (included): an interval boundary in UTC (e.g. 2026-11-01T00:00:00Z)."),
    to: z.iso.datetime({ offset: true }).describe("End of the range (excluded): an interval boundary after `from`."),
    interval: KpiInterval.default("hour").describe("Split the range by 15 minutes, hours or days (UTC)."),
    providerId: ProviderId.optional().describe("Only this provider (a partner key always sees only its own)."),
    channel: Channel.optional().describe("Only this channel."),
    by: z.enum(["queue", "agent"]).optional().describe("Also split each provider and channel by queue or by agent."),
  })
  .meta({ id: "KpiQuery" });
export type KpiQuery = z.infer<typeof KpiQuery>;

export const KpiPoint = z
  .object({ intervalStart: z.iso.datetime(), kpis: Kpis })
  .meta({ id: "KpiPoint", description: "The figures of one interval. Intervals without any conversation or partner event are left out." });

export const KpiSeries = z
  .object({
    providerId: ProviderId,
    channel: Channel,
    queue: z.string().optional().describe("With `by=queue`: the queue (\"\" for conversations that named none)."),
    agentId: z.string().optional().describe("With `by=agent`: the agent (\"\" for conversations that reached none)."),
    total: Kpis.describe("The whole range."),
    points: z.array(KpiPoint).describe("Per interval, oldest first; only intervals with data."),
  })
  .meta({ id: "KpiSeries" });
export type KpiSeries = z.infer<typeof KpiSeries>;

export const KpiReport = z
  .object({
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    interval: KpiInterval,
    settings: KpiSettings.describe("The tenant's settings the figures were computed with."),
    series: z.array(KpiSeries).describe("One per provider and channel (and queue or agent with `by`) that has data in the range."),
    total: Kpis.describe("Every series together (with `by=agent`, each missed leg counts once, for the agent who missed it)."),
    points: z.array(KpiPoint).describe("Every series together, per interval, oldest first; only intervals with data."),
    splits: z
      .array(z.object({ value: z.string().describe("The queue or agent (\"\" for none)."), total: Kpis, points: z.array(KpiPoint) }))
      .optional()
      .describe("With `by`: each queue's or agent's figures over every provider and channel asked for, in total and per interval."),
    rowsRead: z.number().int().min(0).describe("Pre-aggregated rows read to answer."),
  })
  .meta({ id: "KpiReport", description: "KPI figures over a range, read from pre-aggregated rows (docs/kpis.md)." });
export type KpiReport = z.infer<typeof KpiReport>;

/** One conversation's facts as exported: its facts, its partner events by name, and when they were (re)computed. */
export const ConversationFactsRecord = ConversationFacts.extend({
  partnerEvents: z.record(z.string(), z.number().int().min(0)).describe("The conversation's partner analytics events by eventName."),
  projectedAt: z.iso.datetime().describe("When these facts were computed: a later record of the same conversation replaces an earlier one."),
}).meta({ id: "ConversationFactsRecord" });
export type ConversationFactsRecord = z.infer<typeof ConversationFactsRecord>;

export const FactsExportFormat = z.enum(["json", "jsonl", "csv"]);

export const FactsExportQuery = z
  .object({
    cursor: CursorQuery.cursor.describe("`nextCursor` of the previous export: continue after what it returned. Omit to start at `since`."),
    since: z.iso
      .datetime({ offset: true })
      .optional()
      .describe("Without a cursor: the records computed at or after this time (default: 35 days ago)."),
    limit: z.coerce.number().int().min(1).max(5000).default(1000).describe("Largest number of records in this response."),
    format: FactsExportFormat.default("json").describe("json (an object with `records`), jsonl (JSON lines) or csv."),
  })
  .meta({ id: "FactsExportQuery" });
export type FactsExportQuery = z.infer<typeof FactsExportQuery>;

export const FactsExport = z
  .object({
    records: z.array(ConversationFactsRecord).describe("Oldest computation first."),
    nextCursor: z
      .string()
      .describe("Always present: send it back as `cursor` to get what was computed since (an incremental export never ends)."),
  })
  .meta({ id: "FactsExport" });
export type FactsExport = z.infer<typeof FactsExport>;
