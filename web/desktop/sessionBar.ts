// The session bar: one chip per open session (customer, channel, unread count), the focused one marked
// (aria-current), a click switches to it and shows its last tab, a close button ends it. It draws the
// panel host's session model (client/agent/sessions.ts) again on every change.
import type { AgentSession, SessionTab, Sessions } from "/webcti/agent.js";
import { h } from "./dom.js";

export function mountSessionBar(container: HTMLElement, sessions: Sessions, show: (tab: SessionTab) => void): () => void {
  const draw = () => {
    const all = sessions.list();
    const focusedId = sessions.focused()?.sessionId;
    container.hidden = all.length === 0;
    container.replaceChildren(h("ul", {}, all.map((session) => chip(session, session.sessionId === focusedId))));
  };
  const chip = (session: AgentSession, focused: boolean) => {
    const unread = session.activityCount > 0 ? String(session.activityCount > 99 ? "99+" : session.activityCount) : "";
    const label = `${session.title}${session.channel ? `, ${session.channel}` : ""}${unread ? `, ${unread} new` : ""}`;
    return h(
      "li",
      { class: "session-chip", "data-session-id": session.sessionId, "data-focused": focused ? "true" : "false" },
      h(
        "button",
        { type: "button", class: "session-switch", "aria-current": focused ? "true" : undefined, "aria-label": label },
        h("span", { class: "session-title" }, session.title),
        session.channel ? h("span", { class: "session-channel" }, session.channel) : null,
        unread ? h("span", { class: "session-unread", "data-unread": unread }, unread) : null,
      ),
      h("button", { type: "button", class: "session-close", "aria-label": `Close session ${session.title}` }, "×"),
    );
  };
  container.addEventListener("click", (event) => {
    const target = event.target as HTMLElement;
    const id = target.closest<HTMLElement>("[data-session-id]")?.dataset.sessionId;
    if (!id) return;
    if (target.closest(".session-close")) return sessions.close(id);
    if (!target.closest(".session-switch")) return;
    const session = sessions.focus(id);
    const tab = session.tabs.find((t) => t.tabId === session.focusedTabId);
    if (tab) show(tab);
  });
  const stops = (["sessionCreated", "sessionFocused", "sessionClosed", "sessionUpdated", "tabCreated", "tabFocused"] as const).map((type) => sessions.on(type, draw));
  draw();
  return () => stops.forEach((stop) => stop());
}
