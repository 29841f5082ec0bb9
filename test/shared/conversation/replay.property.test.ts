import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { foldConversation } from "../../../shared/conversation/conversationState.js";
import { ConversationEvent, EndReason } from "../../../shared/schemas/conversationEvent.js";
import { Conversation, type Leg, type LegState } from "../../../shared/schemas/conversation.js";

/**
 * Properties of the conversation model over generated, realistic conversations: up to three legs (each
 * transferred or re-queued to the next), any part of the life cycle (IVR, queue, ringing, answer, holds
 * with repeated `held` and stray `resumed`, transfers, several `ended`, wrap-up), voice and chat, inbound
 * and outbound, some clock skew, events of unknown types and unknown fields.
 */

const conversationId = "conv-p";
const base = Date.parse("2026-11-02T08:00:00Z");

const legPlan = fc.record({
  stages: fc.subarray(["initiated", "ivr", "queued", "ringing"] as const),
  answered: fc.boolean(),
  holds: fc.array(fc.record({ repeatHeld: fc.boolean(), resumed: fc.boolean(), strayResume: fc.boolean() }), { maxLength: 3 }),
  end: fc.constantFrom("none", "ended", "transferred", "transferredThenEnded", "wrapUpOnly"),
  endedBy: fc.option(fc.constantFrom("customer", "agent", "system"), { nil: undefined }),
  reason: fc.option(fc.constantFrom(...EndReason.extract(["voicemail", "busy", "noAnswer", "flowOut"]).options), { nil: undefined, freq: 4 }),
  secondEndedBy: fc.option(fc.constantFrom("customer", "agent", "system"), { nil: undefined, freq: 2 }),
  wrapUp: fc.boolean(),
  ownParent: fc.boolean(),
  unknown: fc.array(fc.constantFrom("recordingAvailable", "sentimentScore", "x-partner-note"), { maxLength: 2 }),
  extra: fc.option(fc.record({ partnerRef: fc.string({ maxLength: 8 }), data: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 })) }), { nil: undefined }),
});

/** Time steps between consecutive events: mostly forward, sometimes the same millisecond, sometimes skewed back. */
const steps = fc.array(fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 90_000 }) }, { weight: 1, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3_000, max: -1 }) }), {
  minLength: 24,
  maxLength: 24,
}); // used in turn, over and over

const conversationPlan = fc.record({
  channel: fc.constantFrom("voice", "chat"),
  direction: fc.constantFrom("inbound", "outbound"),
  legs: fc.array(legPlan, { minLength: 1, maxLength: 3 }),
  steps,
});
type ConversationPlan = typeof conversationPlan extends fc.Arbitrary<infer T> ? T : never;

/** Writes the events of a plan, in the partner's order (before any shuffling), through the partner schema. */
function eventsOf(plan: ConversationPlan): ConversationEvent[] {
  const raw: Array<Record<string, unknown>> = [];
  let clock = base;
  let step = 0;
  const emit = (legIndex: number, type: string, fields: Record<string, unknown> = {}) => {
    clock += plan.steps[step++ % plan.steps.length]!;
    const legPlan = plan.legs[legIndex]!;
    raw.push({
      type,
      eventId: `e${raw.length + 1}`,
      conversationId,
      legId: `leg${legIndex}`,
      occurredAt: new Date(clock).toISOString(),
      channel: plan.channel,
      direction: plan.direction,
      customer: { phone: "+1 206 555 0100" },
      ...(legPlan.extra ? { partnerRef: legPlan.extra.partnerRef, partnerData: legPlan.extra.data } : {}),
      ...fields,
    });
  };
  plan.legs.forEach((leg, i) => {
    const agentId = `agent-${i}`;
    const parent = i > 0 && leg.ownParent ? { parentLegId: `leg${i - 1}` } : {};
    const stages = leg.stages.length > 0 || leg.answered || leg.end !== "none" ? leg.stages : (["initiated"] as const);
    for (const stage of stages) emit(i, stage, { ...parent, ...(stage === "ringing" ? { agentId } : {}), ...(stage === "queued" ? { queue: "q" } : {}) });
    if (leg.answered) {
      emit(i, "answered", { ...parent, agentId });
      for (const hold of leg.holds) {
        if (hold.strayResume) emit(i, "resumed");
        emit(i, "held");
        if (hold.repeatHeld) emit(i, "held");
        if (hold.resumed) emit(i, "resumed");
      }
    }
    for (const type of leg.unknown) emit(i, type, { note: "stored, ignored" });
    const next = i + 1 < plan.legs.length ? { toLegId: `leg${i + 1}`, toAgentId: `agent-${i + 1}` } : { toQueue: "billing" };
    const ended = { ...(leg.endedBy ? { endedBy: leg.endedBy } : {}), ...(leg.reason ? { reason: leg.reason } : {}) };
    if (leg.end === "transferred" || leg.end === "transferredThenEnded") emit(i, "transferred", next);
    if (leg.end === "ended" || leg.end === "transferredThenEnded") emit(i, "ended", ended);
    if (leg.secondEndedBy && leg.end !== "none") emit(i, "ended", { endedBy: leg.secondEndedBy });
    if (leg.end === "wrapUpOnly" || (leg.end !== "none" && leg.wrapUp)) emit(i, "wrapUpCompleted", { agentId, disposition: "done" });
  });
  return raw.map((event) => ConversationEvent.parse(event));
}

/** An arrival order: the events shuffled, some delivered again (as a copy read back from storage would be). */
const arrival = (events: ConversationEvent[]) =>
  fc
    .tuple(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), fc.array(fc.nat(), { maxLength: 10 }))
    .map(([shuffled, repeats]) => {
      const delivered = [...shuffled];
      for (const r of repeats) delivered.splice(r % (delivered.length + 1), 0, structuredClone(shuffled[r % shuffled.length]!));
      return delivered;
    });

const plannedEvents = conversationPlan.map(eventsOf);

const stateRank: Record<LegState, number> = { initiated: 0, ivr: 1, queued: 2, ringing: 3, connected: 4, held: 4, wrapUp: 5, ended: 6 };

describe("replaying a conversation's events", () => {
  it("(a) any arrival order, with any duplicates, gives the same conversation", () => {
    fc.assert(
      fc.property(
        plannedEvents.chain((events) => fc.tuple(fc.constant(events), arrival(events))),
        ([events, delivered]) => {
          const expected = foldConversation(conversationId, events);
          expect(Conversation.parse(expected)).toEqual(expected);
          expect(foldConversation(conversationId, delivered)).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("(b) events added one at a time, in any order: a leg never moves back", () => {
    // The one documented exception (docs/conversations.md, "Leg states"): a leg that looked never-connected
    // and so `ended` goes to `wrapUp` when a late `answered`, `held` or `resumed` shows it was connected.
    fc.assert(
      fc.property(
        plannedEvents.chain((events) => arrival(events)),
        (delivered) => {
          let before = new Map<string, Leg>();
          for (let n = 1; n <= delivered.length; n++) {
            const added = delivered[n - 1]!;
            const now = new Map(foldConversation(conversationId, delivered.slice(0, n)).legs.map((l) => [l.legId, l]));
            for (const [legId, was] of before) {
              const is = now.get(legId)!;
              const revealedConnected =
                was.state === "ended" && is.state === "wrapUp" && (added.legId ?? conversationId) === legId && ["answered", "held", "resumed"].includes(added.type);
              if (!revealedConnected) expect(stateRank[is.state], `${legId}: ${was.state} → ${is.state} on ${added.type}`).toBeGreaterThanOrEqual(stateRank[was.state]);
              if (was.outcome !== null) expect(is.outcome).not.toBeNull();
            }
            before = now;
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("(c) durations are never negative, talk + hold = answeredAt → endedAt, and ended legs have one outcome", () => {
    fc.assert(
      fc.property(plannedEvents, (events) => {
        for (const leg of foldConversation(conversationId, events).legs) {
          const { holdCount, ...seconds } = leg.durations;
          for (const value of Object.values(seconds)) expect(value).toBeGreaterThanOrEqual(0);
          expect(holdCount).toBeGreaterThanOrEqual(0);
          if (leg.answeredAt && leg.endedAt) {
            const window = Math.max(0, Date.parse(leg.endedAt) - Date.parse(leg.answeredAt));
            expect(Math.round((leg.durations.talkSeconds! + leg.durations.holdSeconds!) * 1000)).toBe(window);
          }
          const mediaEnded = leg.state === "wrapUp" || leg.state === "ended";
          expect(leg.outcome !== null).toBe(mediaEnded);
          expect(leg.endedAt !== undefined).toBe(mediaEnded);
        }
      }),
      { numRuns: 200 },
    );
  });
});
