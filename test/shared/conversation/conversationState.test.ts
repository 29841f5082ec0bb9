import { describe, expect, it } from "vitest";
import { foldConversation } from "../../../shared/conversation/conversationState.js";
import { ConversationEvent } from "../../../shared/schemas/conversationEvent.js";
import { Conversation, type Leg, type LegDurations } from "../../../shared/schemas/conversation.js";
import { recordedCalls } from "../../fixtures/recordedCalls.js";

/**
 * The rules of docs/conversations.md, one table row each; a row's name quotes the page. Events go through
 * the ConversationEvent schema, so they have the defaults a partner's events get (voice, inbound, {}).
 */

type Spec = [type: string, second: number, fields?: Record<string, unknown>];

const base = Date.parse("2026-11-02T08:00:00Z");
const at = (second: number) => new Date(base + second * 1000).toISOString();

/** Events of conversation "conv-1", ids e1, e2, … in the order written; `ringing`/`answered` get agent-1. */
function events(...specs: Spec[]): ConversationEvent[] {
  return specs.map(([type, second, fields], i) =>
    ConversationEvent.parse({
      type,
      eventId: `e${i + 1}`,
      conversationId: "conv-1",
      occurredAt: at(second),
      ...(type === "ringing" || type === "answered" ? { agentId: "agent-1" } : {}),
      ...fields,
    }),
  );
}

function fold(...specs: Spec[]): Conversation {
  const conversation = foldConversation("conv-1", events(...specs));
  expect(Conversation.parse(conversation)).toEqual(conversation); // what the API will answer is valid
  return conversation;
}

function leg(...specs: Spec[]): Leg {
  return fold(...specs).legs[0]!;
}

const answeredCall: Spec[] = [
  ["initiated", 0],
  ["ivr", 1],
  ["queued", 11],
  ["ringing", 31],
  ["answered", 36],
];

describe("recorded calls (fixture, worked out by hand)", () => {
  const calls = recordedCalls({ prefix: "t", agentId: "agent-a", secondAgentId: "agent-b", thirdAgentId: "agent-c" });

  it("has the eight kinds of calls the replay test needs", () => {
    expect(calls.map((c) => c.conversationId)).toEqual([
      "t-answered",
      "t-abandoned",
      "t-transfers",
      "t-holds",
      "t-chat",
      "t-voicemail",
      "t-missed",
      "t-outbound",
    ]);
    for (const call of calls) for (const event of call.events) expect(event.eventId.startsWith("t-")).toBe(true);
  });

  for (const call of calls) {
    it(call.name, () => {
      const parsed = call.events.map((e) => ConversationEvent.parse(e));
      const conversation = foldConversation(call.conversationId, parsed);
      const { legs, ...expected } = call.expected;
      expect(conversation).toMatchObject(expected);
      expect(conversation.legs.map((l) => l.legId)).toEqual(legs.map((l) => l.legId));
      legs.forEach((expectedLeg, i) => {
        const actual = conversation.legs[i]!;
        expect({
          legId: actual.legId,
          parentLegId: actual.parentLegId,
          agentId: actual.agentId,
          state: actual.state,
          outcome: actual.outcome,
          endedAt: actual.endedAt,
          durations: actual.durations,
        }).toEqual({ parentLegId: undefined, agentId: undefined, ...expectedLeg });
      });
      // The same set in reverse arrival order, each event twice: the same conversation.
      expect(foldConversation(call.conversationId, [...parsed].reverse().flatMap((e) => [e, e]))).toEqual(conversation);
    });
  }
});

describe("order and duplicates", () => {
  it("“events are distinct by eventId; copies count once”", () => {
    const once = events(...answeredCall);
    const twice = foldConversation("conv-1", [...once, ...once.slice(2)]);
    expect(twice).toEqual(foldConversation("conv-1", once));
    expect(twice.eventCount).toBe(5);
  });

  it("two different bodies under one eventId: the same one is kept whatever their order", () => {
    const [a, b] = [events(["ended", 40, { endedBy: "agent" }])[0]!, events(["ended", 40, { endedBy: "customer" }])[0]!];
    const start = events(["initiated", 0])[0]!;
    const start2 = { ...start, eventId: "e0" };
    expect(foldConversation("conv-1", [start2, a, b])).toEqual(foldConversation("conv-1", [b, start2, a]));
  });

  it("“for events of the same millisecond … by the lifecycle”: answered and ringing at once ring 0 s and connect", () => {
    const l = leg(["answered", 10], ["ringing", 10], ["initiated", 0]);
    expect(l.state).toBe("connected");
    expect(l.durations.ringSeconds).toBe(0);
  });

  it("“ended < wrapUpCompleted” at the same millisecond, and “held < resumed”: a zero hold", () => {
    const l = leg(["answered", 0], ["resumed", 5], ["held", 5], ["wrapUpCompleted", 9], ["ended", 9]);
    expect(l).toMatchObject({ state: "ended", outcome: "completed", durations: { holdSeconds: 0, holdCount: 1, wrapUpSeconds: 0 } });
  });

  it("“unknown types take no part in anything … except eventCount and ignoredEventCount”", () => {
    const withUnknown = fold(...answeredCall, ["recordingAvailable", 99, { legId: "other-leg", url: "https://x.example/r.mp3" }]);
    const without = fold(...answeredCall);
    expect(withUnknown).toEqual({ ...without, eventCount: 6, ignoredEventCount: 1 });
  });

  it("fields WebCTI does not know are ignored", () => {
    expect(fold(...answeredCall.map(([t, s]): Spec => [t, s, { partnerRef: "x-1", nested: { a: 1 } }]))).toEqual(fold(...answeredCall));
  });

  it("refuses an empty set and an event of another conversation (the caller's mistake, not the partner's)", () => {
    expect(() => foldConversation("conv-1", [])).toThrow(RangeError);
    expect(() => foldConversation("conv-2", events(["initiated", 0]))).toThrow(/belongs to conversation 'conv-1'/);
  });
});

describe("legs", () => {
  it("“without one, to the leg whose id is the conversationId”", () => {
    expect(fold(["initiated", 0]).legs.map((l) => l.legId)).toEqual(["conv-1"]);
  });

  it("“the last parentLegId its own events carry; without one, the leg whose transferred event names it as toLegId”", () => {
    const c = fold(
      ["answered", 0, { legId: "a" }],
      ["transferred", 10, { legId: "a", toLegId: "b" }],
      ["transferred", 12, { legId: "b", toLegId: "c" }],
      ["ringing", 11, { legId: "b" }],
      ["ringing", 13, { legId: "c", parentLegId: "a" }],
    );
    expect(c.legs.map((l) => [l.legId, l.parentLegId])).toEqual([
      ["a", undefined],
      ["b", "a"],
      ["c", "a"],
    ]);
  });

  it("“legs are listed in the order of their first event”, not of arrival", () => {
    const c = fold(["ringing", 20, { legId: "late" }], ["ended", 30, { legId: "early" }], ["initiated", 0, { legId: "early" }]);
    expect(c.legs.map((l) => l.legId)).toEqual(["early", "late"]);
  });
});

describe("leg states", () => {
  const rows: Array<[rule: string, specs: Spec[], state: Leg["state"]]> = [
    ["“only an initiated” → initiated", [["initiated", 0]], "initiated"],
    ["“an ivr” → ivr", [["initiated", 0], ["ivr", 1]], "ivr"],
    ["“a queued” → queued", [["ivr", 1], ["queued", 5]], "queued"],
    ["“a ringing” → ringing", [["queued", 5], ["ringing", 9]], "ringing"],
    ["“been connected otherwise” → connected", [["ringing", 9], ["answered", 12]], "connected"],
    ["“its last hold is open” → held", [["answered", 12], ["held", 20]], "held"],
    ["resumed → connected again", [["answered", 12], ["held", 20], ["resumed", 25]], "connected"],
    ["“an ended … and was connected” → wrapUp", [["answered", 12], ["ended", 60]], "wrapUp"],
    ["“a transferred, and was connected” → wrapUp", [["answered", 12], ["transferred", 60]], "wrapUp"],
    ["“an ended … never connected” → ended", [["ringing", 9], ["ended", 60]], "ended"],
    ["“a transferred, never connected” → ended", [["queued", 9], ["transferred", 60, { toQueue: "billing" }]], "ended"],
    ["“a wrapUpCompleted” → ended", [["answered", 12], ["ended", 60], ["wrapUpCompleted", 70]], "ended"],
    ["“a wrapUpCompleted” → ended “(even without an ended event)”", [["answered", 12], ["wrapUpCompleted", 70]], "ended"],
    ["“a held or resumed (a hold shows the leg was connected…)”", [["ringing", 9], ["held", 20]], "held"],
    ["“never moves back”: a queued stamped after the answer", [["answered", 12], ["queued", 30]], "connected"],
    ["“never moves back”: a late ringing", [["ended", 60, { endedBy: "customer" }], ["ringing", 9], ["answered", 12]], "wrapUp"],
  ];
  for (const [rule, specs, state] of rows) it(rule, () => expect(leg(...specs).state).toBe(state));
});

describe("timestamps", () => {
  it("“each milestone is the first occurrence of its event type on the leg, in UTC”", () => {
    const l = leg(["ringing", 9, { agentId: "agent-2" }], ["ringing", 5], ["answered", 12], ["answered", 14], ["ended", 60], ["ended", 61]);
    expect(l).toMatchObject({ ringingAt: at(5), answeredAt: at(12), endedAt: at(60), firstEventAt: at(5), lastEventAt: at(61) });
    expect(l.initiatedAt).toBeUndefined();
  });

  it("normalizes offsets to UTC", () => {
    const l = foldConversation("c", [ConversationEvent.parse({ type: "initiated", eventId: "e1", conversationId: "c", occurredAt: "2026-11-02T09:00:00.250+01:00" })]);
    expect(l.startedAt).toBe("2026-11-02T08:00:00.250Z");
  });

  it("“endedAt … without one, the first transferred; without either, the wrapUpCompletedAt”", () => {
    expect(leg(["answered", 0], ["transferred", 30], ["ended", 40]).endedAt).toBe(at(40));
    expect(leg(["answered", 0], ["transferred", 30], ["transferred", 35]).endedAt).toBe(at(30));
    expect(leg(["answered", 0], ["wrapUpCompleted", 50]).endedAt).toBe(at(50));
  });
});

describe("durations", () => {
  const rows: Array<[rule: string, specs: Spec[], durations: LegDurations]> = [
    [
      "a full call: ivr, queue, ring, talk, wrapUp, total",
      [...answeredCall, ["ended", 100], ["wrapUpCompleted", 130]],
      { ivrSeconds: 10, queueSeconds: 20, ringSeconds: 5, holdSeconds: 0, holdCount: 0, talkSeconds: 64, wrapUpSeconds: 30, totalSeconds: 130 },
    ],
    ["“ivrAt → the first of … endedAt”: hung up in the IVR", [["ivr", 2], ["ended", 9.5]], { ivrSeconds: 7.5, holdCount: 0, totalSeconds: 7.5 }],
    ["“ivrAt → the first of queuedAt, ringingAt, answeredAt…”: straight to an agent", [["ivr", 0], ["answered", 4]], { ivrSeconds: 4, holdSeconds: 0, holdCount: 0 }],
    ["“queuedAt → the first of … answeredAt”", [["queued", 0], ["answered", 3]], { queueSeconds: 3, holdSeconds: 0, holdCount: 0 }],
    ["“ringingAt → the first of answeredAt, endedAt”: not answered", [["ringing", 0], ["ended", 20]], { ringSeconds: 20, holdCount: 0, totalSeconds: 20 }],
    ["“absent while a timestamp it needs is missing”: still in the IVR", [["initiated", 0], ["ivr", 1]], { holdCount: 0 }],
    ["“absent…”: talk and wrap-up of a connected leg", [["answered", 0]], { holdSeconds: 0, holdCount: 0 }],
    ["“wrapUpCompletedAt, else endedAt”: total during wrap-up", [["initiated", 0], ["answered", 5], ["ended", 50]], { holdSeconds: 0, holdCount: 0, talkSeconds: 45, totalSeconds: 50 }],
    ["“wrapUpSeconds … on connected legs only”", [["ringing", 0], ["ended", 10], ["wrapUpCompleted", 20]], { ringSeconds: 10, holdCount: 0, totalSeconds: 20 }],
    [
      "“None is ever negative”: answered stamped before ringing, ended before answered",
      [["ringing", 10], ["answered", 8], ["ended", 5], ["wrapUpCompleted", 4]],
      { ringSeconds: 0, holdSeconds: 0, holdCount: 0, talkSeconds: 0, wrapUpSeconds: 0, totalSeconds: 0 },
    ],
    ["milliseconds", [["ringing", 0.001], ["answered", 2.346]], { ringSeconds: 2.345, holdSeconds: 0, holdCount: 0 }],
  ];
  for (const [rule, specs, durations] of rows) it(rule, () => expect(leg(...specs).durations).toEqual(durations));

  describe("holds", () => {
    const call = (...holds: Spec[]) => leg(["answered", 0], ...holds, ["ended", 100]).durations;
    it("“a resumed closes the open hold”; “talkSeconds … minus holdSeconds”", () => {
      expect(call(["held", 10], ["resumed", 20], ["held", 30], ["resumed", 45.5])).toMatchObject({ holdSeconds: 25.5, holdCount: 2, talkSeconds: 74.5 });
    });
    it("“a held while a hold is open is part of that hold (it starts at the first)”", () => {
      expect(call(["held", 10], ["held", 15], ["resumed", 20])).toMatchObject({ holdSeconds: 10, holdCount: 1, talkSeconds: 90 });
    });
    it("“a resumed with no hold open is ignored”", () => {
      expect(call(["resumed", 5], ["held", 10], ["resumed", 20], ["resumed", 30])).toMatchObject({ holdSeconds: 10, holdCount: 1 });
    });
    it("“a hold still open at endedAt (or closed after it) closes at endedAt”", () => {
      expect(call(["held", 90])).toMatchObject({ holdSeconds: 10, holdCount: 1, talkSeconds: 90 });
      expect(call(["held", 90], ["resumed", 120])).toMatchObject({ holdSeconds: 10, holdCount: 1, talkSeconds: 90 });
    });
    it("“a held at or after endedAt opens nothing”", () => {
      expect(call(["held", 100], ["held", 110], ["resumed", 120])).toMatchObject({ holdSeconds: 0, holdCount: 0, talkSeconds: 100 });
    });
    it("“each cut to answeredAt → endedAt”: a hold stamped before the answer", () => {
      expect(leg(["held", -5], ["answered", 0], ["resumed", 10], ["ended", 100]).durations).toMatchObject({ holdSeconds: 10, talkSeconds: 90 });
    });
    it("“a hold still open counts in holdCount but not yet in holdSeconds”", () => {
      expect(leg(["answered", 0], ["held", 10], ["resumed", 20], ["held", 30]).durations).toEqual({ holdSeconds: 10, holdCount: 2 });
    });
  });
});

describe("outcomes", () => {
  const rows: Array<[rule: string, specs: Spec[], outcome: Leg["outcome"]]> = [
    ["“null before” the media ended", [["answered", 0]], null],
    ["1. “a transferred event → transferred”, before a reason", [["answered", 0], ["transferred", 9], ["ended", 10, { reason: "failed" }]], "transferred"],
    ["1. a never-connected leg transferred to another queue", [["queued", 0], ["transferred", 9, { toQueue: "billing" }]], "transferred"],
    ["2. “gives a reason → that reason”", [["queued", 0], ["ended", 10, { endedBy: "system", reason: "callbackRequested" }]], "callbackRequested"],
    ["2. a reason wins over the derived outcome of a connected leg", [["answered", 0], ["ended", 10, { reason: "failed" }]], "failed"],
    ["2. outbound busy", [["initiated", 0, { direction: "outbound" }], ["ended", 3, { reason: "busy" }]], "busy"],
    ["3. connected → “completed”", [["answered", 0], ["ended", 10, { endedBy: "customer" }]], "completed"],
    ["3. “ended on hold … and endedBy is customer” → abandonedInHold", [["answered", 0], ["held", 5], ["ended", 10, { endedBy: "customer" }]], "abandonedInHold"],
    ["3. a hold resumed after endedAt is open at endedAt", [["answered", 0], ["held", 5], ["resumed", 12], ["ended", 10, { endedBy: "customer" }]], "abandonedInHold"],
    ["3. on hold but the agent hung up → completed", [["answered", 0], ["held", 5], ["ended", 10, { endedBy: "agent" }]], "completed"],
    ["3. on hold, endedBy not given → completed", [["answered", 0], ["held", 5], ["ended", 10]], "completed"],
    ["3. resumed before the end → completed", [["answered", 0], ["held", 5], ["resumed", 8], ["ended", 10, { endedBy: "customer" }]], "completed"],
    ["4. customer, “only initiated” → abandonedInIvr", [["initiated", 0], ["ended", 3, { endedBy: "customer" }]], "abandonedInIvr"],
    ["4. customer, “ivr” → abandonedInIvr", [["ivr", 0], ["ended", 3, { endedBy: "customer" }]], "abandonedInIvr"],
    ["4. customer, “queued” → abandonedInQueue", [["ivr", 0], ["queued", 2], ["ended", 3, { endedBy: "customer" }]], "abandonedInQueue"],
    ["4. customer, “ringing” → abandonedInRinging", [["queued", 0], ["ringing", 2], ["ended", 3, { endedBy: "customer" }]], "abandonedInRinging"],
    ["4. “or not given” counts as the customer", [["queued", 0], ["ended", 3]], "abandonedInQueue"],
    ["4. “agent … while ringing” → missedByAgent (rejected)", [["ringing", 2], ["ended", 3, { endedBy: "agent" }]], "missedByAgent"],
    ["4. “system while ringing” → missedByAgent (ring-no-answer)", [["ringing", 2], ["ended", 30, { endedBy: "system" }]], "missedByAgent"],
    ["4. “agent before ringing” → canceled", [["queued", 0], ["ended", 3, { endedBy: "agent" }]], "canceled"],
    ["4. “system before ringing” → failed", [["ivr", 0], ["ended", 3, { endedBy: "system" }]], "failed"],
    ["5. outbound, “agent → canceled”", [["initiated", 0, { direction: "outbound" }], ["ringing", 1], ["ended", 9, { endedBy: "agent" }]], "canceled"],
    ["5. outbound, customer → noAnswer", [["initiated", 0, { direction: "outbound" }], ["ended", 9, { endedBy: "customer" }]], "noAnswer"],
    ["5. outbound, system → noAnswer", [["initiated", 0, { direction: "outbound" }], ["ringing", 1], ["ended", 30, { endedBy: "system" }]], "noAnswer"],
    ["5. outbound, not given → noAnswer", [["initiated", 0, { direction: "outbound" }], ["ended", 30]], "noAnswer"],
    ["5. outbound answered → completed (rule 3)", [["initiated", 0, { direction: "outbound" }], ["answered", 5], ["ended", 30]], "completed"],
    ["“several ended events disagree, the first one wins”", [["ringing", 0], ["ended", 11, { endedBy: "customer" }], ["ended", 10, { endedBy: "agent" }]], "missedByAgent"],
    ["“a later ended only fills in what the first left out”", [["queued", 0], ["ended", 10], ["ended", 11, { endedBy: "system", reason: "flowOut" }]], "flowOut"],
    ["a wrapUpCompleted without ended: connected → completed", [["answered", 0], ["wrapUpCompleted", 10]], "completed"],
  ];
  for (const [rule, specs, outcome] of rows) it(rule, () => expect(leg(...specs).outcome).toBe(outcome));

  it("a leg in wrap-up already has its outcome", () => {
    expect(leg(["answered", 0], ["ended", 10])).toMatchObject({ state: "wrapUp", outcome: "completed" });
  });
});

describe("late facts", () => {
  it("“the value of the last event that carries it”: agentId, queue, disposition, transfer", () => {
    const l = leg(
      ["queued", 0, { queue: "sales" }],
      ["ringing", 5, { agentId: "agent-1" }],
      ["queued", 3, { queue: "support" }],
      ["ringing", 20, { agentId: "agent-2" }],
      ["answered", 22, { agentId: "agent-2" }],
      ["held", 30],
      ["transferred", 40, { toAgentId: "agent-3", transferType: "consult" }],
      ["transferred", 41, { toLegId: "leg-9" }],
      ["ended", 50],
      ["wrapUpCompleted", 60, { disposition: "sold" }],
      ["wrapUpCompleted", 61, { disposition: "resold" }],
    );
    expect(l).toMatchObject({
      agentId: "agent-2",
      queue: "support",
      disposition: "resold",
      transfer: { toLegId: "leg-9", toAgentId: "agent-3", transferType: "consult" },
    });
  });

  it("“channel and direction … come from the first event”", () => {
    const c = fold(["initiated", 0, { channel: "chat", direction: "outbound" }], ["answered", 5, { channel: "sms", direction: "inbound" }]);
    expect(c).toMatchObject({ channel: "chat", direction: "outbound" });
    expect(c.legs[0]).toMatchObject({ channel: "chat", direction: "outbound" });
  });

  it("“customer, field by field”", () => {
    const c = fold(
      ["initiated", 0, { customer: { phone: "+1 206 555 0100", name: "A" } }],
      ["ringing", 5, { customer: { name: "Ann Lee" } }],
      ["ended", 20, { customer: { email: "ann@example.com" } }],
    );
    expect(c.customer).toEqual({ phone: "+1 206 555 0100", name: "Ann Lee", email: "ann@example.com" });
  });

  it("“endedBy and reason come from the first ended that carries them”", () => {
    expect(leg(["answered", 0], ["ended", 10], ["ended", 11, { endedBy: "agent" }], ["ended", 12, { endedBy: "customer" }]).endedBy).toBe("agent");
  });
});

describe("the conversation", () => {
  const transfer: Spec[] = [
    ["initiated", 0, { legId: "a" }],
    ["answered", 5, { legId: "a" }],
    ["transferred", 60, { legId: "a", toLegId: "b" }],
    ["ringing", 61, { legId: "b", agentId: "agent-2" }],
    ["answered", 65, { legId: "b", agentId: "agent-2" }],
  ];

  it("is “active” while a leg is", () => {
    expect(fold(...transfer)).toMatchObject({ state: "active", endedAt: null, outcome: null, startedAt: at(0), lastEventAt: at(65) });
  });

  it("is in “wrapUp while some leg is in wrap-up”, with the outcome of the leg that ended last", () => {
    const c = fold(...transfer, ["ended", 200, { legId: "b", endedBy: "customer" }], ["wrapUpCompleted", 90, { legId: "a" }]);
    expect(c).toMatchObject({ state: "wrapUp", endedAt: at(200), outcome: "completed" });
    expect(c.legs.map((l) => l.state)).toEqual(["ended", "wrapUp"]);
  });

  it("is “ended when every leg is ended”; endedAt is the latest leg endedAt, not the last wrap-up", () => {
    const c = fold(...transfer, ["ended", 200, { legId: "b" }], ["wrapUpCompleted", 90, { legId: "a" }], ["wrapUpCompleted", 230, { legId: "b" }]);
    expect(c).toMatchObject({ state: "ended", endedAt: at(200), outcome: "completed", lastEventAt: at(230), eventCount: 8 });
  });

  it("“a leg named as toLegId … but not heard from yet keeps the conversation active”", () => {
    const c = fold(["answered", 5, { legId: "a" }], ["transferred", 60, { legId: "a", toLegId: "b" }]);
    expect(c).toMatchObject({ state: "active", endedAt: null, outcome: null });
    expect(c.legs.map((l) => l.legId)).toEqual(["a"]);
  });

  it("a transfer to a queue (no toLegId) ends the conversation with outcome transferred", () => {
    expect(fold(["queued", 0], ["transferred", 60, { toQueue: "billing" }])).toMatchObject({ state: "ended", outcome: "transferred", endedAt: at(60) });
  });

  it("“on a tie, the one listed last”", () => {
    const c = fold(["ringing", 0, { legId: "a" }], ["ringing", 1, { legId: "b" }], ["ended", 9, { legId: "b", endedBy: "agent" }], ["ended", 9, { legId: "a" }]);
    expect(c.outcome).toBe("missedByAgent");
  });

  it("“only a conversation with nothing but unknown events takes them from those”", () => {
    const c = fold(["recordingAvailable", 7], ["partnerNote", 3]);
    expect(c).toMatchObject({ legs: [], state: "active", startedAt: at(3), lastEventAt: at(7), eventCount: 2, ignoredEventCount: 2, customer: {} });
  });
});
