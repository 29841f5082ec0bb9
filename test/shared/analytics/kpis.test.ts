import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { foldConversation } from "../../../shared/conversation/conversationState.js";
import { ConversationEvent } from "../../../shared/schemas/conversationEvent.js";
import { ConversationFacts, KpiAggregate, KpiSettings, Kpis, defaultKpiSettings } from "../../../shared/schemas/analytics.js";
import { factsOf } from "../../../shared/analytics/conversationFacts.js";
import { addAggregates, emptyAggregate, kpisOf } from "../../../shared/analytics/kpis.js";
import { contributionsByAgent } from "../../../shared/analytics/contributionsByAgent.js";
import { groupId, parseGroupId, sumFactsRows } from "../../../shared/analytics/sumFactsRows.js";
import { startOf } from "../../../shared/analytics/intervals.js";
import type { Dimension, FactsRowValue } from "../../../shared/analytics/kpiStore.js";
import { goldenConversations } from "../../fixtures/goldenConversations.js";
import { goldenKpis } from "../../fixtures/goldenKpis.js";

/**
 * The golden set (test/fixtures/goldenConversations.ts) through the real model, with every figure worked
 * out BY HAND from docs/kpis.md: first each conversation's facts (the table below), then the sums of that
 * table per group, written as literals with their arithmetic. Nothing expected here is computed by the code.
 */

const golden = goldenConversations({ prefix: "gold", providers: ["p1", "p2"], agents: ["a1", "a2", "a3", "a4"] });
const changed: KpiSettings = { shortAbandonSeconds: 10, serviceLevelSeconds: 30 };

function factsFor(events: readonly ConversationEvent[], settings: KpiSettings): ConversationFacts[] {
  const byConversation = new Map<string, ConversationEvent[]>();
  for (const event of events) byConversation.set(event.conversationId, [...(byConversation.get(event.conversationId) ?? []), event]);
  const providerOf = new Map(golden.map((c) => [c.conversationId, c.providerId]));
  return [...byConversation]
    .map(([id, list]) => factsOf(foldConversation(id, list), settings, providerOf.get(id)!))
    .filter((f): f is ConversationFacts => f !== null)
    .sort((a, b) => a.conversationId.localeCompare(b.conversationId));
}

const allEvents = golden.flatMap((c) => c.events.map((e) => ConversationEvent.parse(e)));
const facts = factsFor(allEvents, defaultKpiSettings);
const factsChanged = factsFor(allEvents, changed);

// ── Each conversation's facts, by hand (default settings: short abandon < 5 s, service level ≤ 20 s) ──
// class: ans = answered · hold = answered, abandoned on hold · ivr/queue/ringing = abandoned there ·
// flow = flow-out · other = unanswered other · out / outc = outbound / outbound connected.
// wait: first queued/ringing → first answered (or → end); SL20/SL30: answered with wait ≤ 20 / ≤ 30 s;
// S5/S10: short abandon under 5 / 10 s. talk/hold/wrap: seconds summed over the connected legs.
type Row = [name: string, group: string, queue: string, agent: string, endedAt: string, outcome: string, cls: string, waitS: number | null, sl20: 0 | 1, sl30: 0 | 1, s5: 0 | 1, s10: 0 | 1, xfer: 0 | 1, missed: string[], talk: number, hold: number, wrap: number];
// prettier-ignore
const table: Row[] = [
  // 09:00–09:15, provider 1 voice
  ["c01", "p1/voice", "support", "a1", "09:02:22.000", "completed",          "ans",     12,    1, 1, 0, 0, 0, [],     120,     0, 30],
  ["c02", "p1/voice", "support", "a1", "09:04:39.900", "completed",          "ans",     19.9,  1, 1, 0, 0, 0, [],     200,     0, 20],
  ["c03", "p1/voice", "support", "a2", "09:03:50.000", "completed",          "ans",     20,    1, 1, 0, 0, 0, [],      60,    30, 10],
  ["c04", "p1/voice", "sales",   "a2", "09:05:00.100", "completed",          "ans",     20.1,  0, 1, 0, 0, 0, [],     100,     0, 20],
  ["c05", "p1/voice", "sales",   "a3", "09:06:00.000", "completed",          "ans",     30,    0, 1, 0, 0, 0, [],      90,     0, 30],
  ["c06", "p1/voice", "sales",   "a3", "09:08:00.100", "completed",          "ans",     30.1,  0, 0, 0, 0, 0, [],     150,     0, 15],
  ["c07", "p1/voice", "support", "",   "09:06:04.900", "abandonedInQueue",   "queue",   4.9,   0, 0, 1, 1, 0, [],       0,     0,  0],
  ["c08", "p1/voice", "support", "",   "09:07:05.000", "abandonedInQueue",   "queue",   5,     0, 0, 0, 1, 0, [],       0,     0,  0],
  ["c09", "p1/voice", "sales",   "",   "09:08:05.100", "abandonedInQueue",   "queue",   5.1,   0, 0, 0, 1, 0, [],       0,     0,  0],
  ["c10", "p1/voice", "sales",   "a1", "09:09:12.000", "abandonedInRinging", "ringing", 12,    0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c11", "p1/voice", "support", "a2", "09:10:04.000", "abandonedInRinging", "ringing", 4,     0, 0, 1, 1, 0, [],       0,     0,  0],
  ["c12", "p1/voice", "",        "",   "09:11:30.000", "abandonedInIvr",     "ivr",     null,  0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c13", "p1/voice", "support", "a1", "09:13:15.000", "abandonedInHold",    "hold",    15,    1, 1, 0, 0, 0, [],      40,    20, 10],
  ["c14", "p1/voice", "sales",   "",   "09:13:40.000", "voicemail",          "flow",    40,    0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c15", "p1/voice", "support", "a2", "09:14:59.999", "completed",          "ans",     15,    1, 1, 0, 0, 0, [], 164.999,     0, 30],
  ["c16", "p1/voice", "support", "",   "09:15:00.000", "abandonedInQueue",   "queue",   60,    0, 0, 0, 0, 0, [],       0,     0,  0],
  // 09:15–09:30, provider 1 voice
  ["c17", "p1/voice", "support", "a1", "09:18:20.000", "completed",          "ans",     15,    1, 1, 0, 0, 1, [],     180,     0, 50], // 60 + 120 talk; 20 + 30 wrap
  ["c18", "p1/voice", "sales",   "a1", "09:18:13.000", "completed",          "ans",     33,    0, 0, 0, 0, 0, ["a3"], 100,     0, 20], // 09:16:00 → 09:16:33
  ["c19", "p1/voice", "support", "",   "09:17:45.000", "callbackRequested",  "flow",    45,    0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c20", "p1/voice", "sales",   "",   "09:18:25.000", "flowOut",            "flow",    25,    0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c21", "p1/voice", "support", "",   "09:19:30.000", "transferred",        "flow",    30,    0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c22", "p1/voice", "support", "a2", "09:20:35.000", "missedByAgent",      "other",   35,    0, 0, 0, 0, 0, ["a2"],   0,     0,  0],
  ["c23", "p1/voice", "",        "",   "09:21:02.000", "failed",             "other",   null,  0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c24", "p1/voice", "sales",   "",   "09:22:10.000", "canceled",           "other",   10,    0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c25", "p1/voice", "",        "",   "09:23:01.000", "busy",               "other",   null,  0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c26", "p1/voice", "support", "a3", "09:24:40.000", "noAnswer",           "other",   40,    0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c27", "p1/voice", "support", "a3", "09:28:40.000", "completed",          "ans",     20,    1, 1, 0, 0, 0, [],     200,     0,  0], // wrap-up not completed
  ["c28", "p1/voice", "sales",   "a1", "09:28:05.000", "completed",          "ans",     5,     1, 1, 0, 0, 0, [],      75,    45, 25], // holds 15 + 30
  ["c29", "p1/voice", "",        "a2", "09:29:10.000", "completed",          "outc",    null,  0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c30", "p1/voice", "",        "a3", "09:28:30.000", "noAnswer",           "out",     null,  0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c31", "p1/voice", "",        "a1", "09:29:05.000", "canceled",           "out",     null,  0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c32", "p1/voice", "support", "a1", "09:30:00.000", "completed",          "ans",     20,    1, 1, 0, 0, 0, [],     160,     0, 20],
  // 09:30–09:45, provider 1 chat
  ["c33", "p1/chat",  "webchat", "a4", "09:35:25.000", "completed",          "ans",     25,    0, 1, 0, 0, 0, [],     300,     0, 60],
  ["c34", "p1/chat",  "webchat", "a4", "09:35:10.000", "completed",          "ans",     10,    1, 1, 0, 0, 0, [],     240,     0, 30],
  ["c35", "p1/chat",  "webchat", "",   "09:33:30.000", "abandonedInQueue",   "queue",   90,    0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c36", "p1/chat",  "webchat", "",   "09:33:09.900", "abandonedInQueue",   "queue",   9.9,   0, 0, 0, 1, 0, [],       0,     0,  0],
  ["c37", "p1/chat",  "webchat", "a4", "09:38:15.000", "completed",          "ans",     12,    1, 1, 0, 0, 1, [],     240,     0, 30], // 120 + 120 talk; 10 + 20 wrap
  ["c38", "p1/chat",  "webchat", "a4", "09:36:00.000", "abandonedInQueue",   "queue",   60,    0, 0, 0, 0, 0, ["a4"],   0,     0,  0],
  ["c39", "p1/chat",  "webchat", "a1", "09:39:30.000", "completed",          "ans",     30,    0, 1, 0, 0, 0, [],     180,     0,  0],
  // 09:30–09:45, provider 2 voice
  ["c40", "p2/voice", "billing", "a2", "09:36:40.000", "completed",          "ans",     20,    1, 1, 0, 0, 0, [],     300,    60, 40],
  ["c41", "p2/voice", "billing", "a3", "09:35:05.000", "completed",          "ans",     45,    0, 0, 0, 0, 0, [],     200,     0, 20],
  ["c42", "p2/voice", "billing", "a3", "09:32:40.000", "abandonedInRinging", "ringing", 40,    0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c43", "p2/voice", "billing", "",   "09:33:02.000", "abandonedInQueue",   "queue",   2,     0, 0, 1, 1, 0, [],       0,     0,  0],
  ["c44", "p2/voice", "",        "",   "09:34:50.000", "abandonedInIvr",     "ivr",     null,  0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c45", "p2/voice", "billing", "a2", "09:35:40.000", "voicemail",          "flow",    40,    0, 0, 0, 0, 0, [],       0,     0,  0],
  ["c46", "p2/voice", "billing", "a2", "09:38:05.000", "completed",          "ans",     25,    0, 1, 0, 0, 0, ["a3"], 100,     0, 15],
  ["c47", "p2/voice", "billing", "a3", "09:40:40.000", "completed",          "ans",     8,     1, 1, 0, 0, 1, [],     180,    30, 30], // 60 + 120 talk; hold 30 until the transfer
  // 10:00–10:15
  ["c48", "p1/voice", "support", "a1", "10:02:09.900", "completed",          "ans",     29.9,  0, 1, 0, 0, 0, [],     100,     0, 20],
  ["c49", "p1/voice", "support", "a2", "10:02:00.000", "completed",          "ans",     3,     1, 1, 0, 0, 0, [],      57,     0, 60],
  ["c50", "p1/voice", "support", "a1", "10:03:09.000", "abandonedInRinging", "ringing", 9,     0, 0, 0, 1, 0, [],       0,     0,  0],
  ["c51", "p2/voice", "billing", "a3", "10:05:00.000", "completed",          "ans",     10,    1, 1, 0, 0, 0, [],      50,     0, 10],
  ["c52", "p1/voice", "sales",   "a3", "10:06:00.000", "completed",          "ans",     15,    1, 1, 0, 0, 0, [],      45,     0,  5],
  // c53 is still ringing: no facts. c54 ends after midnight.
  ["c54", "p2/voice", "billing", "a2", "2026-11-03T00:00:05.000Z", "completed", "ans",  15,    1, 1, 0, 0, 0, [],      50,     0, 10],
];

function expectedFacts([name, group, queue, agent, endedAt, outcome, cls, waitS, sl20, , s5, , xfer, missed, talk, hold, wrap]: Row): ConversationFacts {
  const [providerId, channel] = group.split("/") as [string, "voice" | "chat"];
  const inbound = cls !== "out" && cls !== "outc";
  const answered = cls === "ans" || cls === "hold";
  return {
    conversationId: `gold-${name}`,
    providerId,
    channel,
    direction: inbound ? "inbound" : "outbound",
    ...(queue && { queue }),
    ...(agent && { agentId: agent }),
    intervalAt: endedAt.includes("T") ? endedAt : `2026-11-02T${endedAt}Z`,
    outcome: outcome as ConversationFacts["outcome"],
    offered: inbound,
    answered,
    ...(["ivr", "queue", "ringing", "hold"].includes(cls) && { abandonedIn: cls as "ivr" }),
    shortAbandon: s5 === 1,
    flowOut: cls === "flow",
    unansweredOther: cls === "other",
    ...(waitS !== null && { waitMs: Math.round(waitS * 1000) }),
    withinServiceLevel: sl20 === 1,
    transferred: xfer === 1,
    missedByAgentIds: missed,
    talkMs: Math.round(talk * 1000),
    holdMs: hold * 1000,
    wrapUpMs: wrap * 1000,
    outboundConnected: cls === "outc",
  };
}

/** Compares KPI figures: counts exactly, rates and averages to 9 decimals, null exactly. */
function expectKpis(actual: Kpis, expected: Partial<Kpis>) {
  for (const [key, value] of Object.entries(expected)) {
    const got = actual[key as keyof Kpis];
    if (typeof value === "number" && !Number.isInteger(value)) expect(got, key).toBeCloseTo(value, 9);
    else expect(got, key).toEqual(value);
  }
}

/**
 * The production path without the tables: the projection writes each conversation's facts row in the
 * quarter-hour it ended in (projectConversation), a recompute sums one provider's rows of one quarter-hour
 * (sumFactsRows), hours and days and reports add those sums up (addAggregates).
 */
function factsRow(f: ConversationFacts, partnerEvents: Record<string, number> = {}): FactsRowValue {
  return { channel: f.channel, ...(f.queue !== undefined && { queue: f.queue }), ...(f.agentId !== undefined && { agentId: f.agentId }), facts: f, partnerEvents };
}

interface QuarterRow {
  providerId: string;
  quarterStart: string;
  channel: string;
  value: string;
  aggregate: KpiAggregate;
}

/** The kpiQuarterHours rows of one dimension for these conversations. */
function quarterRows(list: readonly ConversationFacts[], dimension: Dimension): QuarterRow[] {
  const partitions = new Map<string, ConversationFacts[]>();
  for (const f of list) {
    const id = `${f.providerId}|${startOf(f.intervalAt, "15m")}`;
    partitions.set(id, [...(partitions.get(id) ?? []), f]);
  }
  return [...partitions].flatMap(([id, members]) => {
    const [providerId, quarterStart] = id.split("|") as [string, string];
    return [...sumFactsRows(members.map((f) => factsRow(f)))]
      .map(([group, aggregate]) => ({ group: parseGroupId(group), aggregate }))
      .filter(({ group }) => group[1] === dimension)
      .map(({ group: [channel, , value], aggregate }) => ({ providerId, quarterStart, channel, value, aggregate }));
  });
}

/** Adds the rows up by `keyOf`, as a report or a roll-up does, and derives the figures. */
function group(list: readonly ConversationFacts[], dimension: Dimension, keyOf: (row: QuarterRow) => string): Record<string, Kpis> {
  const sums = new Map<string, KpiAggregate>();
  for (const row of quarterRows(list, dimension)) sums.set(keyOf(row), addAggregates(sums.get(keyOf(row)) ?? emptyAggregate(), row.aggregate));
  return Object.fromEntries([...sums].map(([key, aggregate]) => [key, kpisOf(aggregate)]));
}

/** The aggregate of every conversation in the list. */
function total(list: readonly ConversationFacts[]): KpiAggregate {
  return quarterRows(list, "all").reduce((sum, row) => addAggregates(sum, row.aggregate), emptyAggregate());
}

const byProviderChannel = (row: QuarterRow) => `${row.providerId}/${row.channel}`;

describe("golden conversations: per-conversation facts (docs/kpis.md, 'Per-conversation facts')", () => {
  it("54 conversations, every LegOutcome as a conversation outcome; 'until then it counts nowhere' (the one still ringing has no facts)", () => {
    expect(golden).toHaveLength(54);
    expect(facts.map((f) => f.conversationId)).not.toContain("gold-c53");
    expect(new Set(facts.map((f) => f.outcome))).toEqual(
      new Set(["completed", "transferred", "abandonedInIvr", "abandonedInQueue", "abandonedInRinging", "abandonedInHold", "voicemail", "callbackRequested", "flowOut", "noAnswer", "busy", "failed", "canceled", "missedByAgent"]),
    );
  });

  it.each(table.map((row) => [row[0], row] as const))("%s has the facts worked out by hand", (name, row) => {
    const actual = facts.find((f) => f.conversationId === `gold-${name}`);
    expect(ConversationFacts.parse(actual)).toEqual(expectedFacts(row));
  });

  it("with the tenant's thresholds changed to 10 s / 30 s, the S10 and SL30 columns apply", () => {
    for (const row of table) {
      const actual = factsChanged.find((f) => f.conversationId === `gold-${row[0]}`)!;
      expect({ name: row[0], short: actual.shortAbandon, within: actual.withinServiceLevel }).toEqual({ name: row[0], short: row[11] === 1, within: row[9] === 1 });
    }
  });

  it("'offered = answered + abandonedInIvr + abandonedInQueue + abandonedInRinging + flowOut + unansweredOther'", () => {
    const a = total(facts);
    expect(a.offered).toBe(a.answered + a.abandonedInIvr + a.abandonedInQueue + a.abandonedInRinging + a.flowOut + a.unansweredOther);
  });
});

describe("golden conversations: KPIs by hand (docs/kpis.md, 'Formulas')", () => {
  it("the whole set, default settings (short abandon 5 s, service level 20 s)", () => {
    // offered 33 (p1 voice) + 7 (p1 chat) + 10 (p2 voice) = 50; answered 16 + 4 + 6 = 26
    // abandoned in IVR c12 c44 = 2; in queue c07 c08 c09 c16 c35 c36 c38 c43 = 8; ringing c10 c11 c42 c50 = 4; hold c13 = 1
    // short (< 5 s): c07 4.9, c11 4, c43 2 = 3; SL20: 11 + 2 + 4 = 17
    expectKpis(group(facts, "all", () => "whole")["whole"]!, goldenKpis.whole);
  });

  it("the whole set with the tenant setting changed (short abandon 10 s, service level 30 s)", () => {
    // short (< 10 s): c07 4.9, c08 5, c09 5.1, c11 4, c50 9, c36 9.9, c43 2 = 7
    // SL30: p1 voice 11 + c04 c05 c48 = 14; chat 2 + c33 c39 = 4; p2 voice 4 + c46 = 5 → 23
    expectKpis(group(factsChanged, "all", () => "whole")["whole"]!, goldenKpis.wholeChanged);
  });

  it("by provider and channel", () => {
    const kpis = group(facts, "all", byProviderChannel);
    expect(Object.keys(kpis).sort()).toEqual(["p1/chat", "p1/voice", "p2/voice"]);
    // p1 voice: 36 conversations, 3 outbound; answered c01–c06 c13 c15 c17 c18 c27 c28 c32 c48 c49 c52 = 16
    // waits 12 + 19.9 + 20 + 20.1 + 30 + 30.1 + 15 + 15 + 15 + 33 + 20 + 5 + 20 + 29.9 + 3 + 15 = 303
    // talk 120 + 200 + 60 + 100 + 90 + 150 + 40 + 164.999 + 180 + 100 + 200 + 75 + 160 + 100 + 57 + 45 = 1841.999
    // hold 30 + 20 + 45 = 95; wrap 30 + 20 + 10 + 20 + 30 + 15 + 10 + 30 + 50 + 20 + 0 + 25 + 20 + 20 + 60 + 5 = 365
    expectKpis(kpis["p1/voice"]!, goldenKpis.p1Voice);
    // p1 chat: c33–c39; answered c33 c34 c37 c39; waits 25 + 10 + 12 + 30 = 77; talk 300 + 240 + 240 + 180 = 960; wrap 60 + 30 + 30 + 0 = 120
    expectKpis(kpis["p1/chat"]!, goldenKpis.p1Chat);
    // p2 voice: c40–c47 c51 c54; answered c40 c41 c46 c47 c51 c54; waits 20 + 45 + 25 + 8 + 10 + 15 = 123
    // talk 300 + 200 + 100 + 180 + 50 + 50 = 880; hold 60 + 30 = 90; wrap 40 + 20 + 15 + 30 + 10 + 10 = 125
    expectKpis(kpis["p2/voice"]!, goldenKpis.p2Voice);
  });

  it("by provider and channel with the setting changed (10 s / 30 s)", () => {
    const kpis = group(factsChanged, "all", byProviderChannel);
    // p1 voice: short c07 c08 c09 c11 c50 = 5; SL30 14
    expectKpis(kpis["p1/voice"]!, goldenKpis.p1VoiceChanged); // (7 − 5) / (33 − 1 − 5); 14 / (16 + 7 − 5)
    // p1 chat: short c36 = 1; SL30 4
    expectKpis(kpis["p1/chat"]!, goldenKpis.p1ChatChanged); // (3 − 1) / (7 − 1); 4 / (4 + 3 − 1)
    // p2 voice: short c43 = 1; SL30 5
    expectKpis(kpis["p2/voice"]!, goldenKpis.p2VoiceChanged);
  });

  it("by queue: 'the first queue the conversation was offered in' (c17 stays in support after its transfer to billing)", () => {
    const kpis = group(facts, "queue", (row) => row.value);
    expect(Object.keys(kpis).sort()).toEqual(["", "billing", "sales", "support", "webchat"]);
    // support: c01 c02 c03 c07 c08 c11 c13 c15 c16 c17 c19 c21 c22 c26 c27 c32 c48 c49 c50 = 19
    // answered c01 c02 c03 c13 c15 c17 c27 c32 c48 c49 = 10; queue c07 c08 c16; ringing c11 c50; short c07 c11
    // SL20 all answered but c48 = 9; waits 12 + 19.9 + 20 + 15 + 15 + 15 + 20 + 20 + 29.9 + 3 = 169.8
    expectKpis(kpis["support"]!, goldenKpis.queueSupport);
    // sales: c04 c05 c06 c09 c10 c14 c18 c20 c24 c28 c52 = 11; answered c04 c05 c06 c18 c28 c52 = 6; SL20 c28 c52
    expectKpis(kpis["sales"]!, goldenKpis.queueSales);
    expectKpis(kpis["billing"]!, goldenKpis.queueBilling); // (1 + 1 − 1) / (9 − 1)
    expectKpis(kpis["webchat"]!, goldenKpis.queueWebchat);
    // no queue: c12 c23 c25 c44 inbound (IVR c12 c44; failed c23; busy c25) and the outbound c29 c30 c31
    expectKpis(kpis[""]!, goldenKpis.queueNone); // (0 + 0 − 0) / (4 − 2 − 0); SL: 0 / (0 + 0 − 0)
  });

  it("by agent: 'the agent who answered first'; 'each missed leg counts for the agent who missed it'", () => {
    const kpis = group(facts, "agent", (row) => row.value);
    expect(Object.keys(kpis).sort()).toEqual(["", "a1", "a2", "a3", "a4"]);
    // a1: c01 c02 c10 c13 c17 c18 c28 c32 c39 c48 c50 inbound (11), c31 outbound; answered all but c10 c50 = 9
    // SL20 c01 c02 c13 c17 c28 c32 = 6; talk 120 + 200 + 40 + 180 + 100 + 75 + 160 + 180 + 100 = 1155
    expectKpis(kpis["a1"]!, goldenKpis.agentA1);
    // a2: c03 c04 c11 c15 c22 c40 c45 c46 c49 c54 (10), c29 outbound; answered c03 c04 c15 c40 c46 c49 c54 = 7
    expectKpis(kpis["a2"]!, goldenKpis.agentA2);
    // a3: c05 c06 c26 c27 c41 c42 c47 c51 c52 (9), c30 outbound; answered c05 c06 c27 c41 c47 c51 c52 = 7
    // plus the legs it missed in c18 (answered by a1) and c46 (answered by a2)
    expectKpis(kpis["a3"]!, goldenKpis.agentA3); // c27 c47 c51 c52 / (7 + 1)
    // a4: c33 c34 c37 c38; answered 3; c38 missed by a4 then abandoned in queue
    expectKpis(kpis["a4"]!, goldenKpis.agentA4);
    // no agent: 12 p1 voice + c35 c36 + c43 c44 = 16, none answered
    expectKpis(kpis[""]!, goldenKpis.agentNone);
  });

  it("by 15-minute interval of endedAt: 'one that ended at 09:14:59.999 counts in 09:00–09:15; one that ended at 09:15:00.000 in 09:15–09:30'", () => {
    const kpis = group(facts, "all", (row) => row.quarterStart);
    expect(Object.keys(kpis).sort()).toEqual([
      "2026-11-02T09:00:00.000Z",
      "2026-11-02T09:15:00.000Z",
      "2026-11-02T09:30:00.000Z",
      "2026-11-02T10:00:00.000Z",
      "2026-11-03T00:00:00.000Z",
    ]);
    // 09:00: c01–c15; answered c01–c06 c13 c15 = 8; queue c07 c08 c09; ringing c10 c11; short c07 c11; SL20 c01 c02 c03 c13 c15
    expectKpis(kpis["2026-11-02T09:00:00.000Z"]!, goldenKpis.quarter0900); // (5 − 2) / (15 − 1 − 2); 5 / (8 + 5 − 2)
    // 09:15: c16–c31 (13 inbound, 3 outbound); answered c17 c18 c27 c28; queue c16; SL20 c17 c27 c28
    expectKpis(kpis["2026-11-02T09:15:00.000Z"]!, goldenKpis.quarter0915);
    // 09:30: c32–c47; answered c32 c33 c34 c37 c39 c40 c41 c46 c47 = 9; queue c35 c36 c38 c43; ringing c42; ivr c44; short c43
    // SL20 c32 c34 c37 c40 c47 = 5
    expectKpis(kpis["2026-11-02T09:30:00.000Z"]!, goldenKpis.quarter0930); // (5 − 1) / (16 − 1 − 1); 5 / (9 + 5 − 1)
    // 10:00: c48–c52; answered c48 c49 c51 c52; ringing c50 (9 s, not short); SL20 c49 c51 c52
    expectKpis(kpis["2026-11-02T10:00:00.000Z"]!, goldenKpis.quarter1000);
    expectKpis(kpis["2026-11-03T00:00:00.000Z"]!, goldenKpis.quarterNextDay); // c54
  });

  it("by hour and by day, per provider and channel", () => {
    const hours = group(facts, "all", (row) => startOf(row.quarterStart, "hour"));
    // 09:00–10:00 = the three quarter-hours: offered 15 + 13 + 16 = 44; answered 8 + 4 + 9 = 21; SL20 5 + 3 + 5 = 13
    // queue + ringing abandons 5 + 1 + 5 = 11; short 2 + 0 + 1 = 3; IVR c12 c44 = 2
    expectKpis(hours["2026-11-02T09:00:00.000Z"]!, goldenKpis.hour09); // (11 − 3) / (44 − 2 − 3); 13 / (21 + 11 − 3)
    expectKpis(hours["2026-11-02T10:00:00.000Z"]!, goldenKpis.hour10);
    const days = group(facts, "all", (row) => startOf(row.quarterStart, "day"));
    // 2026-11-02: all but c54: offered 49, answered 25, SL20 16, queue + ringing 12, short 3, IVR 2
    expectKpis(days["2026-11-02T00:00:00.000Z"]!, goldenKpis.day02); // (12 − 3) / (49 − 2 − 3); 16 / (25 + 12 − 3)
    expectKpis(days["2026-11-03T00:00:00.000Z"]!, goldenKpis.day03);
    const daysByProvider = group(facts, "all", (row) => `${startOf(row.quarterStart, "day")} ${byProviderChannel(row)}`);
    // p2 voice on 2026-11-02: c40–c47 c51 (c54 ended on the 3rd): offered 9, answered 5, SL20 c40 c47 c51 = 3
    expectKpis(daysByProvider["2026-11-02T00:00:00.000Z p2/voice"]!, goldenKpis.dayP2Voice02); // 3 / (5 + 1 + 1 − 1)
    expectKpis(daysByProvider["2026-11-03T00:00:00.000Z p2/voice"]!, goldenKpis.dayP2Voice03);
  });
});

describe("the aggregate: 'counts and sums only', so sums add and merge exactly", () => {
  it("merging the aggregates of two halves gives the aggregate of the whole", () => {
    const whole = total(facts);
    expect(addAggregates(total(facts.slice(0, 20)), total(facts.slice(20)))).toEqual(whole);
    expect(KpiAggregate.parse(whole)).toEqual(whole);
  });

  it("a conversation whose facts change counts once, with its new facts, when its quarter-hour is recomputed", () => {
    // c27 first counted before its wrap-up completed; then its wrap-up completes 45 s after the end
    const before = total(facts);
    const old = facts.find((f) => f.conversationId === "gold-c27")!;
    const after = total(facts.map((f) => (f === old ? { ...old, wrapUpMs: 45_000 } : f)));
    expect(after.wrapUpMs - before.wrapUpMs).toBe(45_000);
    expect({ ...after, wrapUpMs: before.wrapUpMs }).toEqual(before);
  });

  it("split by agent, a missed leg counts for the agent who missed it (c18: a1 answered, a3 missed)", () => {
    const c18 = facts.find((f) => f.conversationId === "gold-c18")!;
    expect(contributionsByAgent(c18).map((p) => [p.agentId, p.aggregate.answered, p.aggregate.missedByAgent])).toEqual([
      ["a1", 1, 0],
      ["a3", 0, 1],
    ]);
  });

  it("partner-defined events (CIF 2.0 logAnalyticsEvent shape) count per eventName, with the conversation's agent", () => {
    const c01 = facts.find((f) => f.conversationId === "gold-c01")!;
    const sums = sumFactsRows([
      factsRow(c01, { surveyOffered: 1, csatSubmitted: 1 }),
      // a conversation that has not ended counts only its events
      { channel: "voice", queue: "support", agentId: "a2", partnerEvents: { surveyOffered: 1 } },
    ]);
    expect(kpisOf(sums.get(groupId("voice", "all", ""))!).partnerEvents).toEqual({ surveyOffered: 2, csatSubmitted: 1 });
    expect(kpisOf(sums.get(groupId("voice", "queue", "support"))!).partnerEvents).toEqual({ surveyOffered: 2, csatSubmitted: 1 });
    expect(kpisOf(sums.get(groupId("voice", "agent", "a1"))!).partnerEvents).toEqual({ surveyOffered: 1, csatSubmitted: 1 });
    expect(sums.get(groupId("voice", "agent", "a2"))).toMatchObject({ offered: 0, partnerEvents: { surveyOffered: 1 } });
  });
});

describe("replays: 'it is never counted twice'", () => {
  it("the same events replayed three times, shuffled, give the same facts and KPIs", () => {
    const expectedKpis = kpisOf(total(facts));
    const tripled = [...allEvents, ...allEvents, ...allEvents];
    fc.assert(
      fc.property(fc.shuffledSubarray(tripled, { minLength: tripled.length, maxLength: tripled.length }), (shuffled) => {
        const replayed = factsFor(shuffled, defaultKpiSettings);
        expect(replayed).toEqual(facts);
        expect(kpisOf(total(replayed))).toEqual(expectedKpis);
      }),
      { numRuns: 10 },
    );
  });
});
