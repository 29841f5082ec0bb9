import { CallOptions, WindowMessenger, connect, type RemoteProxy } from "penpal";
import {
  hostCapabilities,
  notificationTimeout,
  panelModes,
  protocolVersion,
  type ClickToActPayload,
  type Environment,
  type HostMethods,
  type PageContext,
  type PanelMode,
  type PanelState,
  type LoggedActivity,
  type RecordFields,
  type RecordRef,
  type WidgetErrorCode,
  type WidgetEvent,
  type WidgetMethods,
  type WireError,
} from "../protocol.js";
import { AgentApi, AgentApiError, type ClickToActWebhookView, type PanelConfigView } from "./agentApi.js";
import type { AgentAdapter } from "./agentClient.js";
import { webStorage, type KeyValueStorage } from "./popLedger.js";
import { injectPanelStyles } from "./panelStyles.js";
import { readClickTarget, type ClickTarget } from "./clickToAct.js";
import { showNotification } from "./notifications.js";
import { popTargetFor } from "../../shared/screenPop/decideScreenPop.js";

/** The CRM adapter as the panels use it: the pop adapter plus what page the agent is on. */
export interface PanelAdapter extends AgentAdapter {
  getPageContext?(): PageContext;
}

export type PanelHostEvent =
  | { type: "ready"; providerId: string; sdkVersion: string }
  | { type: "handshakeTimeout"; providerId: string; afterMs: number }
  | { type: "untrustedMessage"; providerId: string; origin: string }
  | { type: "modeChanged"; providerId: string; panel: PanelState }
  | { type: "sizeChanged"; providerId: string; panel: PanelState }
  | { type: "clickToAct"; providerId: string; payload: ClickToActPayload }
  | { type: "clickToActWebhook"; providerId: string; payload: ClickToActPayload; outcome: ClickToActOutcome }
  | { type: "activityLogged"; providerId: string; activity: LoggedActivity };

/**
 * What became of a click sent to a provider without a widget: the webhook delivery (`delivered`, or
 * `pending` while WebCTI retries), or why the service refused it (`code`: docs/errors.md, or "network").
 */
export type ClickToActOutcome =
  | { ok: true; deliveryId: string; deliveryStatus: "pending" | "delivered" | "failed" }
  | { ok: false; code: string; message: string; status: number };

export interface MountPanelsOptions {
  /** Where the panels go; they stay there across the CRM's in-app navigation. */
  container: HTMLElement;
  adapter: PanelAdapter;
  apiBase?: string;
  fetch?: typeof fetch;
  /** Where panel mode and width are kept; default localStorage. */
  storage?: KeyValueStorage;
  /** How long a widget may take to complete the handshake before the panel says why it is empty. */
  handshakeTimeoutMs?: number;
  /**
   * Send navigation events on hashchange / popstate by itself (default). A CRM that renders pages
   * asynchronously passes false and calls notifyNavigation() once the new page is shown.
   */
  trackNavigation?: boolean;
  /** Country for reading phone numbers written without one (default "US"). */
  defaultCountry?: string;
  onEvent?: (event: PanelHostEvent) => void;
}

export interface Panel {
  readonly providerId: string;
  readonly element: HTMLElement;
  readonly iframe: HTMLIFrameElement;
  readonly state: PanelState;
  readonly ready: boolean;
  setMode(mode: PanelMode): PanelState;
  setWidth(width: number): PanelState;
}

export interface PanelHost {
  readonly panels: readonly Panel[];
  /** Tells the widgets the agent moved to another page (called by itself on hashchange / popstate). */
  notifyNavigation(): void;
  destroy(): void;
}

const minimumWidth = 160;

class WidgetCallError {
  constructor(readonly wire: WireError) {}
}

function wireError(code: WidgetErrorCode, message: string, correlationId: string, details?: Record<string, unknown>): WireError {
  return { webctiError: 1, code, message, correlationId, ...(details ? { details } : {}) };
}

/**
 * Mounts every provider panel configured for the signed-in agent's tenant, in the configured order, and
 * plays the host side of the widget protocol with each: penpal pinned to the provider's trusted origins.
 *
 * A click on a phone number or an email address goes to the first panel (in order) whose widget is ready,
 * takes click-to-act and is not hidden; when no widget takes it, to the first provider without a widget
 * that takes click-to-act by webhook (its server gets `clickToAct.requested`; `onEvent` gets the outcome).
 */
export async function mountPanels(options: MountPanelsOptions): Promise<PanelHost> {
  const api = new AgentApi({ apiBase: options.apiBase ?? "/api", fetch: options.fetch });
  const [me, { panels: configs, clickToActWebhooks = [] }] = await Promise.all([api.me(), api.panels()]);
  const storage = options.storage ?? webStorage("localStorage");
  injectPanelStyles(options.container.ownerDocument);
  const panels: PanelController[] = configs
    .slice()
    .sort((a, b) => a.order - b.order || a.providerId.localeCompare(b.providerId))
    .map((config) => new PanelController(config, me, storage, options, api));

  const pageContext = (): PageContext => options.adapter.getPageContext?.() ?? { url: location.href, title: document.title };
  for (const panel of panels) panel.pageContext = pageContext;

  const onClick = (event: MouseEvent) => {
    const target = readClickTarget(event.target);
    if (!target) return;
    const panel = panels.find((p) => p.acceptsClickToAct);
    const webhook = panel ? undefined : clickToActWebhooks[0];
    // With no provider taking clicks, a phone number is plain text: no tel: navigation, no dialer pop-up.
    event.preventDefault();
    if (panel) void target.toPayload(options.defaultCountry ?? "US").then((payload) => panel.sendClickToAct(payload));
    else if (webhook) void sendByWebhook(webhook, target);
  };
  const sendByWebhook = async (provider: ClickToActWebhookView, target: ClickTarget) => {
    const payload = await target.toPayload(options.defaultCountry ?? "US");
    // The page's number as given (not as shown): the service normalizes it with the tenant's country.
    const request = { providerId: provider.providerId, kind: target.kind, value: target.value, ...(payload.record ? { record: { type: payload.record.type, id: payload.record.id } } : {}) };
    let outcome: ClickToActOutcome;
    try {
      const delivery = await api.clickToAct(request);
      outcome = { ok: true, deliveryId: delivery.deliveryId, deliveryStatus: delivery.status };
    } catch (error) {
      const failure = error instanceof AgentApiError ? error : new AgentApiError("network", String((error as Error)?.message ?? error), 0);
      outcome = { ok: false, code: failure.code, message: failure.message, status: failure.status };
    }
    options.onEvent?.({ type: "clickToActWebhook", providerId: provider.providerId, payload, outcome });
  };
  document.addEventListener("click", onClick, true);
  const updateClickToActMarker = () => {
    document.documentElement.dataset.webctiClickToAct = clickToActWebhooks.length > 0 || panels.some((p) => p.acceptsClickToAct) ? "on" : "off";
  };
  for (const panel of panels) panel.onClickToActChange = updateClickToActMarker;
  updateClickToActMarker();

  const notifyNavigation = () => {
    const page = pageContext();
    for (const panel of panels) panel.send({ type: "navigation", page });
  };
  // After the CRM renders the new route (its hashchange listeners run first).
  const onNavigate = () => setTimeout(notifyNavigation, 0);
  const trackNavigation = options.trackNavigation ?? true;
  if (trackNavigation) {
    window.addEventListener("hashchange", onNavigate);
    window.addEventListener("popstate", onNavigate);
  }

  for (const panel of panels) options.container.append(panel.element, panel.launcher);
  for (const panel of panels) panel.connect();

  return {
    panels,
    notifyNavigation,
    destroy() {
      document.removeEventListener("click", onClick, true);
      window.removeEventListener("hashchange", onNavigate);
      window.removeEventListener("popstate", onNavigate);
      for (const panel of panels) panel.destroy();
    },
  };
}

class PanelController implements Panel {
  readonly providerId: string;
  readonly element: HTMLElement;
  readonly iframe: HTMLIFrameElement;
  readonly launcher: HTMLButtonElement;
  pageContext: () => PageContext = () => ({ url: location.href, title: document.title });
  onClickToActChange: () => void = () => undefined;
  ready = false;
  private hellos = 0;
  private mode: PanelMode;
  private width: number;
  private clickToActOn: boolean;
  private remote: RemoteProxy<WidgetMethods> | undefined;
  private frameRemote: RemoteProxy<WidgetMethods> | undefined;
  private popup: { window: Window; destroy: () => void; watch: ReturnType<typeof setInterval> } | undefined;
  private destroyConnection: (() => void) | undefined;
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly status: HTMLElement;
  private readonly separator: HTMLElement;
  private readonly reportedOrigins = new Set<string>();
  private readonly onMessage: (event: MessageEvent) => void;

  constructor(
    private readonly config: PanelConfigView,
    private readonly me: { tenantId: string; agentId: string; displayName: string },
    private readonly storage: KeyValueStorage,
    private readonly options: MountPanelsOptions,
    private readonly api: AgentApi,
  ) {
    this.providerId = config.providerId;
    const saved = this.load();
    this.mode = saved?.mode ?? config.defaultMode;
    this.width = this.clamp(saved?.width ?? config.width.default);
    this.clickToActOn = config.clickToAct;

    const doc = options.container.ownerDocument;
    this.element = doc.createElement("section");
    this.element.className = "webcti-panel";
    this.element.dataset.providerId = config.providerId;
    this.element.dataset.state = "connecting";
    this.element.setAttribute("aria-label", config.label);

    const bar = doc.createElement("header");
    bar.className = "webcti-panel-bar";
    const title = doc.createElement("span");
    title.className = "webcti-panel-title";
    title.textContent = config.label;
    bar.append(title);
    const buttons: Array<[PanelMode, string, string]> = [
      ["minimized", "Minimize", "–"],
      ["docked", "Dock", "▭"],
      ["expanded", "Expand", "⤢"],
      ["poppedOut", "Pop out", "⧉"],
      ["hidden", "Hide", "×"],
    ];
    for (const [mode, label, glyph] of buttons) {
      const button = doc.createElement("button");
      button.type = "button";
      button.dataset.mode = mode;
      button.setAttribute("aria-label", `${label} ${config.label}`);
      button.title = label;
      button.textContent = glyph;
      button.addEventListener("click", () => {
        try {
          this.setMode(mode, "agent");
        } catch (error) {
          this.status.textContent = (error as WidgetCallError).wire?.message ?? String(error);
        }
      });
      bar.append(button);
    }

    const body = doc.createElement("div");
    body.className = "webcti-panel-body";
    this.separator = doc.createElement("div");
    this.separator.className = "webcti-panel-resize";
    this.separator.setAttribute("role", "separator");
    this.separator.setAttribute("aria-orientation", "vertical");
    this.separator.setAttribute("aria-label", `Resize ${config.label}`);
    this.separator.tabIndex = 0;
    this.wireResizing();

    this.iframe = doc.createElement("iframe");
    this.iframe.title = config.label;
    this.iframe.src = config.widgetUrl;
    // What a softphone needs, and no more: no top navigation, no same-origin access to the CRM.
    this.iframe.allow = "microphone; camera; autoplay; clipboard-read; clipboard-write";
    this.iframe.setAttribute(
      "sandbox",
      "allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox allow-modals allow-downloads",
    );
    this.status = doc.createElement("p");
    this.status.className = "webcti-panel-status";
    this.status.setAttribute("role", "status");
    this.status.textContent = "Connecting…";
    body.append(this.separator, this.iframe, this.status);
    this.element.append(bar, body);

    this.launcher = doc.createElement("button");
    this.launcher.type = "button";
    this.launcher.className = "webcti-panel-launcher";
    this.launcher.dataset.providerId = config.providerId;
    this.launcher.textContent = config.label;
    this.launcher.setAttribute("aria-label", `Show ${config.label}`);
    this.launcher.addEventListener("click", () => this.setMode("docked", "agent"));

    this.onMessage = (event: MessageEvent) => {
      if (event.source !== this.iframe.contentWindow || this.config.trustedOrigins.includes(event.origin)) return;
      // Never answered (penpal ignores it too); reported once per origin.
      if (this.reportedOrigins.has(event.origin)) return;
      this.reportedOrigins.add(event.origin);
      console.warn(`WebCTI: ignored a message to panel ${this.providerId} from untrusted origin ${event.origin}`);
      this.options.onEvent?.({ type: "untrustedMessage", providerId: this.providerId, origin: event.origin });
    };
    this.render();
  }

  get state(): PanelState {
    return { mode: this.mode, width: this.width, limits: { width: { min: this.config.width.min, max: this.config.width.max } } };
  }

  get acceptsClickToAct(): boolean {
    return this.ready && this.clickToActOn && this.mode !== "hidden";
  }

  connect() {
    window.addEventListener("message", this.onMessage);
    const connection = connect<WidgetMethods>({
      messenger: new WindowMessenger({ remoteWindow: this.iframe.contentWindow!, allowedOrigins: this.config.trustedOrigins }),
      methods: this.hostMethods(),
    });
    this.destroyConnection = () => connection.destroy();
    connection.promise.then(
      (remote) => {
        this.frameRemote = remote;
        if (this.mode !== "poppedOut") this.remote = remote;
      },
      () => undefined,
    );
    this.startHandshakeTimer();
    // A widget that reloads itself handshakes again (penpal moves the connection to the new page, and
    // the SDK says hello). The new page's hello may come before or after the frame's load event, so
    // after a load the host asks the widget whether it is there and reports it only if no hello came.
    this.iframe.addEventListener("load", () => {
      if (this.mode === "poppedOut" || !this.ready || !this.remote) return;
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
    this.closePopup();
    clearTimeout(this.handshakeTimer);
    window.removeEventListener("message", this.onMessage);
    this.destroyConnection?.();
    this.element.remove();
    this.launcher.remove();
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
    if (mode === "poppedOut") this.popOut();
    else if (this.mode === "poppedOut") this.bringBack();
    this.mode = mode;
    this.save();
    this.render();
    if (by === "agent" && mode !== "hidden") this.element.querySelector<HTMLElement>(`button[data-mode="${mode}"]`)?.focus();
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

  /**
   * Moves the widget into its own window: one instance at a time, so the panel's frame is emptied and
   * the window's page (the same widget URL) handshakes with this host through window.opener. Closing
   * the window brings the widget back into the panel.
   */
  private popOut() {
    const features = `popup,width=${this.width},height=640`;
    const opened = window.open(this.config.widgetUrl, `webcti-${this.providerId}`, features);
    if (!opened) {
      throw new WidgetCallError(wireError("host_error", "The browser blocked the pop-up window.", ""));
    }
    this.ready = false;
    this.remote = undefined;
    this.iframe.src = "about:blank";
    this.element.dataset.state = "connecting";
    this.status.textContent = `${this.config.label} is open in its own window.`;
    const connection = connect<WidgetMethods>({
      messenger: new WindowMessenger({ remoteWindow: opened, allowedOrigins: this.config.trustedOrigins }),
      methods: this.hostMethods(),
    });
    connection.promise.then(
      (remote) => {
        if (this.popup?.window === opened) this.remote = remote;
      },
      () => undefined,
    );
    const watch = setInterval(() => {
      if (opened.closed && this.popup?.window === opened) this.setMode("docked", "agent");
    }, 300);
    this.popup = { window: opened, destroy: () => connection.destroy(), watch };
    this.startHandshakeTimer();
  }

  private bringBack() {
    this.closePopup();
    this.ready = false;
    this.remote = this.frameRemote;
    this.element.dataset.state = "connecting";
    this.status.textContent = "Connecting…";
    this.iframe.src = this.config.widgetUrl;
    this.startHandshakeTimer();
  }

  private closePopup() {
    if (!this.popup) return;
    const { window: opened, destroy, watch } = this.popup;
    this.popup = undefined;
    clearInterval(watch);
    destroy();
    if (!opened.closed) opened.close();
  }

  private startHandshakeTimer() {
    clearTimeout(this.handshakeTimer);
    const afterMs = this.options.handshakeTimeoutMs ?? 10_000;
    this.handshakeTimer = setTimeout(() => {
      if (!this.ready) this.reportHandshakeFailure(afterMs);
    }, afterMs);
  }

  private reportHandshakeFailure(afterMs: number) {
    this.element.dataset.state = "failed";
    this.status.textContent =
      `${this.config.label} did not connect within ${Math.round(afterMs / 1000)} s. ` +
      `Its page must load the WebCTI widget SDK and be served from a trusted origin (${this.config.trustedOrigins.join(", ")}).`;
    this.options.onEvent?.({ type: "handshakeTimeout", providerId: this.providerId, afterMs });
  }

  private hostMethods(): HostMethods {
    const guard =
      <A extends { correlationId: string }, R>(fn: (request: A) => R | Promise<R>) =>
      async (request: A): Promise<R> => {
        const correlationId = typeof request?.correlationId === "string" ? request.correlationId : "";
        try {
          return await fn(request);
        } catch (error) {
          if (error instanceof WidgetCallError) throw error.wire;
          if (error instanceof AgentApiError) {
            const code: WidgetErrorCode =
              error.code === "unauthenticated" ? "unauthenticated" : error.code === "not_found" ? "not_found" : error.code === "invalid_request" ? "invalid_argument" : "host_error";
            throw wireError(code, error.message, correlationId, {
              status: error.status,
              apiCode: error.code,
              ...(error.problem?.errors ? { errors: error.problem.errors } : {}),
            });
          }
          throw wireError("host_error", String((error as Error)?.message ?? error), correlationId);
        }
      };
    const fail = (code: WidgetErrorCode, message: string, request: { correlationId: string }, details?: Record<string, unknown>) => {
      throw new WidgetCallError(wireError(code, message, request.correlationId, details));
    };
    const adapter = this.options.adapter;
    return {
      hello: guard(async (request) => {
        const major = String(request.protocolVersion ?? "").split(".")[0];
        if (major !== protocolVersion.split(".")[0]) {
          fail("unsupported_version", `The host speaks protocol ${protocolVersion}; the widget sent ${request.protocolVersion}.`, request, {
            hostVersion: protocolVersion,
          });
        }
        clearTimeout(this.handshakeTimer);
        this.hellos += 1;
        this.ready = true;
        this.element.dataset.state = "ready";
        this.status.textContent = this.mode === "poppedOut" ? `${this.config.label} is open in its own window.` : "";
        this.onClickToActChange();
        this.options.onEvent?.({ type: "ready", providerId: this.providerId, sdkVersion: String(request.sdkVersion ?? "") });
        return {
          protocolVersion,
          capabilities: [...hostCapabilities],
          environment: this.environment(),
          panel: this.state,
          clickToAct: this.clickToActOn,
        };
      }),
      getEnvironment: guard(() => this.environment()),
      getPanelState: guard(() => this.state),
      setPanelMode: guard((request) => {
        if (!panelModes.includes(request.mode)) {
          fail("invalid_argument", `mode must be one of ${panelModes.join(", ")}.`, request, { allowed: [...panelModes] });
        }
        try {
          return this.setMode(request.mode, "widget");
        } catch (error) {
          if (error instanceof WidgetCallError) fail(error.wire.code, error.wire.message, request);
          throw error;
        }
      }),
      setPanelSize: guard((request) => {
        const { min, max } = this.config.width;
        if (typeof request.width !== "number" || !Number.isFinite(request.width)) {
          fail("invalid_argument", "width must be a number of CSS pixels.", request, { min, max });
        }
        if (request.width < min || request.width > max) {
          fail("out_of_range", `width must be between ${min} and ${max} pixels; got ${request.width}.`, request, { min, max });
        }
        return this.setWidth(Math.round(request.width));
      }),
      getClickToAct: guard(() => ({ enabled: this.clickToActOn })),
      setClickToAct: guard((request) => {
        if (typeof request.enabled !== "boolean") fail("invalid_argument", "enabled must be true or false.", request);
        this.clickToActOn = request.enabled;
        this.onClickToActChange();
        return { enabled: this.clickToActOn };
      }),
      openRecord: guard(async (request) => {
        recordPath(request.record, request);
        await adapter.openRecord({ type: request.record.type, id: request.record.id, name: request.record.name ?? "" });
        return { opened: true as const };
      }),
      openSearch: guard(async (request) => {
        if (typeof request.query !== "string" || !request.query.trim()) fail("invalid_argument", "query must be a non-empty string.", request);
        const found = await this.api.search(request.query.includes("@") ? { email: request.query } : { phone: request.query });
        await adapter.openSearch({ query: request.query, results: found.matches });
        return { opened: true as const };
      }),
      openNewRecord: guard(async (request) => {
        if (request.recordType !== "contact" && request.recordType !== "account") {
          fail("invalid_argument", "recordType must be 'contact' or 'account'.", request);
        }
        const prefill = request.prefill ?? {};
        await adapter.openNewRecord({ recordType: request.recordType, prefill });
        return { opened: true as const };
      }),
      searchRecords: guard(async (request) => {
        if (!request.phone && !request.email) fail("invalid_argument", "Give phone or email.", request);
        return { matches: (await this.api.search({ phone: request.phone, email: request.email })).matches };
      }),
      screenPop: guard(async (request) => {
        if (!request.phone && !request.email) fail("invalid_argument", "Give phone or email.", request);
        const { query, matches } = await this.api.search({ phone: request.phone, email: request.email });
        if (request.searchOnly) return { matches, opened: null };
        const customer = { phone: request.phone, email: request.email, name: request.name };
        // The number as the service read it (E.164), so a new-record form is prefilled the same way a pop's is.
        const phone = query.e164 ? { e164: query.e164 } : undefined;
        const target = popTargetFor({ policy: this.config.screenPopPolicy, customer, matches, ...(phone ? { phone } : {}) });
        if (target?.kind === "record") await adapter.openRecord(target.record);
        else if (target?.kind === "search") await adapter.openSearch({ query: request.phone ?? request.email ?? "", results: target.results });
        else if (target?.kind === "newRecord") await adapter.openNewRecord({ recordType: target.recordType, prefill: target.prefill });
        return { matches, opened: target?.kind ?? null };
      }),
      createRecord: guard(async (request) => {
        const collection = collectionOf(request.recordType) ?? fail("invalid_argument", "recordType must be 'contact' or 'account'.", request);
        const id = `${request.recordType === "contact" ? "c" : "acc"}-${newId()}`;
        return this.api.saveRecord(collection, id, toInput(request.fields, request));
      }),
      getRecord: guard(async (request) => {
        const { collection, id } = recordPath(request.record, request);
        return this.api.record(collection, id);
      }),
      updateRecord: guard(async (request) => {
        const { collection, id } = recordPath(request.record, request);
        const current = await this.api.record(collection, id);
        const merged: RecordFields = {
          name: current.name,
          phones: current.phones.map((p) => ({ number: p.raw, ...(p.label ? { label: p.label } : {}) })),
          emails: current.emails,
          ...(current.accountId ? { accountId: current.accountId } : {}),
          ...(current.title ? { title: current.title } : {}),
          ...(current.notes ? { notes: current.notes } : {}),
          ...(request.fields ?? {}),
        };
        return this.api.saveRecord(collection, id, toInput(merged, request));
      }),
      deleteRecord: guard(async (request) => {
        const { collection, id } = recordPath(request.record, request);
        await this.api.deleteRecord(collection, id);
        return { deleted: true as const };
      }),
      logActivity: guard(async (request) => {
        const { correlationId: _ignored, record: given, ...activity } = request;
        const record = given ?? this.pageContext().record;
        if (!record) fail("invalid_argument", "Give record: the agent has no record open.", request);
        recordPath(record, request);
        const logged = await this.api.logActivity({ ...activity, providerId: this.providerId, record: { type: record!.type, id: record!.id } });
        this.options.onEvent?.({ type: "activityLogged", providerId: this.providerId, activity: logged });
        return logged;
      }),
      notify: guard(async (request) => {
        if (typeof request.title !== "string" || !request.title.trim() || request.title.length > 200) {
          fail("invalid_argument", "title must be 1 to 200 characters.", request);
        }
        if (request.body !== undefined && (typeof request.body !== "string" || request.body.length > 1000)) {
          fail("invalid_argument", "body must be at most 1000 characters.", request);
        }
        const timeoutMs = request.timeoutMs ?? notificationTimeout.default;
        if (typeof timeoutMs !== "number" || timeoutMs < notificationTimeout.min || timeoutMs > notificationTimeout.max) {
          fail("out_of_range", `timeoutMs must be between ${notificationTimeout.min} and ${notificationTimeout.max}.`, request, {
            min: notificationTimeout.min,
            max: notificationTimeout.max,
          });
        }
        const outcome = await showNotification(this.options.container.ownerDocument, {
          providerId: this.providerId,
          label: this.config.label,
          title: request.title,
          ...(request.body ? { body: request.body } : {}),
          acceptLabel: (request.acceptLabel ?? "Accept").slice(0, 40),
          declineLabel: (request.declineLabel ?? "Decline").slice(0, 40),
          timeoutMs,
        });
        return { outcome };
      }),
    };
  }

  private environment(): Environment {
    return {
      tenantId: this.me.tenantId,
      agentId: this.me.agentId,
      agentName: this.me.displayName,
      providerId: this.providerId,
      locale: navigator.language,
      page: this.pageContext(),
    };
  }

  private clamp(width: number): number {
    const { min, max } = this.config.width;
    return Math.max(Math.max(min, minimumWidth), Math.min(max, Math.round(width)));
  }

  private render() {
    this.element.dataset.mode = this.mode;
    const width = this.mode === "expanded" ? this.config.width.max : this.width;
    this.element.style.setProperty("--webcti-panel-width", `${width}px`);
    this.element.hidden = this.mode === "hidden";
    this.launcher.hidden = this.mode !== "hidden";
    this.separator.setAttribute("aria-valuenow", String(this.width));
    this.separator.setAttribute("aria-valuemin", String(this.config.width.min));
    this.separator.setAttribute("aria-valuemax", String(this.config.width.max));
    for (const button of this.element.querySelectorAll<HTMLButtonElement>("button[data-mode]")) {
      button.setAttribute("aria-pressed", String(button.dataset.mode === this.mode));
    }
  }

  private wireResizing() {
    // The panel sits at the right: dragging the left edge leftwards widens it.
    this.separator.addEventListener("pointerdown", (down: PointerEvent) => {
      if (this.mode !== "docked") return;
      down.preventDefault();
      const startX = down.clientX;
      const startWidth = this.width;
      this.separator.setPointerCapture(down.pointerId);
      this.iframe.style.pointerEvents = "none"; // the iframe would swallow the move events
      const move = (event: PointerEvent) => this.setWidth(startWidth + (startX - event.clientX));
      const up = () => {
        this.iframe.style.pointerEvents = "";
        this.separator.removeEventListener("pointermove", move);
        this.separator.removeEventListener("pointerup", up);
      };
      this.separator.addEventListener("pointermove", move);
      this.separator.addEventListener("pointerup", up);
    });
    this.separator.addEventListener("keydown", (event: KeyboardEvent) => {
      const step = event.shiftKey ? 64 : 16;
      if (event.key === "ArrowLeft") this.setWidth(this.width + step);
      else if (event.key === "ArrowRight") this.setWidth(this.width - step);
      else if (event.key === "Home") this.setWidth(this.config.width.min);
      else if (event.key === "End") this.setWidth(this.config.width.max);
      else return;
      event.preventDefault();
    });
  }

  private key() {
    return `webcti.panel.${this.me.tenantId}.${this.me.agentId}.${this.providerId}`;
  }

  private load(): { mode?: PanelMode; width?: number } | undefined {
    try {
      const saved = JSON.parse(this.storage.getItem(this.key()) ?? "null") as { mode?: PanelMode; width?: number } | null;
      if (!saved) return undefined;
      return {
        ...(saved.mode && panelModes.includes(saved.mode) && saved.mode !== "poppedOut" ? { mode: saved.mode } : {}),
        ...(typeof saved.width === "number" ? { width: saved.width } : {}),
      };
    } catch {
      return undefined;
    }
  }

  private save() {
    try {
      this.storage.setItem(this.key(), JSON.stringify({ mode: this.mode, width: this.width }));
    } catch {
      /* storage denied: the state lasts for this page */
    }
  }
}

function collectionOf(type: unknown): "contacts" | "accounts" | undefined {
  return type === "contact" ? "contacts" : type === "account" ? "accounts" : undefined;
}

function recordPath(record: RecordRef | undefined, request: { correlationId: string }) {
  const collection = collectionOf(record?.type);
  if (!record || !collection || typeof record.id !== "string" || !record.id) {
    throw new WidgetCallError(wireError("invalid_argument", "record must be { type: 'contact' | 'account', id }.", request.correlationId));
  }
  return { collection, id: record.id };
}

/** The record fields as the agent API takes them; the service validates and answers invalid_request. */
function toInput(fields: RecordFields | undefined, request: { correlationId: string }): RecordFields {
  if (!fields || typeof fields.name !== "string" || !fields.name.trim()) {
    throw new WidgetCallError(wireError("invalid_argument", "fields.name is required.", request.correlationId));
  }
  return fields;
}

function newId(): string {
  return globalThis.crypto?.randomUUID?.().slice(0, 8) ?? Math.random().toString(36).slice(2, 10);
}
