import type { Conversation, Leg } from "../schemas/conversation.js";
import type { LegOutcome } from "../schemas/conversationEvent.js";
import type { ConversationFacts, KpiSettings } from "../schemas/analytics.js";

const flowOutOutcomes: ReadonlySet<LegOutcome> = new Set(["flowOut", "voicemail", "callbackRequested", "transferred"]);
const abandonedWhere = {
  abandonedInIvr: "ivr",
  abandonedInQueue: "queue",
  abandonedInRinging: "ringing",
} as const satisfies Partial<Record<LegOutcome, string>>;

/**
 * How many legs missed by an agent one conversation counts: the first, in the order the legs began (the
 * fold's, whatever the events' arrival order). Each names its agent in the conversation's facts, which are
 * kept in one column (32 K characters): 300 missed legs at agents with 128-character ids did not fit, and
 * stopped the KPI projection (issue 16, item 1).
 */
export const maxMissedLegs = 100;

/**
 * The facts of one conversation that feed every KPI (docs/kpis.md, "Per-conversation facts"), or null while
 * its media has not ended (it counts nowhere yet). A pure function of the folded conversation, the provider
 * it came from and the tenant's settings: the same events give the same facts, whatever their order.
 */
export function factsOf(conversation: Conversation, settings: KpiSettings, providerId: string): ConversationFacts | null {
  const { endedAt, outcome } = conversation;
  if (endedAt === null || outcome === null) return null;
  const legs = conversation.legs;
  const inbound = conversation.direction === "inbound";
  const connected = legs.some(isConnected);
  const answered = inbound && connected;

  const firstAnsweredMs = earliest(legs.map((leg) => leg.answeredAt));
  const firstOfferedMs = earliest(legs.flatMap((leg) => [leg.queuedAt, leg.ringingAt]));
  const waitMs = !inbound || firstOfferedMs === undefined ? (answered ? 0 : undefined) : Math.max(0, (firstAnsweredMs ?? Date.parse(endedAt)) - firstOfferedMs);

  let abandonedIn: ConversationFacts["abandonedIn"];
  if (inbound && !answered && outcome in abandonedWhere) abandonedIn = abandonedWhere[outcome as keyof typeof abandonedWhere];
  if (answered && outcome === "abandonedInHold") abandonedIn = "hold";
  const shortAbandon =
    (abandonedIn === "queue" || abandonedIn === "ringing") && waitMs !== undefined && waitMs < settings.shortAbandonSeconds * 1000;
  const flowOut = inbound && !answered && flowOutOutcomes.has(outcome);

  const { queue, agentId } = dimensionsOf(conversation);
  const sum = (seconds: (leg: Leg) => number | undefined) =>
    answered ? legs.reduce((total, leg) => total + toMs(isConnected(leg) ? seconds(leg) : undefined), 0) : 0;

  return {
    conversationId: conversation.conversationId,
    providerId,
    channel: conversation.channel,
    direction: conversation.direction,
    ...(queue !== undefined && { queue }),
    ...(agentId !== undefined && { agentId }),
    intervalAt: endedAt,
    outcome,
    offered: inbound,
    answered,
    ...(abandonedIn !== undefined && { abandonedIn }),
    shortAbandon,
    flowOut,
    unansweredOther: inbound && !answered && abandonedIn === undefined && !flowOut,
    ...(waitMs !== undefined && { waitMs }),
    withinServiceLevel: answered && waitMs !== undefined && waitMs <= settings.serviceLevelSeconds * 1000,
    transferred: answered && legs.some((leg) => isConnected(leg) && leg.outcome === "transferred"),
    missedByAgentIds: inbound ? legs.filter((leg) => leg.outcome === "missedByAgent").slice(0, maxMissedLegs).map((leg) => leg.agentId ?? "unknown") : [],
    talkMs: sum((leg) => leg.durations.talkSeconds),
    holdMs: sum((leg) => leg.durations.holdSeconds),
    wrapUpMs: sum((leg) => (leg.wrapUpCompletedAt !== undefined ? leg.durations.wrapUpSeconds : undefined)),
    outboundConnected: !inbound && connected,
  };
}

/**
 * The queue and agent a conversation counts for (docs/kpis.md, "Dimensions"): the first queue it was offered
 * in; the agent who answered first, else the agent of the last leg that names one. Defined before the
 * conversation ends too (its partner events count for them meanwhile).
 */
export function dimensionsOf(conversation: Conversation): { queue?: string; agentId?: string } {
  const legs = conversation.legs;
  const answeringLeg = legs.filter((leg) => leg.answeredAt !== undefined).sort(byAnsweredAt)[0] ?? legs.find(isConnected);
  const lastAgentLeg = legs.filter((leg) => leg.agentId !== undefined).at(-1);
  const agentId = (answeringLeg ?? lastAgentLeg)?.agentId;
  const queue = legs.find((leg) => leg.queue !== undefined)?.queue;
  return { ...(queue !== undefined && { queue }), ...(agentId !== undefined && { agentId }) };
}

/** Connected: answered, or held/resumed (docs/conversations.md); such a leg always has holdSeconds once ended. */
function isConnected(leg: Leg): boolean {
  return leg.answeredAt !== undefined || leg.durations.holdSeconds !== undefined;
}

function byAnsweredAt(a: Leg, b: Leg): number {
  return Date.parse(a.answeredAt!) - Date.parse(b.answeredAt!);
}

function earliest(timestamps: ReadonlyArray<string | undefined>): number | undefined {
  const ms = timestamps.filter((t): t is string => t !== undefined).map((t) => Date.parse(t));
  return ms.length ? Math.min(...ms) : undefined;
}

/** Model durations are seconds with millisecond precision; sums are kept in whole milliseconds so they stay exact. */
function toMs(seconds: number | undefined): number {
  return seconds === undefined ? 0 : Math.round(seconds * 1000);
}
