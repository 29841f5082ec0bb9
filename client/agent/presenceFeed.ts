import type { Presence } from "../protocol.js";

const statuses = ["available", "busy", "away", "offline"];

/**
 * The agent's presence as one panel host learns it: from its widgets' own setPresence answers, and from
 * the service's `presence` pushes when the page gives mountPanels its agent client. Both may bring the
 * same update (a widget's write is also pushed), and pushes may arrive late, so a presence is passed on
 * only when it differs from the last one and is not older than it.
 */
export interface PresenceFeed {
  /** A presence from the service (an answer or a push); anything that is not one is ignored. */
  report(presence: unknown): void;
  subscribe(listener: (presence: Presence) => void): () => void;
}

const feeds = new WeakMap<object, PresenceFeed>();

/**
 * The feed of one panel host, keyed by the AgentApi its panels share (mountPanels makes one per host):
 * the host methods of each panel reach it through the services they are given, which hold that api.
 */
export function presenceFeedFor(api: object): PresenceFeed {
  let feed = feeds.get(api);
  if (!feed) feeds.set(api, (feed = createPresenceFeed()));
  return feed;
}

export function createPresenceFeed(): PresenceFeed {
  const listeners = new Set<(presence: Presence) => void>();
  let last: Presence | undefined;
  return {
    report(value) {
      if (!isPresence(value)) return;
      if (last && sameState(last, value)) return;
      if (last?.changedAt && value.changedAt && Date.parse(value.changedAt) < Date.parse(last.changedAt)) return;
      last = value;
      for (const listener of listeners) listener(value);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function sameState(a: Presence, b: Presence): boolean {
  return a.status === b.status && a.reason === b.reason && a.changedAt === b.changedAt;
}

function isPresence(value: unknown): value is Presence {
  const p = value as Partial<Presence> | undefined;
  return (
    typeof p === "object" &&
    p !== null &&
    typeof p.agentId === "string" &&
    statuses.includes(p.status as string) &&
    (p.reason === undefined || typeof p.reason === "string") &&
    (p.changedAt === undefined || typeof p.changedAt === "string")
  );
}
