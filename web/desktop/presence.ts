// The agent's presence in the header: a badge showing the stored status (whoever set it) and a selector
// to set it. It reads the status on load and on every (re)connection, follows `presence` pushes, and
// never lets an older state replace a newer one (pushes and reads can cross).
import type { AgentClient } from "/webcti/agent.js";
import type { Presence, PresenceStatus } from "../../shared/schemas/presence.js";
import { h } from "./dom.js";
import { request } from "./crmApi.js";

const labels: Record<PresenceStatus, string> = { available: "Available", busy: "Busy", away: "Away", offline: "Offline" };

const presenceApi = {
  get: () => request<Presence>("GET", "/v1/agent/presence"),
  set: (status: PresenceStatus) => request<Presence>("PUT", "/v1/agent/presence", { status }),
};

export function mountPresence(container: HTMLElement, client: AgentClient): void {
  let shown: Presence | undefined;
  // "loading" until the stored status is read: a test or a style keyed on a status never sees a guess.
  const badge = h("span", { class: "presence-badge", "data-presence-badge": "", "data-status": "loading", role: "status", "aria-live": "polite" }, "…");
  const select = h(
    "select",
    { id: "presence-select", "data-presence-select": "", "aria-label": "Set your presence" },
    (Object.keys(labels) as PresenceStatus[]).map((status) => h("option", { value: status }, labels[status])),
  );
  container.replaceChildren(badge, select);
  container.hidden = false;

  function show(presence: Presence) {
    // ISO times in UTC sort as text; a state without a time was never set and is older than any.
    if (shown?.changedAt && (!presence.changedAt || presence.changedAt < shown.changedAt)) return;
    shown = presence;
    badge.dataset.status = presence.status;
    badge.textContent = presence.reason ? `${labels[presence.status]} · ${presence.reason}` : labels[presence.status];
    badge.title = presence.changedAt
      ? `Since ${new Date(presence.changedAt).toLocaleTimeString()}${presence.source?.kind === "partner" ? ` (set by ${presence.source.providerId})` : ""}`
      : "Not set yet";
    if (document.activeElement !== select) select.value = presence.status;
  }

  const refresh = () =>
    presenceApi.get().then(show, (error: Error) => console.warn("Presence:", error.message));

  select.addEventListener("change", () => {
    const status = select.value as PresenceStatus;
    select.disabled = true;
    presenceApi
      .set(status)
      .then(show, (error: Error) => {
        console.warn("Presence:", error.message);
        if (shown) select.value = shown.status;
      })
      .finally(() => {
        select.disabled = false;
      });
  });
  client.on("message", (message) => {
    if (message.kind === "presence") show(message.presence);
  });
  // Pushes sent while the page was not connected are not replayed on a new connection: read again.
  client.on("state", (state) => {
    if (state === "connected") void refresh();
  });
  void refresh();
}
