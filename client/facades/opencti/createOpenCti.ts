import { argsOf, callbackOf, listenerOf, type Args } from "./checkArguments.js";
import type { OpenCtiHost } from "./hostExtensions.js";
import { describeRecord, createKnownRecords } from "./knownRecords.js";
import { errorsOf, failed, succeeded, type OpenCtiCallback, type OpenCtiResponse } from "./openCtiResponse.js";
import { appViewOf, callCenterSettings, panelMethods, type Run } from "./panelMethods.js";
import { planSaveLog, runSaveLog } from "./saveLog.js";
import { CALL_TYPE, SCREENPOP_TYPE, planScreenPop, planSearch, runScreenPop, runSearch } from "./screenPops.js";

export interface OpenCtiOptions {
  /** The connected host: resolves once the handshake completed, rejects when it failed. */
  host: Promise<OpenCtiHost>;
  /** Opens a URL screen pop (the widget's frame cannot navigate the desktop: a new browser tab). */
  openUrl(url: string): void;
}

type Method = (args?: unknown) => void;

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
  const listeners = new Map<string, () => void>();

  const call =
    (method: string, plan: (args: Args) => Run): Method =>
    (raw) => {
      const args = argsOf(method, raw);
      const callback = callbackOf(method, args);
      let run: Run;
      try {
        run = plan(args);
      } catch (error) {
        return answer(method, callback, failed(errorsOf(error)));
      }
      options.host.then(run).then(
        (value) => answer(method, callback, succeeded(value)),
        (error: unknown) => answer(method, callback, failed(errorsOf(error))),
      );
    };

  // A listener registered again replaces the earlier one of its kind (one softphone, one handler).
  const listen =
    (method: string, subscribe: (host: OpenCtiHost, listener: (payload: unknown) => void) => () => void): Method =>
    (raw) => {
      const args = argsOf(method, raw);
      const listener = listenerOf(method, args);
      const callback = callbackOf(method, args);
      const safe = (payload: unknown) => {
        try {
          listener(payload);
        } catch (error) {
          console.error(`sforce.opencti.${method}: the listener threw`, error);
        }
      };
      call(method, () => (host) => {
        listeners.get(method)?.();
        listeners.set(method, subscribe(host, safe));
        return null;
      })(callback ? { callback } : undefined);
    };

  const unavailable =
    (method: string, why: string): Method =>
    (raw) => {
      const callback = callbackOf(method, argsOf(method, raw));
      answer(method, callback, failed([{ code: "GENERIC_ERROR", description: `sforce.opencti.${method} is not available in WebCTI: ${why}` }]));
    };

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

/** Hands the callback its response on a later task, as Open CTI does; a callback that throws is logged. */
function answer(method: string, callback: OpenCtiCallback | undefined, response: OpenCtiResponse) {
  if (!callback) {
    if (!response.success) console.warn(`sforce.opencti.${method} failed (no callback to tell):`, response.errors);
    return;
  }
  setTimeout(() => {
    try {
      callback(response);
    } catch (error) {
      console.error(`sforce.opencti.${method}: the callback threw`, error);
    }
  }, 0);
}
