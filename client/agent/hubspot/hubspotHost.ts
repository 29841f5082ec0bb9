import type { WidgetEvent } from "../../protocol.js";
import { handleWidgetMessage, type HandlerContext, type HubSpotPanelActions } from "./hubspotHandlers.js";
import { dialNumberData, visibilityData } from "./hubspotMapping.js";
import { createMessageIds, parseWidgetMessage, type HostMessageType } from "./hubspotWire.js";

/** The panel as the HubSpot host drives it (panelController.ts implements it). */
export interface HubSpotHostPanel extends HubSpotPanelActions {
  readonly providerId: string;
  readonly frame: HTMLIFrameElement;
  /** The widget answered SYNC: the panel is ready (`sdkVersion`: the SDK's name and version). */
  synced(sdkVersion: string): void;
  /** The frame loaded a page: not ready until it answers SYNC. */
  unsynced(): void;
  /** Whether the frame's current page has fired its load event. */
  pageLoaded(): boolean;
}

/** The widget's side as the panel sees it: WebCTI's widget events, translated; `ping` as penpal's. */
export interface HubSpotConnection {
  event(event: WidgetEvent): Promise<void>;
  ping(): Promise<"pong">;
  destroy(): void;
}

/** How long the host repeats SYNC after a frame load (the SDK's own host gives up after 30 s too). */
const syncForMs = 30_000;
const syncEveryMs = 100;
/** Warnings logged per connection at most: a widget that posts junk in a loop does not flood the console. */
const maxWarnings = 50;

/**
 * Speaks the HubSpot Calling Extensions SDK's protocol (hubspotWire.ts) to the panel's frame:
 *
 * 1. After each frame load, SYNC every 100 ms to each trusted origin (postMessage delivers it only to the
 *    one the frame's page is on) until SYNC_ACK, for 30 s at most. Never before the load, as HubSpot's own
 *    host: the SDK answers one SYNC per page, so a page that answered while still loading would be reset
 *    by its own load event and never answer again.
 * 2. Only messages whose source is the frame and whose origin is trusted are read; before SYNC_ACK, only
 *    SYNC_ACK. Malformed messages and unknown types are logged and dropped; nothing a widget posts throws.
 * 3. Everything the host sends after SYNC_ACK goes to the origin that answered, with a host message id.
 */
export function connectHubSpot(panel: HubSpotHostPanel): HubSpotConnection {
  const ids = createMessageIds();
  const { frame, trustedOrigins } = panel;
  let widgetOrigin: string | undefined;
  let syncTimer: ReturnType<typeof setInterval> | undefined;
  let warnings = 0;
  let engagementIds = Date.now();

  const warn = (message: string) => {
    if ((warnings += 1) <= maxWarnings) console.warn(`WebCTI: HubSpot widget of panel ${panel.providerId}: ${message}`);
  };
  const post = (type: HostMessageType, data?: Record<string, unknown>) => {
    if (!widgetOrigin || !frame.contentWindow) return warn(`${type} not sent: the widget has not answered SYNC`);
    frame.contentWindow.postMessage({ type, ...(data ? { data } : {}), messageId: ids.next() }, widgetOrigin);
  };
  const context: HandlerContext = {
    panel,
    post,
    warn,
    calls: new Map(),
    nextEngagementId: () => (engagementIds += 1),
    now: Date.now,
  };

  const sendSync = () => {
    const { tenantId, agentId } = panel.environment();
    // What the SDK hands the widget's onReady: HubSpot's numeric ids are WebCTI's tenant and agent ids here.
    const sync = { type: "SYNC", messageId: ids.next(), hostUrl: location.origin, portalId: tenantId, userId: agentId, ownerId: agentId, iframeLocation: "widget" };
    for (const origin of trustedOrigins) frame.contentWindow?.postMessage(sync, origin);
  };
  const startSync = () => {
    clearInterval(syncTimer);
    widgetOrigin = undefined;
    const src = frame.getAttribute("src");
    if (!src || src === "about:blank") return;
    const untilMs = Date.now() + syncForMs;
    sendSync();
    syncTimer = setInterval(() => (Date.now() > untilMs ? clearInterval(syncTimer) : sendSync()), syncEveryMs);
  };
  const onLoad = () => {
    panel.unsynced();
    startSync();
  };
  const onMessage = (event: MessageEvent) => {
    // Other frames' messages are not this panel's; an untrusted origin is reported by the panel itself.
    if (event.source === null || event.source !== frame.contentWindow || !trustedOrigins.includes(event.origin)) return;
    const parsed = parseWidgetMessage(event.data);
    if (!parsed.ok) return warn(`ignored a message: ${parsed.reason}`);
    const { message } = parsed;
    if (message.type === "SYNC_ACK") {
      if (!ids.isOurs(message.messageId)) return warn("ignored a SYNC_ACK to a SYNC this host did not send");
      if (widgetOrigin) return; // one per page; a late answer to an earlier SYNC changes nothing
      clearInterval(syncTimer);
      widgetOrigin = event.origin;
      return panel.synced(`@hubspot/calling-extensions-sdk@${typeof message.raw.version === "string" ? message.raw.version : "unknown"}`);
    }
    if (!widgetOrigin || event.origin !== widgetOrigin) return warn(`ignored ${message.type}: the widget has not answered SYNC`);
    handleWidgetMessage(context, message).catch((error: unknown) => warn(`${message.type} failed: ${String((error as Error)?.message ?? error)}`));
  };

  frame.addEventListener("load", onLoad);
  window.addEventListener("message", onMessage);
  if (panel.pageLoaded()) startSync(); // the frame loaded its page before this chunk did

  return {
    event: async (event) => sendWidgetEvent(context, event),
    ping: async () => "pong",
    destroy() {
      clearInterval(syncTimer);
      frame.removeEventListener("load", onLoad);
      window.removeEventListener("message", onMessage);
    },
  };
}

/** WebCTI's widget events as SDK messages; panelSizeChanged and navigation have none. */
function sendWidgetEvent(context: HandlerContext, event: WidgetEvent) {
  if (event.type === "panelModeChanged") context.post("VISIBILITY_CHANGED", visibilityData(event.mode));
  if (event.type !== "clickToAct") return;
  if (event.payload.format !== "phone") return context.warn("an e-mail click is not sent: the SDK has no message for it");
  const data = dialNumberData(event.payload, context.panel.environment());
  context.lastDial = { phoneNumber: String(data.phoneNumber), ...(event.payload.record ? { record: event.payload.record } : {}) };
  context.post("DIAL_NUMBER", data);
}
