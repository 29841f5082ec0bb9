import type { WebCtiHost } from "../../widget/index.js";

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

export type CifHost = Omit<WebCtiHost, "getPresence" | "setPresence"> & {
  getPresence?: () => Promise<PresenceView>;
  setPresence?: (presence: { status: PresenceStatusView; reason?: string }) => Promise<PresenceView>;
};

/** Runs a CIF call: its arguments are checked at once (prepare throws), the host part once the handshake is done. */
export type Run = <T>(apiName: string, prepare: () => (host: CifHost) => Promise<T> | T) => Promise<T>;

export function hasCapability(host: CifHost, capability: string, method: keyof CifHost): boolean {
  return host.capabilities.includes(capability) && typeof host[method] === "function";
}
