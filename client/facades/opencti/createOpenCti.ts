import type { OpenCtiHost } from "./hostExtensions.js";
import { describeRecord, createKnownRecords } from "./knownRecords.js";
import { createMethodKinds } from "./methodKinds.js";
import { appViewOf, callCenterSettings, panelMethods } from "./panelMethods.js";
import { planSaveLog, runSaveLog } from "./saveLog.js";
import { CALL_TYPE, SCREENPOP_TYPE, planScreenPop, planSearch, runScreenPop, runSearch } from "./screenPops.js";

export interface OpenCtiOptions {
  /** The connected host: resolves once the handshake completed, rejects when it failed. */
  host: Promise<OpenCtiHost>;
  /** Opens a URL screen pop (the widget's frame cannot navigate the desktop: a new browser tab). */
  openUrl(url: string): void;
}

/**
 * `sforce.opencti` for Lightning on WebCTI's widget SDK. Every method takes one object and answers its
 * optional `callback` with `{ success, returnValue, errors }`, always asynchronously. Arguments are
 * checked at once (INVALID_PARAM without waiting for the host); the call itself waits for the handshake,
 * so calls made right after the script loads are answered once the desktop has connected (or with
 * SOFTPHONE_CONTAINER_ERROR when it never does).
 */
export function createOpenCti(options: OpenCtiOptions) {
  const records = createKnownRecords();
  const context = { records, openUrl: options.openUrl };
  const { call, listen, unavailable } = createMethodKinds(options.host);

  return {
    SCREENPOP_TYPE,
    CALL_TYPE,
    // The panel is ready once the handshake completed; this answers once it has.
    notifyInitializationComplete: call("notifyInitializationComplete", () => () => null),
    enableClickToDial: call("enableClickToDial", () => (host) => host.setClickToAct(true).then(() => null)),
    disableClickToDial: call("disableClickToDial", () => (host) => host.setClickToAct(false).then(() => null)),
    onClickToDial: listen("onClickToDial", (host, listener) =>
      host.on("clickToAct", ({ payload }) => {
        if (payload.format !== "phone") return; // Open CTI dials; an email address is not for it
        records.remember(payload.record);
        listener({ number: payload.raw, ...describeRecord(payload.record) });
      }),
    ),
    getAppViewInfo: call("getAppViewInfo", () => async (host) => appViewOf((await host.getEnvironment()).page, records)),
    onNavigationChange: listen("onNavigationChange", (host, listener) => host.on("navigation", ({ page }) => listener(appViewOf(page, records)))),
    screenPop: call("screenPop", (args) => {
      const plan = planScreenPop(args);
      return (host) => runScreenPop(host, plan, context);
    }),
    searchAndScreenPop: call("searchAndScreenPop", (args) => {
      const plan = planSearch(args);
      return (host) => runSearch(host, plan, context);
    }),
    saveLog: call("saveLog", (args) => {
      const plan = planSaveLog(args);
      return (host) => runSaveLog(host, plan, records);
    }),
    setSoftphonePanelVisibility: call("setSoftphonePanelVisibility", panelMethods.setSoftphonePanelVisibility),
    isSoftphonePanelVisible: call("isSoftphonePanelVisible", panelMethods.isSoftphonePanelVisible),
    setSoftphonePanelWidth: call("setSoftphonePanelWidth", panelMethods.setSoftphonePanelWidth),
    setSoftphonePanelLabel: call("setSoftphonePanelLabel", panelMethods.setSoftphonePanelLabel),
    setSoftphoneItemLabel: call("setSoftphoneItemLabel", panelMethods.setSoftphoneItemLabel),
    setSoftphonePanelIcon: call("setSoftphonePanelIcon", panelMethods.setSoftphonePanelIcon),
    setSoftphoneItemIcon: call("setSoftphoneItemIcon", panelMethods.setSoftphoneItemIcon),
    getCallCenterSettings: call("getCallCenterSettings", callCenterSettings),
    // The desktop shows activities as they are logged (pushed to the open timeline): nothing to reload.
    refreshView: call("refreshView", () => () => null),
    setSoftphonePanelHeight: unavailable("setSoftphonePanelHeight", "a panel's height is the desktop's layout."),
    getSoftphoneLayout: unavailable("getSoftphoneLayout", "there is no softphone layout; the provider's screen-pop policy decides what a pop opens."),
    runApex: unavailable("runApex", "there is no Apex: call your own backend."),
    subscribe: unavailable("subscribe", "there is no Lightning Message Service."),
    unsubscribe: unavailable("unsubscribe", "there is no Lightning Message Service."),
    publish: unavailable("publish", "there is no Lightning Message Service."),
    hvs: {
      onWorkStart: unavailable("hvs.onWorkStart", "there is no Sales Engagement."),
      completeWork: unavailable("hvs.completeWork", "there is no Sales Engagement."),
    },
  };
}

export type OpenCti = ReturnType<typeof createOpenCti>;

