import type { ActivityFields } from "../../protocol.js";
import type { WebCtiHost } from "../../widget/index.js";

/**
 * Host methods of widget protocol 1.1 that the façade uses when the host has them (it checks the
 * capability first): a 1.0 host lacks them, and the façade answers those Open CTI calls with an error.
 */
export interface HostExtensions {
  updateActivity?(update: { activityId: string } & Partial<ActivityFields>): Promise<{ activityId: string }>;
  setPanelLabel?(request: { label: string | null }): Promise<string>;
  setPanelBadge?(badge: { text: string } | { count: number } | null): Promise<void>;
}

export type OpenCtiHost = WebCtiHost & HostExtensions;

/** The provider's settings from the environment (protocol 1.1, capability "settings"); undefined from a 1.0 host. */
export function settingsOf(environment: WebCtiHost["environment"]): Record<string, string> | undefined {
  const settings = (environment as { settings?: unknown }).settings;
  return typeof settings === "object" && settings !== null ? (settings as Record<string, string>) : undefined;
}
