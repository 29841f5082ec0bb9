import type { PageContext, PanelMode } from "../../widget/index.js";
import { requiredBoolean, requiredNumber, requiredString, type Args } from "./checkArguments.js";
import { settingsOf, type OpenCtiHost } from "./hostExtensions.js";
import { describeRecord, type KnownRecords } from "./knownRecords.js";
import type { Run } from "./methodKinds.js";
import { failWith } from "./openCtiResponse.js";

const visibleModes: readonly PanelMode[] = ["docked", "expanded", "poppedOut"];

/** Open CTI's view of a desktop page (getAppViewInfo, onNavigationChange): url, and the record shown. */
export function appViewOf(page: PageContext, records: KnownRecords) {
  records.remember(page.record);
  return { url: page.url, ...describeRecord(page.record) };
}

/**
 * The softphone panel: visible is docked (or expanded, or popped out), not visible is minimized; the width
 * within Open CTI's 200–1,920 px and the panel's own limits; the label and icon of the panel (its bar and
 * launcher). Each returns the checked call (argument checks happen before the host is needed).
 */
export const panelMethods = {
  setSoftphonePanelVisibility(args: Args): Run {
    const visible = requiredBoolean(args, "visible");
    return async (host) => {
      const { mode } = await host.getPanelState();
      if (visible !== visibleModes.includes(mode)) await host.setPanelMode(visible ? "docked" : "minimized");
      return null;
    };
  },
  isSoftphonePanelVisible(): Run {
    return async (host) => ({ visible: visibleModes.includes((await host.getPanelState()).mode) });
  },
  setSoftphonePanelWidth(args: Args): Run {
    const width = requiredNumber(args, "widthPX", { min: 200, max: 1920 });
    return async (host) => {
      await host.setPanelSize(width);
      return null;
    };
  },
  setSoftphonePanelLabel: label,
  setSoftphoneItemLabel: label,
  setSoftphonePanelIcon: icon,
  setSoftphoneItemIcon: icon,
};

/** The panel's label: WebCTI has one, on the panel's bar and its launcher, for both of Open CTI's labels. */
function label(args: Args): Run {
  const text = requiredString(args, "label");
  return async (host) => {
    if (!host.capabilities.includes("panel.badge") || typeof host.setPanelLabel !== "function") {
      failWith("GENERIC_ERROR", "This WebCTI agent desktop cannot relabel its panels (no panel.badge capability).");
    }
    await host.setPanelLabel({ label: text });
    return null;
  };
}

/**
 * WebCTI's panels have no icons: the icon's key (an SLDS name such as "call") is shown as the panel's
 * badge text, whose first 12 characters the badge holds.
 */
function icon(args: Args): Run {
  const key = requiredString(args, "key");
  return async (host) => {
    if (!host.capabilities.includes("panel.badge") || typeof host.setPanelBadge !== "function") {
      failWith("GENERIC_ERROR", "This WebCTI agent desktop cannot badge its panels (no panel.badge capability).");
    }
    await host.setPanelBadge({ text: key.trim().slice(0, 12) });
    return null;
  };
}

/**
 * getCallCenterSettings: the provider's panel settings stand in for the call center's. Open CTI's
 * setting names are paths ("/reqGeneralInfo/reqAdapterUrl"); WebCTI's names start with a letter, so a
 * setting named `reqGeneralInfo/reqAdapterUrl` is answered as "/reqGeneralInfo/reqAdapterUrl".
 */
export function callCenterSettings(): Run {
  return async (host) => {
    const settings = host.capabilities.includes("settings") ? settingsOf(await host.getEnvironment()) : undefined;
    if (!settings) failWith("GENERIC_ERROR", "This WebCTI agent desktop gives widgets no settings (no settings capability).");
    return Object.fromEntries(Object.entries(settings).map(([name, value]) => [`/${name}`, value]));
  };
}
