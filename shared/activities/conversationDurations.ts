import type { Services } from "../services.js";
import type { Activity, ActivityDurations } from "../schemas/activity.js";
import type { Leg } from "../schemas/conversation.js";
import { readConversationEvents } from "../conversation/conversationStore.js";
import { foldConversation } from "../conversation/conversationState.js";

/**
 * An activity that names its conversation but sends no durations gets them from the conversation's stored
 * events (docs/conversations.md), never from deltas: the legs of the activity's agent (all legs when it
 * names none, or none of them is the agent's), summed and rounded to whole seconds. Ring time counts
 * queue and ringing; talk time counts holds, as `ActivityDurations` defines it.
 */
export async function durationsFromConversation(
  services: Pick<Services, "tables">,
  partner: { tenantId: string; providerId: string },
  activity: Pick<Activity, "conversationId" | "agentId">,
): Promise<ActivityDurations | undefined> {
  if (!activity.conversationId) return undefined;
  const events = await readConversationEvents(services.tables, partner.tenantId, partner.providerId, activity.conversationId);
  if (events.length === 0) return undefined;
  const { legs } = foldConversation(activity.conversationId, events);
  const agentLegs = legs.filter((leg) => leg.agentId === activity.agentId);
  return sumLegs(agentLegs.length > 0 ? agentLegs : legs);
}

function sumLegs(legs: readonly Leg[]): ActivityDurations | undefined {
  const sum = (pick: (leg: Leg) => number | undefined) => {
    const values = legs.map(pick).filter((v): v is number => v !== undefined);
    return values.length > 0 ? Math.round(values.reduce((a, b) => a + b, 0)) : undefined;
  };
  const durations: ActivityDurations = {};
  const ring = sum((l) =>
    l.durations.queueSeconds === undefined && l.durations.ringSeconds === undefined
      ? undefined
      : (l.durations.queueSeconds ?? 0) + (l.durations.ringSeconds ?? 0),
  );
  const talk = sum((l) => (l.durations.talkSeconds === undefined ? undefined : l.durations.talkSeconds + (l.durations.holdSeconds ?? 0)));
  const hold = sum((l) => l.durations.holdSeconds);
  const holdCount = sum((l) => l.durations.holdCount);
  const wrapUp = sum((l) => l.durations.wrapUpSeconds);
  if (ring !== undefined) durations.ringSeconds = ring;
  if (talk !== undefined) durations.talkSeconds = talk;
  if (hold !== undefined) durations.holdSeconds = hold;
  if (holdCount !== undefined) durations.holdCount = holdCount;
  if (wrapUp !== undefined) durations.wrapUpSeconds = wrapUp;
  return Object.keys(durations).length > 0 ? durations : undefined;
}
