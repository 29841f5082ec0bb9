import type { LoggedActivity, WebCtiHost } from "../../widget/index.js";

/**
 * The WebCTI host as the façade uses it: the widget SDK's connection, and the protocol 1.1 calls it uses
 * when the host has them (`capabilities` says so; a 1.0 host has none of them), typed here so the façade
 * builds against either SDK.
 */
export type PresenceStatusView = "available" | "busy" | "away" | "offline";

export interface PresenceView {
  status: string;
  reason?: string;
}

/** The fields of a logged activity a widget may change (the host's 1.1 updateActivity). */
export interface ActivityChange {
  activityId: string;
  subject?: string;
  notes?: string;
  durationSeconds?: number;
  startedAt?: string;
  endedAt?: string;
}

export type CifHost = Omit<WebCtiHost, "getPresence" | "setPresence" | "updateActivity"> & {
  getPresence?: () => Promise<PresenceView>;
  setPresence?: (presence: { status: PresenceStatusView; reason?: string }) => Promise<PresenceView>;
  updateActivity?: (change: ActivityChange) => Promise<LoggedActivity>;
};

/** Runs a CIF call: its arguments are checked at once (prepare throws), the host part once the handshake is done. */
export type Run = <T>(apiName: string, prepare: () => (host: CifHost) => Promise<T> | T) => Promise<T>;

export function hasCapability(host: CifHost, capability: string, method: keyof CifHost): boolean {
  return host.capabilities.includes(capability) && typeof host[method] === "function";
}
