import { CallOptions, type RemoteProxy } from "penpal";
import type { ClickToActPayload, Environment, HostMethods, PageContext, PanelMode, PanelState, WidgetEvent, WidgetMethods } from "../protocol.js";
import type { AgentApi, PanelConfigView } from "./agentApi.js";
import { connectHubSpotWidget, connectWidget } from "./connectWidget.js";
import type { HubSpotHostPanel } from "./hubspot/hubspotHost.js";
import { panelPreferences, type PanelPreferences } from "./panelPreferences.js";
import type { MountPanelsOptions, Panel } from "./panels.js";
import { PanelView } from "./panelView.js";
import type { Sessions } from "./sessions.js";
import type { KeyValueStorage } from "./popLedger.js";
import { openPopOutWindow, type PopOutWindow } from "./popOutWindow.js";
import { createWidgetHostMethods, type HostedPanel } from "./widgetHostMethods.js";
import { fail } from "./widgetCallError.js";
import { createElsewhereNotice, type ElsewhereNotice } from "./elsewhereNotice.js";
import { claimWidget, type OwnershipLocks, type WidgetOwnership } from "./widgetOwnership.js";

const minimumWidth = 160;

/** What the panel calls on the widget's side: penpal's proxy, or the HubSpot host's translation (hubspot/). */
type WidgetRemote = Pick<RemoteProxy<WidgetMethods>, "event" | "ping">;

/**
 * One provider's panel: its state (mode, width, click-to-act, whether the widget is there), kept in the
 * view and the agent's preferences, and its widget served the widget protocol in the panel's frame or,
 * popped out, in a window of its own.
 */
export class PanelController implements Panel, HostedPanel {
  readonly providerId: string;
  pageContext: () => PageContext = () => ({ url: location.href, title: document.title });
  onClickToActChange: () => void = () => undefined;
  ready = false;
  private hellos = 0;
  /** The frame's current page has fired its load event (navigateFrame resets it). */
  private pageLoaded = false;
  private mode: PanelMode;
  private width: number;
  private clickToActOn: boolean;
  private readonly view: PanelView;
  private readonly preferences: PanelPreferences;
  private readonly methods: HostMethods;
  private remote: WidgetRemote | undefined;
  private frameRemote: WidgetRemote | undefined;
  /** A HubSpot widget takes clicks only while signed in (INITIALIZED, LOGGED_IN / LOGGED_OUT). */
  private signedIn: boolean;
  private readonly hubspot: boolean;
  private popup: { window: PopOutWindow; disconnect: () => void } | undefined;
  private disconnectFrame: (() => void) | undefined;
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly reportedOrigins = new Set<string>();
  private readonly onMessage = (event: MessageEvent) => this.reportUntrusted(event);
  private readonly elsewhere: ElsewhereNotice;
  private ownership: WidgetOwnership | undefined;
  private owned = false;

  constructor(
    readonly config: PanelConfigView,
    private readonly me: { tenantId: string; agentId: string; displayName: string },
    storage: KeyValueStorage,
    private readonly options: MountPanelsOptions,
    api: AgentApi,
    sessions?: Sessions,
  ) {
    this.providerId = config.providerId;
    this.preferences = panelPreferences(storage, `webcti.panel.${me.tenantId}.${me.agentId}.${config.providerId}`);
    const saved = this.preferences.load();
    this.mode = saved.mode ?? config.defaultMode;
    this.width = this.clamp(saved.width ?? config.width.default);
    this.clickToActOn = config.clickToAct;
    this.hubspot = config.widgetProtocol === "hubspot";
    this.signedIn = !this.hubspot;
    this.view = new PanelView(options.container.ownerDocument, config, {
      onModeButton: (mode) => this.setMode(mode, "agent"),
      onResize: (width) => this.setWidth(width),
      current: () => ({ mode: this.mode, width: this.width }),
    });
    this.methods = createWidgetHostMethods(this, {
      adapter: options.adapter,
      api,
      document: options.container.ownerDocument,
      onActivityLogged: (activity) => this.options.onEvent?.({ type: "activityLogged", providerId: this.providerId, activity }),
      ...(sessions ? { sessions } : {}),
    });
    // Loaded once this tab holds the widget (connect): another of the agent's tabs may hold it.
    this.iframe.removeAttribute("src");
    this.elsewhere = createElsewhereNotice(options.container.ownerDocument, config.label, () => this.ownership?.moveHere());
    this.iframe.after(this.elsewhere.element);
    this.render();
  }

  get element(): HTMLElement {
    return this.view.element;
  }

  get iframe(): HTMLIFrameElement {
    return this.view.iframe;
  }

  get launcher(): HTMLButtonElement {
    return this.view.launcher;
  }

  get state(): PanelState {
    return { mode: this.mode, width: this.width, limits: { width: { min: this.config.width.min, max: this.config.width.max } } };
  }

  get clickToAct(): boolean {
    return this.clickToActOn;
  }

  get acceptsClickToAct(): boolean {
    return this.ready && this.signedIn && this.clickToActOn && this.mode !== "hidden";
  }

  connect() {
    window.addEventListener("message", this.onMessage);
    const onRemote = (remote: WidgetRemote) => {
      this.frameRemote = remote;
      if (this.mode !== "poppedOut") this.remote = remote;
    };
    // webcti, cif and opencti widgets speak WebCTI's widget protocol (the façades run in the frame); a
    // HubSpot widget speaks its SDK's own messages to a host of their own.
    this.disconnectFrame = this.hubspot
      ? connectHubSpotWidget(this.hubspotPanel(), onRemote)
      : connectWidget(this.iframe.contentWindow!, this.config.trustedOrigins, this.methods, onRemote);
    this.ownership = claimWidget({
      locks: (navigator as { locks?: OwnershipLocks }).locks,
      name: `webcti.widget.${this.me.tenantId}:${this.me.agentId}.${this.providerId}`,
      onOwned: () => this.loadWidget(),
      onElsewhere: () => this.unloadWidget(),
    });
    // A widget that reloads itself handshakes again (penpal moves the connection to the new page, and
    // the SDK says hello). The new page's hello may come before or after the frame's load event, so
    // after a load the host asks the widget whether it is there and reports it only if no hello came.
    this.iframe.addEventListener("load", () => {
      this.pageLoaded = true;
      // The HubSpot host sends SYNC again after each load by itself.
      if (this.hubspot || this.mode === "poppedOut" || !this.ready || !this.remote) return;
      const hellosAtLoad = this.hellos;
      const afterMs = this.options.handshakeTimeoutMs ?? 10_000;
      this.remote.ping(new CallOptions({ timeout: afterMs })).catch(() => {
        if (this.hellos !== hellosAtLoad) return;
        this.ready = false;
        this.onClickToActChange();
        this.reportHandshakeFailure(afterMs);
      });
    });
  }

  destroy() {
    this.ownership?.release();
    this.closePopup();
    clearTimeout(this.handshakeTimer);
    window.removeEventListener("message", this.onMessage);
    this.disconnectFrame?.();
    this.view.remove();
  }

  send(event: WidgetEvent) {
    if (!this.ready || !this.remote) return;
    this.remote.event(event).catch(() => undefined);
  }

  sendClickToAct(payload: ClickToActPayload) {
    this.send({ type: "clickToAct", payload });
    this.options.onEvent?.({ type: "clickToAct", providerId: this.providerId, payload });
  }

  setMode(mode: PanelMode, by: "agent" | "widget" = "agent"): PanelState {
    if (this.mode === mode) return this.state;
    if (mode === "poppedOut" && !this.owned) fail("host_error", `${this.config.label} is open in another tab.`);
    // The SDK talks to window.parent only: a HubSpot widget in a window of its own would have no host.
    if (mode === "poppedOut" && this.hubspot) fail("not_supported", `${this.config.label} cannot be popped out: its widget runs only inside the panel.`);
    if (mode === "poppedOut") this.popOut();
    else if (this.mode === "poppedOut") this.bringBack();
    this.mode = mode;
    this.save();
    this.render();
    if (by === "agent" && mode !== "hidden") this.view.focusModeButton(mode);
    const panel = this.state;
    this.send({ type: "panelModeChanged", mode, panel });
    this.options.onEvent?.({ type: "modeChanged", providerId: this.providerId, panel });
    this.onClickToActChange();
    return panel;
  }

  setWidth(width: number): PanelState {
    const next = this.clamp(width);
    if (next === this.width) return this.state;
    this.width = next;
    this.save();
    this.render();
    const panel = this.state;
    this.send({ type: "panelSizeChanged", width: next, panel });
    this.options.onEvent?.({ type: "sizeChanged", providerId: this.providerId, panel });
    return panel;
  }

  setClickToAct(enabled: boolean) {
    this.clickToActOn = enabled;
    this.onClickToActChange();
  }

  environment(): Environment {
    return {
      tenantId: this.me.tenantId,
      agentId: this.me.agentId,
      agentName: this.me.displayName,
      providerId: this.providerId,
      locale: navigator.language,
      page: this.pageContext(),
    };
  }

  widgetReady(sdkVersion: string) {
    clearTimeout(this.handshakeTimer);
    this.hellos += 1;
    this.ready = true;
    this.view.setConnection("ready", this.mode === "poppedOut" ? `${this.config.label} is open in its own window.` : "");
    this.onClickToActChange();
    this.options.onEvent?.({ type: "ready", providerId: this.providerId, sdkVersion });
  }

  /** Loads `url` in the panel's frame; its page counts as loaded once the frame's load event comes. */
  private navigateFrame(url: string) {
    this.pageLoaded = false;
    this.iframe.src = url;
  }

  /** This tab holds the widget (at start, moved here, or the tab that held it closed): load it. */
  private loadWidget() {
    this.owned = true;
    this.elsewhere.hide();
    this.iframe.style.removeProperty("display");
    this.remote = this.mode === "poppedOut" ? undefined : this.frameRemote;
    this.view.setConnection("connecting", "Connecting…");
    this.navigateFrame(this.config.widgetUrl);
    this.startHandshakeTimer();
  }

  /** Another of the agent's tabs holds the widget: one instance only, so this tab's frame (or window) unloads. */
  private unloadWidget() {
    this.owned = false;
    this.closePopup();
    clearTimeout(this.handshakeTimer);
    this.ready = false;
    this.remote = undefined;
    if (this.mode === "poppedOut") {
      this.mode = "docked"; // not saved: the agent did not choose it, the tab holding the widget did
      this.render();
    }
    this.navigateFrame("about:blank");
    this.iframe.style.setProperty("display", "none");
    this.view.setConnection("connecting", "");
    this.element.dataset.state = "elsewhere";
    this.elsewhere.show();
    this.onClickToActChange();
  }

  /**
   * Moves the widget into its own window: one instance at a time, so the panel's frame is emptied and
   * the window's page (the same widget URL) handshakes with this host through window.opener. Closing
   * the window brings the widget back into the panel.
   */
  private popOut() {
    const opened = openPopOutWindow({
      url: this.config.widgetUrl,
      name: `webcti-${this.providerId}`,
      width: this.width,
      onClosed: () => this.setMode("docked", "agent"),
    });
    this.ready = false;
    this.remote = undefined;
    this.navigateFrame("about:blank");
    this.view.setConnection("connecting", `${this.config.label} is open in its own window.`);
    const disconnect = connectWidget(opened.window, this.config.trustedOrigins, this.methods, (remote) => {
      if (this.popup?.window === opened) this.remote = remote;
    });
    this.popup = { window: opened, disconnect };
    this.startHandshakeTimer();
  }

  private bringBack() {
    this.closePopup();
    this.ready = false;
    this.remote = this.frameRemote;
    this.view.setConnection("connecting", "Connecting…");
    this.navigateFrame(this.config.widgetUrl);
    this.startHandshakeTimer();
  }

  private closePopup() {
    if (!this.popup) return;
    const { window: opened, disconnect } = this.popup;
    this.popup = undefined;
    disconnect();
    opened.close();
  }

  private startHandshakeTimer() {
    clearTimeout(this.handshakeTimer);
    const afterMs = this.options.handshakeTimeoutMs ?? 10_000;
    this.handshakeTimer = setTimeout(() => {
      if (!this.ready) this.reportHandshakeFailure(afterMs);
    }, afterMs);
  }

  private reportHandshakeFailure(afterMs: number) {
    this.view.setConnection(
      "failed",
      `${this.config.label} did not connect within ${Math.round(afterMs / 1000)} s. ` +
        `Its page must load the ${this.hubspot ? "HubSpot Calling Extensions SDK" : "WebCTI widget SDK"} and be served from a trusted origin (${this.config.trustedOrigins.join(", ")}).`,
    );
    this.options.onEvent?.({ type: "handshakeTimeout", providerId: this.providerId, afterMs });
  }

  /** This panel as the HubSpot host drives it (hubspot/hubspotHost.ts). */
  private hubspotPanel(): HubSpotHostPanel {
    return {
      providerId: this.providerId,
      frame: this.iframe,
      trustedOrigins: this.config.trustedOrigins,
      methods: this.methods,
      reportCalls: this.config.reportCalls === true,
      environment: () => this.environment(),
      pageLoaded: () => this.pageLoaded,
      synced: (sdkVersion) => this.widgetReady(sdkVersion),
      unsynced: () => {
        this.ready = false;
        this.signedIn = false;
        this.onClickToActChange();
        if (!this.owned || this.mode === "poppedOut") return; // an emptied frame (another tab holds the widget)
        this.view.setConnection("connecting", "Connecting…");
        this.startHandshakeTimer();
      },
      setSignedIn: (signedIn) => {
        this.signedIn = signedIn;
        this.onClickToActChange();
      },
      setWidth: (width) => this.setWidth(width),
      setMode: (mode) => this.setMode(mode, "widget"),
      loadUrl: (url) => {
        this.view.setConnection("connecting", "Connecting…");
        this.navigateFrame(url);
      },
    };
  }

  private reportUntrusted(event: MessageEvent) {
    if (event.source !== this.iframe.contentWindow || this.config.trustedOrigins.includes(event.origin)) return;
    // Never answered (penpal ignores it too); reported once per origin.
    if (this.reportedOrigins.has(event.origin)) return;
    this.reportedOrigins.add(event.origin);
    console.warn(`WebCTI: ignored a message to panel ${this.providerId} from untrusted origin ${event.origin}`);
    this.options.onEvent?.({ type: "untrustedMessage", providerId: this.providerId, origin: event.origin });
  }

  private clamp(width: number): number {
    const { min, max } = this.config.width;
    return Math.max(Math.max(min, minimumWidth), Math.min(max, Math.round(width)));
  }

  private render() {
    this.view.render(this.mode, this.width);
  }

  private save() {
    this.preferences.save({ mode: this.mode, width: this.width });
  }
}
