import { describe, expect, it } from "vitest";
import { decideScreenPop, type PopDecisionInput } from "../../../shared/screenPop/decideScreenPop.js";
import { ConversationEvent, type ConversationEventInput } from "../../../shared/schemas/conversationEvent.js";
import { ScreenPopPolicy } from "../../../shared/schemas/provider.js";
import { PopTarget } from "../../../shared/schemas/screenPop.js";
import type { RecordMatch } from "../../../shared/schemas/directory.js";

/**
 * The screen-pop policy as a scenario table. Events and policies go through their zod schemas, so the
 * defaults a partner gets (voice, inbound, trigger "ringing", record / search / newRecord) are the ones
 * tested here.
 */

type EventType = "ringing" | "answered" | "ended";
type PolicyInput = Parameters<typeof ScreenPopPolicy.parse>[0];

const alice: RecordMatch = { type: "contact", id: "c-alice", name: "Alice Johnson" };
const bob: RecordMatch = { type: "contact", id: "c-bob", name: "Bob Smith" };
const carol: RecordMatch = { type: "contact", id: "c-carol", name: "Carol Smith" };
const contoso: RecordMatch = { type: "account", id: "a-contoso", name: "Contoso" };

const alicePhone = { e164: "+12065550101" };

function event(type: EventType, fields: Partial<ConversationEventInput> = {}): ConversationEvent {
  return ConversationEvent.parse({
    type,
    eventId: "evt-1",
    conversationId: "call-1",
    occurredAt: "2026-11-24T10:00:00Z",
    agentId: "agent-1",
    customer: { phone: "(206) 555-0101" },
    ...fields,
  });
}

function decide(
  policy: PolicyInput,
  evt: ConversationEvent,
  matches: RecordMatch[],
  phone?: PopDecisionInput["phone"],
): PopTarget | null {
  const target = decideScreenPop({ policy: ScreenPopPolicy.parse(policy), event: evt, matches, ...(phone ? { phone } : {}) });
  // Whatever pops must be something the browser client can read.
  if (target !== null) expect(PopTarget.parse(target)).toEqual(target);
  return target;
}

describe("decideScreenPop: which events pop", () => {
  const scenarios: Array<{
    name: string;
    policy: PolicyInput;
    type: EventType;
    direction?: "inbound" | "outbound";
    pops: boolean;
  }> = [
    { name: "default policy, inbound ringing", policy: {}, type: "ringing", pops: true },
    { name: "default policy, inbound answered", policy: {}, type: "answered", pops: false },
    { name: "default policy, ended", policy: {}, type: "ended", pops: false },
    { name: "default policy, outbound ringing", policy: {}, type: "ringing", direction: "outbound", pops: false },
    { name: "trigger answered, answered", policy: { trigger: "answered" }, type: "answered", pops: true },
    { name: "trigger answered, ringing", policy: { trigger: "answered" }, type: "ringing", pops: false },
    { name: "trigger answered, ended", policy: { trigger: "answered" }, type: "ended", pops: false },
    { name: "trigger ringing explicitly, ringing", policy: { trigger: "ringing" }, type: "ringing", pops: true },
    { name: "trigger manual, ringing", policy: { trigger: "manual" }, type: "ringing", pops: false },
    { name: "trigger manual, answered", policy: { trigger: "manual" }, type: "answered", pops: false },
    { name: "trigger manual, ended", policy: { trigger: "manual" }, type: "ended", pops: false },
    { name: "outbound only, outbound", policy: { directions: ["outbound"] }, type: "ringing", direction: "outbound", pops: true },
    { name: "outbound only, inbound", policy: { directions: ["outbound"] }, type: "ringing", direction: "inbound", pops: false },
    { name: "both directions, inbound", policy: { directions: ["inbound", "outbound"] }, type: "ringing", pops: true },
    {
      name: "both directions, outbound",
      policy: { directions: ["inbound", "outbound"] },
      type: "ringing",
      direction: "outbound",
      pops: true,
    },
    { name: "no directions at all", policy: { directions: [] }, type: "ringing", pops: false },
    {
      name: "outbound only with trigger answered, outbound answered",
      policy: { trigger: "answered", directions: ["outbound"] },
      type: "answered",
      direction: "outbound",
      pops: true,
    },
    {
      name: "outbound only with trigger answered, inbound answered",
      policy: { trigger: "answered", directions: ["outbound"] },
      type: "answered",
      direction: "inbound",
      pops: false,
    },
  ];

  it.each(scenarios)("$name → pops: $pops", ({ policy, type, direction, pops }) => {
    const evt = event(type, direction ? { direction } : {});
    // One match, so a pop (when there is one) is the record itself whatever else the policy says.
    const target = decide(policy, evt, [alice], alicePhone);
    expect(target).toEqual(pops ? { kind: "record", record: alice } : null);
  });

  it("pops nothing for a non-popping event even when there is nothing to match (no new-record form either)", () => {
    expect(decide({}, event("answered"), [])).toBeNull();
    expect(decide({ trigger: "manual" }, event("ringing"), [])).toBeNull();
    expect(decide({}, event("ringing", { direction: "outbound" }), [], alicePhone)).toBeNull();
  });

  it("treats every channel the same way", () => {
    for (const channel of ["voice", "chat", "sms", "email", "video", "social"] as const) {
      expect(decide({}, event("ringing", { channel }), [alice], alicePhone)).toEqual({ kind: "record", record: alice });
    }
  });
});

describe("decideScreenPop: what one, several or no matches open", () => {
  const ringing = event("ringing", { customer: { phone: "(206) 555-0101", email: "alice@example.com", name: "Alice" } });
  const scenarios: Array<{ name: string; policy: PolicyInput; matches: RecordMatch[]; expected: PopTarget | null }> = [
    { name: "one match, default (record)", policy: {}, matches: [alice], expected: { kind: "record", record: alice } },
    { name: "one match, record", policy: { onOneMatch: "record" }, matches: [alice], expected: { kind: "record", record: alice } },
    { name: "one account match, record", policy: {}, matches: [contoso], expected: { kind: "record", record: contoso } },
    {
      name: "one match, search",
      policy: { onOneMatch: "search" },
      matches: [alice],
      expected: { kind: "search", query: "+12065550101", results: [alice] },
    },
    { name: "one match, none", policy: { onOneMatch: "none" }, matches: [alice], expected: null },
    {
      name: "one match, none, even when no-match would open a form",
      policy: { onOneMatch: "none", onNoMatch: "newRecord" },
      matches: [alice],
      expected: null,
    },
    {
      name: "two matches, default (search)",
      policy: {},
      matches: [bob, carol],
      expected: { kind: "search", query: "+12065550101", results: [bob, carol] },
    },
    {
      name: "three matches of both types, search, in the order found",
      policy: { onManyMatches: "search" },
      matches: [carol, contoso, bob],
      expected: { kind: "search", query: "+12065550101", results: [carol, contoso, bob] },
    },
    {
      name: "two matches never open one of them, even when one match opens the record",
      policy: { onOneMatch: "record", onManyMatches: "search" },
      matches: [bob, carol],
      expected: { kind: "search", query: "+12065550101", results: [bob, carol] },
    },
    { name: "two matches, none", policy: { onManyMatches: "none" }, matches: [bob, carol], expected: null },
    {
      name: "two matches, none, even when no-match would open a form",
      policy: { onManyMatches: "none", onNoMatch: "newRecord" },
      matches: [bob, carol],
      expected: null,
    },
    {
      name: "no match, default (newRecord)",
      policy: {},
      matches: [],
      expected: {
        kind: "newRecord",
        recordType: "contact",
        prefill: { name: "Alice", phone: "+12065550101", email: "alice@example.com" },
      },
    },
    {
      name: "no match, search (empty results)",
      policy: { onNoMatch: "search" },
      matches: [],
      expected: { kind: "search", query: "+12065550101", results: [] },
    },
    { name: "no match, none", policy: { onNoMatch: "none" }, matches: [], expected: null },
  ];

  it.each(scenarios)("$name", ({ policy, matches, expected }) => {
    expect(decide(policy, ringing, matches, alicePhone)).toEqual(expected);
  });

  it("does not change the matches it was given", () => {
    const matches = [carol, bob];
    decide({}, ringing, matches, alicePhone);
    expect(matches).toEqual([carol, bob]);
  });
});

describe("decideScreenPop: the new-record form's prefill", () => {
  const scenarios: Array<{
    name: string;
    customer: ConversationEventInput["customer"];
    phone?: PopDecisionInput["phone"];
    prefill: Record<string, string>;
  }> = [
    {
      name: "a readable number is prefilled in E.164, not as the partner wrote it",
      customer: { phone: "(206) 555-0199" },
      phone: { e164: "+12065550199" },
      prefill: { phone: "+12065550199" },
    },
    {
      name: "the extension is prefilled apart from the number",
      customer: { phone: "(425) 555-0100 ext. 204" },
      phone: { e164: "+14255550100", extension: "204" },
      prefill: { phone: "+14255550100", extension: "204" },
    },
    {
      name: "an international number keeps its country code",
      customer: { phone: "+44 20 7946 0958" },
      phone: { e164: "+442079460958" },
      prefill: { phone: "+442079460958" },
    },
    {
      name: "a number that could not be read is prefilled as given, so the agent can fix it",
      customer: { phone: "555-01" },
      prefill: { phone: "555-01" },
    },
    {
      name: "e-mail only",
      customer: { email: "new.customer@example.com" },
      prefill: { email: "new.customer@example.com" },
    },
    {
      name: "name only",
      customer: { name: "Dana Newcomer" },
      prefill: { name: "Dana Newcomer" },
    },
    {
      name: "everything the partner knows",
      customer: { phone: "+1 206 555 0199 x7", email: "dana@example.com", name: "Dana Newcomer" },
      phone: { e164: "+12065550199", extension: "7" },
      prefill: { name: "Dana Newcomer", phone: "+12065550199", extension: "7", email: "dana@example.com" },
    },
    {
      name: "nothing known about the customer: an empty form",
      customer: {},
      prefill: {},
    },
    {
      name: "a customer id that matched nothing adds nothing to the form",
      customer: { customerId: "c-gone", name: "Dana Newcomer" },
      prefill: { name: "Dana Newcomer" },
    },
  ];

  it.each(scenarios)("$name", ({ customer, phone, prefill }) => {
    const target = decide({ onNoMatch: "newRecord" }, event("ringing", { customer }), [], phone);
    expect(target).toEqual({ kind: "newRecord", recordType: "contact", prefill });
    // No empty or undefined fields: the form shows exactly what is known.
    if (target?.kind === "newRecord") {
      for (const value of Object.values(target.prefill)) expect(value).toBeTruthy();
    }
  });
});

describe("decideScreenPop: the search query", () => {
  const scenarios: Array<{
    name: string;
    customer: ConversationEventInput["customer"];
    phone?: PopDecisionInput["phone"];
    query: string;
  }> = [
    {
      name: "the E.164 number, without its extension",
      customer: { phone: "(425) 555-0100 x12", email: "x@example.com", name: "X" },
      phone: { e164: "+14255550100", extension: "12" },
      query: "+14255550100",
    },
    { name: "the e-mail when there is no number", customer: { email: "x@example.com", name: "X" }, query: "x@example.com" },
    {
      name: "the e-mail when the number could not be read",
      customer: { phone: "555-01", email: "x@example.com" },
      query: "x@example.com",
    },
    { name: "the name when there is neither number nor e-mail", customer: { name: "Bob Smith" }, query: "Bob Smith" },
    { name: "empty when nothing is known", customer: {}, query: "" },
  ];

  it.each(scenarios)("no match with onNoMatch search: $name", ({ customer, phone, query }) => {
    expect(decide({ onNoMatch: "search" }, event("ringing", { customer }), [], phone)).toEqual({
      kind: "search",
      query,
      results: [],
    });
  });

  it.each(scenarios)("several matches: $name", ({ customer, phone, query }) => {
    expect(decide({}, event("ringing", { customer }), [bob, carol], phone)).toEqual({
      kind: "search",
      query,
      results: [bob, carol],
    });
  });
});

describe("decideScreenPop: a partner that already knows the customer id", () => {
  const known = event("ringing", { customer: { customerId: "c-alice" } });

  it("opens the record the id resolved to", () => {
    expect(decide({}, known, [alice])).toEqual({ kind: "record", record: alice });
  });

  it("opens the record the id resolved to, also when the partner sent a number that matches others", () => {
    const withPhone = event("ringing", { customer: { customerId: "c-alice", phone: "(206) 555-0150" } });
    expect(decide({}, withPhone, [alice], { e164: "+12065550150" })).toEqual({ kind: "record", record: alice });
  });

  it("still follows the policy: no pop on the wrong trigger, a search page when one match searches", () => {
    expect(decide({ trigger: "answered" }, known, [alice])).toBeNull();
    expect(decide({ onOneMatch: "search" }, event("ringing", { customer: { customerId: "c-alice", name: "Alice" } }), [alice])).toEqual({
      kind: "search",
      query: "Alice",
      results: [alice],
    });
  });

  it("offers a new contact when the id resolved to nothing", () => {
    expect(decide({}, known, [])).toEqual({ kind: "newRecord", recordType: "contact", prefill: {} });
  });
});

describe("decideScreenPop: records in the CRM (crm.records host, or a failed look-up webhook)", () => {
  const hostLookup = { phone: "+12065550101", email: "a@b.example" };
  const policies: PolicyInput[] = [{}, { onOneMatch: "none", onManyMatches: "none", onNoMatch: "search" }];
  it.each(policies)("host: a lookup with the identifiers and the policy %j, whatever the matches", (policy) => {
    const parsed = ScreenPopPolicy.parse(policy);
    const target = decideScreenPop({ policy: parsed, event: event("ringing"), matches: [], hostLookup });
    expect(PopTarget.parse(target)).toEqual({
      kind: "lookup",
      customer: hostLookup,
      policy: { onOneMatch: parsed.onOneMatch, onManyMatches: parsed.onManyMatches, onNoMatch: parsed.onNoMatch },
    });
  });

  it("host: still pops only on the policy's trigger and directions", () => {
    expect(decideScreenPop({ policy: ScreenPopPolicy.parse({}), event: event("answered"), matches: [], hostLookup })).toBeNull();
    expect(decideScreenPop({ policy: ScreenPopPolicy.parse({}), event: event("ringing", { direction: "outbound" }), matches: [], hostLookup })).toBeNull();
  });

  it("a failed look-up with the search fallback: an empty search, even where the policy opens a new record", () => {
    const target = decideScreenPop({ policy: ScreenPopPolicy.parse({}), event: event("ringing"), matches: [], phone: alicePhone, lookupFailed: true });
    expect(target).toEqual({ kind: "search", query: "+12065550101", results: [] });
  });
});
