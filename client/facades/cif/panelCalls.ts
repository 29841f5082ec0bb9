import type { PanelMode } from "../../widget/index.js";
import { cifError } from "./cifError.js";
import { expectType } from "./checkArgs.js";
import { hasCapability, type CifHost, type PresenceStatusView, type PresenceView, type Run } from "./cifHost.js";

/**
 * CIF's panel, click-to-act, environment and presence calls on the WebCTI host. CIF's modes are numbers:
 * 0 minimized, 1 docked, 2 hidden (CIF 2.0). WebCTI's expanded and popped-out panels read as docked (1):
 * CIF has no such modes.
 */
export const cifModes: Record<number, PanelMode> = { 0: "minimized", 1: "docked", 2: "hidden" };

export function cifModeOf(mode: PanelMode): number {
  return mode === "minimized" ? 0 : mode === "hidden" ? 2 : 1;
}

export function panelCalls(run: Run) {
  return {
    setClickToAct: (value: unknown) =>
      run("setClickToAct", () => {
        expectType("setClickToAct", "value", value, "boolean");
        return async (host) => void (await host.setClickToAct(value as boolean));
      }),
    getClickToAct: () => run("getClickToAct", () => (host) => host.getClickToAct()),
    getMode: () => run("getMode", () => async (host) => cifModeOf((await host.getPanelState()).mode)),
    setMode: (value: unknown) =>
      run("setMode", () => {
        expectType("setMode", "value", value, "number");
        const mode = cifModes[value as number];
        if (!mode) throw cifError("setMode", `setMode: value must be 0 (minimized), 1 (docked) or 2 (hidden); got ${String(value)}.`, "invalid_argument");
        return async (host) => cifModeOf((await host.setPanelMode(mode)).mode);
      }),
    getWidth: () => run("getWidth", () => async (host) => (await host.getPanelState()).width),
    setWidth: (value: unknown) =>
      run("setWidth", () => {
        expectType("setWidth", "value", value, "number");
        return async (host) => (await host.setPanelSize(value as number)).width;
      }),
    getEnvironment: () => run("getEnvironment", () => async (host) => JSON.stringify(environmentOf(await host.getEnvironment()))),
    ...presenceCalls(run),
  };
}

type EnvironmentLike = Awaited<ReturnType<CifHost["getEnvironment"]>> & { settings?: Record<string, string> };

/**
 * CIF's environment (the page the agent is on, the user, the organization) from WebCTI's: the page as
 * `clientUrl` / `appUrl`, `etn` and `id` when a record is open, the agent as the user, the tenant as the
 * organization, and the provider's panel `settings` as `customParams` (a JSON string, as CIF's custom
 * parameters are text) when the host sends them (protocol 1.1); a 1.0 host sends none, and customParams
 * is then absent.
 */
export function environmentOf(env: EnvironmentLike): Record<string, unknown> {
  const { page } = env;
  const origin = safeOrigin(page.url);
  return {
    clientUrl: origin,
    appUrl: page.url,
    pagetype: page.record ? "entityrecord" : "other",
    ...(page.record ? { etn: page.record.type, id: page.record.id, recordName: page.record.name ?? "" } : {}),
    title: page.title,
    userId: env.agentId,
    username: env.agentName,
    orgId: env.tenantId,
    orgUniqueName: env.tenantId,
    locale: env.locale,
    providerId: env.providerId,
    ...(env.settings ? { customParams: JSON.stringify(env.settings) } : {}),
  };
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "";
  }
}

const presenceTexts: Record<string, string> = { available: "Available", busy: "Busy", away: "Away", offline: "Offline" };
const presenceColors: Record<string, string> = { available: "#8fc641", busy: "#d82c2c", away: "#fdb913", offline: "#8c8c8c" };

/** The presence as CIF's onPresenceChange tells it. */
export function presenceInfo(presence: PresenceView): Record<string, unknown> {
  return {
    presenceId: presence.status,
    presenceInfo: {
      basePresenceStatus: presence.status.toUpperCase(),
      presenceColor: presenceColors[presence.status] ?? "#8c8c8c",
      presenceId: presence.status,
      presenceText: presence.reason || presenceTexts[presence.status] || presence.status,
    },
  };
}

/**
 * Presence on the host's 1.1 presence calls: CIF's presence text is matched (any case) to WebCTI's
 * statuses Available, Busy, Away, Offline; "Do not disturb" and "Busy - DND" are busy with that reason.
 * An unknown text answers false, as CIF's setPresence does. A host without presence rejects.
 */
function presenceCalls(run: Run) {
  const needPresence = (apiName: string, host: CifHost) => {
    if (!hasCapability(host, "presence", "getPresence")) throw cifError(apiName, `${apiName}: this WebCTI host has no presence (it needs widget protocol 1.1).`, "not_supported");
  };
  return {
    getPresence: () =>
      run("getPresence", () => async (host) => {
        needPresence("getPresence", host);
        const presence = await host.getPresence!();
        return presence.reason || presenceTexts[presence.status] || presence.status;
      }),
    setPresence: (presenceText: unknown) =>
      run("setPresence", () => {
        expectType("setPresence", "presenceText", presenceText, "string");
        const text = (presenceText as string).trim().toLowerCase();
        const dnd = text === "do not disturb" || text === "busy - dnd" || text === "dnd";
        const status = dnd ? "busy" : (Object.keys(presenceTexts) as PresenceStatusView[]).find((s) => s === text);
        return async (host) => {
          needPresence("setPresence", host);
          if (!status) return false;
          await host.setPresence!({ status, ...(dnd ? { reason: "Do not disturb" } : {}) });
          return true;
        };
      }),
  };
}
