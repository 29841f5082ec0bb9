import type { ClickToActPayload, LoggedActivity, PageContext, PanelMode, PanelState } from "../protocol.js";
import { AgentApi } from "./agentApi.js";
import type { AgentAdapter, AgentClient } from "./agentClient.js";
import type { GetToken } from "./agentToken.js";
import { PanelController } from "./panelController.js";
import { createShadowHost, injectPanelStyles, panelCss } from "./panelStyles.js";
import { webStorage, type KeyValueStorage } from "./popLedger.js";
import { routeClicks } from "./routeClicks.js";
import { presenceFeedFor } from "./presenceFeed.js";
import { createSessions, type Sessions } from "./sessions.js";
import type { AgentApiErrorCode } from "./widgetCodeForApiCode.js";

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
  | { ok: false; code: AgentApiErrorCode; message: string; status: number };

export interface MountPanelsOptions {
  /** Where the panels go; they stay there across the CRM's in-app navigation. */
  container: HTMLElement;
  adapter: PanelAdapter;
  /** As createAgentClient's: "/api" on the page's origin, or WebCTI's absolute URL with `getToken`. */
  apiBase?: string;
  /** As createAgentClient's: a Bearer token instead of the cookie (agentToken.ts). */
  getToken?: GetToken;
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
  /**
   * The page's agent client (createAgentClient): its `presence` pushes become the widgets'
   * `presenceChanged` events. Without it, widgets hear only of the changes they make themselves.
   */
  client?: Pick<AgentClient, "on">;
  /** How many sessions the agent may have open at once (default 10). */
  maxSessions?: number;
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
  /**
   * The agent's sessions (sessions.ts): a pop the client opened opens or focuses its conversation's
   * session; widgets change them (protocol 1.2); the page draws and switches them.
   */
  readonly sessions: Sessions;
  /** Tells the widgets the agent moved to another page (called by itself on hashchange / popstate). */
  notifyNavigation(): void;
  destroy(): void;
}

const sessionEventTypes = ["sessionCreated", "sessionFocused", "sessionClosed", "sessionUpdated", "tabCreated", "tabFocused"] as const;

/**
 * Mounts every provider panel configured for the signed-in agent's tenant, in the configured order, and
 * plays the host side of the widget protocol with each: penpal pinned to the provider's trusted origins
 * (panelController.ts; the protocol's methods: widgetHostMethods.ts; the DOM: panelView.ts).
 *
 * A click on a phone number or an email address goes to the first panel (in order) whose widget is ready,
 * takes click-to-act and is not hidden; when no widget takes it, to the first provider without a widget
 * that takes click-to-act by webhook (routeClicks.ts).
 */
export async function mountPanels(options: MountPanelsOptions): Promise<PanelHost> {
  const api = new AgentApi({ apiBase: options.apiBase ?? "/api", fetch: options.fetch, getToken: options.getToken });
  const [me, { panels: configs, clickToActWebhooks = [] }] = await Promise.all([api.me(), api.panels()]);
  const storage = options.storage ?? webStorage("localStorage");
  const sessions = createSessions({ ...(options.maxSessions ? { maxSessions: options.maxSessions } : {}) });
  const doc = options.container.ownerDocument;
  injectPanelStyles(doc);
  const panels = configs
    .slice()
    .sort((a, b) => a.order - b.order || a.providerId.localeCompare(b.providerId))
    .map((config) => new PanelController(config, me, storage, options, api, sessions));

  const pageContext = (): PageContext => options.adapter.getPageContext?.() ?? { url: location.href, title: document.title };
  for (const panel of panels) panel.pageContext = pageContext;

  const clicks = routeClicks({
    document: doc,
    receivers: panels,
    webhooks: clickToActWebhooks,
    api,
    defaultCountry: options.defaultCountry ?? "US",
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  for (const panel of panels) panel.onClickToActChange = clicks.refresh;

  const notifyNavigation = () => {
    const page = pageContext();
    for (const panel of panels) panel.send({ type: "navigation", page });
  };
  // After the CRM renders the new route (its hashchange listeners run first).
  const onNavigate = () => setTimeout(notifyNavigation, 0);
  if (options.trackNavigation ?? true) {
    window.addEventListener("hashchange", onNavigate);
    window.addEventListener("popstate", onNavigate);
  }

  const presence = presenceFeedFor(api);
  const conversationEvents = recentIds(1_000);
  const unsubscribe = [
    presence.subscribe((current) => {
      for (const panel of panels) panel.send({ type: "presenceChanged", presence: current });
    }),
    options.client?.on("message", (message) => {
      if (message.kind === "presence") presence.report(message.presence);
      if (message.kind === "conversationEvent" && conversationEvents.isNew(message.providerId, message.event.eventId)) {
        const { source, event } = message;
        panels.find((panel) => panel.providerId === message.providerId)?.send({ type: "conversationEvent", source, event });
      }
    }),
    options.client?.on("pop", ({ pop, outcome }) => {
      if (outcome === "opened") sessions.openPop(pop);
    }),
    ...sessionEventTypes.map((type) => sessions.on(type, (event) => panels.forEach((panel) => panel.send(event)))),
  ];

  // In a shadow root: the CRM's CSS does not reach the panels (themed by --webcti-… properties: panelStyles.ts).
  const shadow = createShadowHost(options.container, "panels", panelCss);
  for (const panel of panels) shadow.root.append(panel.element, panel.launcher);
  for (const panel of panels) panel.connect();

  return {
    panels,
    sessions,
    notifyNavigation,
    destroy() {
      clicks.destroy();
      for (const stop of unsubscribe) stop?.();
      window.removeEventListener("hashchange", onNavigate);
      window.removeEventListener("popstate", onNavigate);
      for (const panel of panels) panel.destroy();
      shadow.host.remove();
    },
  };
}

/**
 * The push may deliver an event more than once (an attempt is retried, the service may push again): the
 * widgets hear each (provider, eventId) once. Remembers the last `size` ids.
 */
function recentIds(size: number) {
  const seen = new Set<string>();
  return {
    isNew(providerId: string, eventId: string): boolean {
      const key = `${providerId}\n${eventId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      if (seen.size > size) seen.delete(seen.values().next().value!);
      return true;
    },
  };
}
