import { describe, expect, it } from "vitest";
import { createSessions, type SessionEvents } from "../../../client/agent/sessions.js";
import type { ScreenPop } from "../../../shared/schemas/screenPop.js";

const at = () => new Date("2026-12-04T10:00:00.000Z");

function recorded() {
  const sessions = createSessions({ maxSessions: 3, now: at });
  const events: string[] = [];
  for (const type of ["sessionCreated", "sessionFocused", "sessionClosed", "sessionUpdated", "tabCreated", "tabFocused"] as const) {
    sessions.on(type, (event: SessionEvents[typeof type]) => {
      const id = "session" in event ? event.session.sessionId : event.sessionId;
      events.push(`${type} ${id}${"tab" in event ? ` ${event.tab.tabId}` : ""}`);
    });
  }
  return { sessions, events };
}

function pop(conversationId: string, target: ScreenPop["target"]): ScreenPop {
  return {
    id: `pop-${conversationId}`, seq: 1, agentId: "a-1", providerId: "demo-softphone", conversationId, eventId: "e-1",
    channel: "voice", direction: "inbound", trigger: "ringing", target, status: "queued",
    createdAt: at().toISOString(), expiresAt: at().toISOString(),
  };
}

const alice = { type: "contact", id: "c-alice", name: "Alice Johnson" };

describe("agent sessions", () => {
  it("creates, focuses and closes sessions with their events; the first is focused, closing the focused one focuses the one before", () => {
    const { sessions, events } = recorded();
    const one = sessions.create({ title: "Alice", channel: "voice", context: { queue: "support" } }, "demo-softphone");
    expect(one).toEqual({ sessionId: "s-1", title: "Alice", channel: "voice", createdBy: "demo-softphone", createdAt: at().toISOString(), tabs: [], activityCount: 0, context: { queue: "support" } });
    const two = sessions.create({ title: "Bob", focus: false }, "demo-softphone");
    expect(sessions.focused()?.sessionId).toBe("s-1");
    sessions.focus(two.sessionId);
    sessions.create({ title: "Carol" }, "demo-softphone");
    expect(sessions.focused()?.title).toBe("Carol");
    sessions.close("s-3");
    expect(sessions.focused()?.sessionId).toBe("s-2");
    sessions.close("s-1");
    sessions.close("s-2");
    expect(sessions.focused()).toBeNull();
    expect(events).toEqual([
      "sessionCreated s-1", "sessionFocused s-1", "sessionCreated s-2", "sessionFocused s-2", "sessionCreated s-3", "sessionFocused s-3",
      "sessionClosed s-3", "sessionFocused s-2", "sessionClosed s-1", "sessionClosed s-2",
    ]);
  });

  it("keeps at most maxSessions open; a pop beyond them opens no session", () => {
    const { sessions } = recorded();
    for (const title of ["a", "b", "c"]) sessions.create({ title }, "p");
    expect(sessions.canCreate()).toBe(false);
    expect(() => sessions.create({ title: "d" }, "p")).toThrow(expect.objectContaining({ code: "out_of_range", details: { max: 3 } }));
    expect(sessions.openPop(pop("conv-full", { kind: "search", query: "+12065550150", results: [] }))).toBeNull();
    expect(sessions.list()).toHaveLength(3);
    sessions.close("s-2");
    expect(sessions.canCreate()).toBe(true);
  });

  it("adds tabs, focuses the new one, and focuses rather than repeats a record already open", () => {
    const { sessions, events } = recorded();
    const session = sessions.create({}, "p");
    expect(session.title).toBe("Session");
    const record = sessions.addTab(session.sessionId, { record: alice });
    const search = sessions.addTab(session.sessionId, { query: "+12065550150" }, false);
    expect(search).toEqual({ tabId: "t-2", title: "Search: +12065550150", query: "+12065550150" });
    expect(sessions.get("s-1").focusedTabId).toBe(record.tabId);
    expect(sessions.addTab("s-1", { record: { type: "contact", id: "c-alice" } })).toEqual(record);
    sessions.focusTab("s-1", search.tabId);
    expect(sessions.get("s-1")).toMatchObject({ focusedTabId: "t-2", tabs: [{ tabId: "t-1", title: "Alice Johnson", record: alice }, { tabId: "t-2" }] });
    expect(events.slice(2)).toEqual(["tabCreated s-1 t-1", "tabFocused s-1 t-1", "tabCreated s-1 t-2", "tabFocused s-1 t-1", "tabFocused s-1 t-2"]);
  });

  it("counts new activity until the agent focuses the session, and merges context", () => {
    const { sessions } = recorded();
    sessions.create({ title: "Alice" }, "p");
    sessions.create({ title: "Bob", focus: false }, "p");
    sessions.notifyActivity("s-2");
    expect(sessions.notifyActivity("s-2").activityCount).toBe(2);
    expect(sessions.notifyActivity("s-2", 7).activityCount).toBe(7);
    expect(sessions.focus("s-2").activityCount).toBe(0);
    sessions.updateContext("s-2", { queue: "sales" });
    expect(sessions.updateContext("s-2", { tier: "gold" }).context).toEqual({ queue: "sales", tier: "gold" });
  });

  it("opens a pop's conversation as a session with its record as a tab, and a second pop of it focuses the same session", () => {
    const { sessions } = recorded();
    const first = sessions.openPop(pop("conv-1", { kind: "record", record: { type: "contact", id: "c-alice", name: "Alice Johnson" } }));
    expect(first).toMatchObject({ sessionId: "s-1", title: "Alice Johnson", channel: "voice", conversationId: "conv-1", createdBy: "demo-softphone", tabs: [{ record: alice }], focusedTabId: "t-1" });
    const second = sessions.openPop(pop("conv-2", { kind: "search", query: "+12065550150", results: [] }));
    expect(second).toMatchObject({ sessionId: "s-2", title: "+12065550150", tabs: [{ query: "+12065550150" }] });
    const again = sessions.openPop(pop("conv-1", { kind: "record", record: { type: "contact", id: "c-alice", name: "Alice Johnson" } }));
    expect(again.sessionId).toBe("s-1");
    expect(again.tabs).toHaveLength(1);
    expect(sessions.focused()?.sessionId).toBe("s-1");
    const unknown = sessions.openPop(pop("conv-3", { kind: "newRecord", recordType: "contact", prefill: { phone: "+12065550199" } }));
    expect(unknown).toMatchObject({ title: "+12065550199", tabs: [{ newRecord: "contact", title: "New contact" }] });
  });

  it.each([
    ["an unknown session", (s: ReturnType<typeof createSessions>) => s.focus("s-9"), "not_found"],
    ["an unknown tab", (s: ReturnType<typeof createSessions>) => s.focusTab("s-1", "t-9"), "not_found"],
    ["a tab of two kinds", (s: ReturnType<typeof createSessions>) => s.addTab("s-1", { record: alice, query: "x" }), "invalid_argument"],
    ["a tab of no kind", (s: ReturnType<typeof createSessions>) => s.addTab("s-1", {}), "invalid_argument"],
    ["a record without id", (s: ReturnType<typeof createSessions>) => s.addTab("s-1", { record: { type: "contact", id: "" } }), "invalid_argument"],
    ["a context value that is not text", (s: ReturnType<typeof createSessions>) => s.updateContext("s-1", { n: 1 as unknown as string }), "invalid_argument"],
    ["a negative activity count", (s: ReturnType<typeof createSessions>) => s.notifyActivity("s-1", -1), "invalid_argument"],
    ["a title too long", (s: ReturnType<typeof createSessions>) => s.create({ title: "x".repeat(101) }, "p"), "invalid_argument"],
    ["a title with a bidi override", (s: ReturnType<typeof createSessions>) => s.create({ title: "Invoice \u202etxt.exe" }, "p"), "invalid_argument"],
    ["a tab title with a control character", (s: ReturnType<typeof createSessions>) => s.addTab("s-1", { query: "x", title: "a\u0007b" }), "invalid_argument"],
    ["a context value with a bidi isolate", (s: ReturnType<typeof createSessions>) => s.updateContext("s-1", { queue: "\u2066support" }), "invalid_argument"],
  ])("refuses %s with %s and changes nothing", (_name, act, code) => {
    const { sessions } = recorded();
    sessions.create({ title: "Alice" }, "p");
    const before = sessions.list();
    expect(() => act(sessions)).toThrow(expect.objectContaining({ code }));
    expect(sessions.list()).toEqual(before);
  });
});
