/**
 * WebCTI widget SDK: what a partner's widget (softphone, chat panel) loads to talk to the agent desktop.
 *
 *   import { connectToHost } from "/webcti/widget.js";
 *   const host = await connectToHost({ hostOrigins: ["https://crm.example.com"] });
 *   host.on("clickToAct", ({ payload }) => dial(payload.e164));
 *   await host.setPanelSize(420);
 *
 * Every method returns a promise of a typed result or rejects with a WidgetError whose `code` is stable.
 */
import { CallOptions, PenpalError, WindowMessenger, connect, type RemoteProxy } from "penpal";
import {
  isWireError,
  notificationTimeout,
  protocolVersion,
  type ActivityDurations,
  type ActivityRequest,
  type Channel,
  type CrmRecord,
  type HostRecord,
  type LoggedActivity,
  type NotificationOutcome,
  type NotificationRequest,
  type NoticeRequest,
  type PanelBadge,
  type Presence,
  type PresenceRequest,
  type PresenceStatus,
  type ActivityUpdateRequest,
  type UpdatedActivity,
  type AgentSession,
  type AgentSessionInput,
  type SessionEvent,
  type SessionList,
  type SessionTab,
  type SessionTabInput,
  type RecordFields,
  type RecordType,
  type ScreenPopRequest,
  type ScreenPopResult,
  type ClickToActPayload,
  type ConversationEventAccepted,
  type ConversationEventReport,
  type ConversationEventType,
  type Environment,
  type HostMethods,
  type PageContext,
  type PanelMode,
  type PanelState,
  type RecordRef,
  type WidgetErrorCode,
  type WidgetEvent,
} from "../protocol.js";
import { createEmitter } from "../emitter.js";

export const sdkVersion = "0.1.0";
export { protocolVersion };
export type { ActivityUpdateRequest, NoticeRequest, PanelBadge, Presence, PresenceRequest, PresenceStatus, UpdatedActivity };
export type { ActivityDurations, ActivityRequest, Channel, LoggedActivity, CrmRecord, HostRecord, NotificationOutcome, NotificationRequest, RecordFields, RecordType, ScreenPopRequest, ScreenPopResult };
export type { AgentSession, AgentSessionInput, SessionEvent, SessionList, SessionTab, SessionTabInput };
export type { ConversationEventAccepted, ConversationEventReport, ConversationEventType };
export type { ClickToActPayload, Environment, PageContext, PanelMode, PanelState, RecordRef, WidgetErrorCode, WidgetEvent };

export class WidgetError extends Error {
  override readonly name = "WidgetError";
  constructor(
    readonly code: WidgetErrorCode,
    message: string,
    readonly correlationId: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface ConnectOptions {
  /**
   * Origins of the agent desktops (CRM pages) this widget accepts as host, each an exact origin or a
   * RegExp an origin must match; required. The SDK never takes the embedding page's word for it (its
   * referrer): any site may frame the widget.
   */
  hostOrigins: Array<string | RegExp>;
  /** How long to wait for the host's handshake. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** How long each call may take. Default 10 s. */
  callTimeoutMs?: number;
}

type EventMap = { [E in WidgetEvent as E["type"]]: E };

export interface WebCtiHost {
  readonly protocolVersion: string;
  readonly capabilities: readonly string[];
  /** The environment at handshake time; getEnvironment() reads the current one. */
  readonly environment: Environment;
  getEnvironment(): Promise<Environment>;
  getPanelState(): Promise<PanelState>;
  setPanelMode(mode: PanelMode): Promise<PanelState>;
  setPanelSize(width: number): Promise<PanelState>;
  getClickToAct(): Promise<boolean>;
  setClickToAct(enabled: boolean): Promise<boolean>;
  openRecord(record: RecordRef): Promise<void>;
  openSearch(query: string): Promise<void>;
  openNewRecord(recordType: "contact" | "account", prefill: { name?: string; phone?: string; email?: string }): Promise<void>;
  searchRecords(query: { phone?: string; email?: string }): Promise<RecordRef[]>;
  /** Looks the customer up and opens what the provider's policy says (or only returns the matches). */
  screenPop(request: ScreenPopRequest): Promise<ScreenPopResult>;
  /** A directory record (CrmRecord), or the CRM page's own (HostRecord) when the tenant's records live in its CRM. */
  createRecord(recordType: RecordType, fields: RecordFields): Promise<CrmRecord | HostRecord>;
  getRecord(record: RecordRef): Promise<CrmRecord | HostRecord>;
  /** Changes only the given fields. */
  updateRecord(record: RecordRef, fields: Partial<RecordFields>): Promise<CrmRecord | HostRecord>;
  deleteRecord(record: RecordRef): Promise<void>;
  /** Puts a call or chat on a record's timeline (default: the record the agent has open). */
  logActivity(activity: ActivityRequest): Promise<LoggedActivity>;
  /** Shows the agent a notification with accept / decline; resolves with what the agent did. */
  notify(notification: NotificationRequest): Promise<NotificationOutcome>;
  /** 1.1, capability "presence": the agent's presence; `presenceChanged` events follow each change. */
  getPresence(): Promise<Presence>;
  setPresence(presence: PresenceRequest): Promise<Presence>;
  /** 1.1, capability "notice": a message shown without blocking the agent, gone after timeoutMs. */
  notice(notice: NoticeRequest): Promise<void>;
  /** 1.1, capability "panel.badge": the panel's label for this session (null: the provider's again). */
  setPanelLabel(request: { label: string | null }): Promise<string>;
  /** 1.1, capability "panel.badge": the badge on the panel's bar and launcher (null: none). */
  setPanelBadge(badge: PanelBadge | null): Promise<void>;
  /** 1.1, capability "activities.update": changes the given fields of an activity the provider logged. */
  updateActivity(update: ActivityUpdateRequest): Promise<UpdatedActivity>;
  /** 1.2, capability "sessions": the agent's open sessions and which one is focused. */
  getSessions(): Promise<SessionList>;
  /** Opens a session for a customer conversation; focused unless `focus: false`. */
  createSession(session: AgentSessionInput): Promise<AgentSession>;
  /** Switches the agent to a session (and shows its focused tab). */
  focusSession(sessionId: string): Promise<AgentSession>;
  closeSession(sessionId: string): Promise<void>;
  /** Opens a record, search or new-record form as a tab of a session; shown unless `focus` is false. */
  createTab(sessionId: string, tab: SessionTabInput, focus?: boolean): Promise<SessionTab>;
  focusTab(sessionId: string, tabId: string): Promise<SessionTab>;
  /** The session's unread badge: one more, or the given count (0 clears it). */
  notifySessionActivity(sessionId: string, count?: number): Promise<AgentSession>;
  /** Sets key/value pairs on the session's context (merged with what it has). */
  updateSessionContext(sessionId: string, context: Record<string, string>): Promise<AgentSession>;
  /**
   * 1.3, capability "conversations": reports an event of one of the agent's conversations with this
   * provider (ringing, answered, ended…), stored as the partner API stores it: KPIs, activity durations,
   * and the screen pop of a ringing call (one per call, whether this widget or the provider's server
   * reports it first). Send a repeat with the same eventId: stored once, same answer.
   */
  reportConversationEvent(event: ConversationEventReport): Promise<ConversationEventAccepted>;
  on<K extends keyof EventMap>(type: K, handler: (event: EventMap[K]) => void): () => void;
  close(): void;
}

function newCorrelationId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

type Caller = <K extends keyof HostMethods>(
  method: K,
  params: Omit<Parameters<HostMethods[K]>[0], "correlationId">,
  timeoutMs?: number,
) => Promise<Awaited<ReturnType<HostMethods[K]>>>;

/** Calls a host method with a fresh correlation id; every failure becomes a WidgetError with a stable code. */
function createCaller(remote: RemoteProxy<HostMethods>, callTimeout: number): Caller {
  return async (method, params, timeoutMs = callTimeout) => {
    const correlationId = newCorrelationId();
    const fn = remote[method] as unknown as (request: unknown, options: CallOptions) => Promise<never>;
    try {
      return await fn({ ...params, correlationId }, new CallOptions({ timeout: timeoutMs }));
    } catch (error) {
      if (isWireError(error)) throw new WidgetError(error.code, error.message, correlationId, error.details);
      if (error instanceof PenpalError && error.code === "METHOD_CALL_TIMEOUT") {
        throw new WidgetError("timeout", `${method} got no answer within ${timeoutMs} ms.`, correlationId);
      }
      if (error instanceof PenpalError && error.code === "METHOD_NOT_FOUND") {
        throw new WidgetError("not_supported", `The host does not support ${method}.`, correlationId);
      }
      if (error instanceof PenpalError) throw new WidgetError("disconnected", error.message, correlationId);
      throw new WidgetError("host_error", String((error as Error)?.message ?? error), correlationId);
    }
  };
}

/** Performs the handshake with the agent desktop that embeds this page. */
export async function connectToHost(options: ConnectOptions): Promise<WebCtiHost> {
  const hostOrigins = options?.hostOrigins;
  if (!Array.isArray(hostOrigins) || !hostOrigins.length || hostOrigins.some((o) => !o || (typeof o != "string" && !(o instanceof RegExp)))) {
    throw new WidgetError("invalid_argument", "Give hostOrigins: the origins of the agent desktops this widget accepts.", "");
  }
  // In a panel the host is the parent frame; popped out into its own window, the window that opened it.
  const hostWindow = window.parent !== window ? window.parent : (window.opener as Window | null);
  if (!hostWindow) {
    throw new WidgetError("handshake_failed", "This page is neither embedded in nor opened by an agent desktop.", "");
  }
  const events = createEmitter<EventMap>("WebCTI widget");
  const connection = connect<HostMethods>({
    messenger: new WindowMessenger({ remoteWindow: hostWindow, allowedOrigins: hostOrigins }),
    methods: {
      ping: () => "pong" as const,
      event: (event: WidgetEvent) => events.emit(event.type, event as never),
    },
    timeout: options.handshakeTimeoutMs ?? 10_000,
  });
  let remote: RemoteProxy<HostMethods>;
  try {
    remote = await connection.promise;
  } catch (error) {
    connection.destroy();
    throw new WidgetError("handshake_failed", `The agent desktop did not answer the handshake: ${(error as Error).message}`, "");
  }
  const callTimeout = options.callTimeoutMs ?? 10_000;

  const call = createCaller(remote, callTimeout);
  const hello = await call("hello", { protocolVersion, sdkVersion });
  return {
    protocolVersion: hello.protocolVersion,
    capabilities: hello.capabilities,
    // A 1.0 host sends no settings.
    environment: { settings: {}, ...hello.environment },
    getEnvironment: async () => ({ settings: {}, ...(await call("getEnvironment", {})) }),
    getPanelState: () => call("getPanelState", {}),
    setPanelMode: (mode) => call("setPanelMode", { mode }),
    setPanelSize: (width) => call("setPanelSize", { width }),
    getClickToAct: async () => (await call("getClickToAct", {})).enabled,
    setClickToAct: async (enabled) => (await call("setClickToAct", { enabled })).enabled,
    openRecord: async (record) => void (await call("openRecord", { record })),
    openSearch: async (query) => void (await call("openSearch", { query })),
    openNewRecord: async (recordType, prefill) => void (await call("openNewRecord", { recordType, prefill })),
    searchRecords: async (query) => (await call("searchRecords", query)).matches,
    screenPop: (request) => call("screenPop", request),
    createRecord: (recordType, fields) => call("createRecord", { recordType, fields }),
    getRecord: (record) => call("getRecord", { record }),
    updateRecord: (record, fields) => call("updateRecord", { record, fields }),
    deleteRecord: async (record) => void (await call("deleteRecord", { record })),
    logActivity: (activity) => call("logActivity", activity),
    notify: async (notification) => {
      // The agent has up to timeoutMs to answer; the call may take that long.
      const wait = Math.min(notification.timeoutMs ?? notificationTimeout.default, notificationTimeout.max) + callTimeout;
      return (await call("notify", notification, wait)).outcome;
    },
    getPresence: () => call("getPresence", {}),
    setPresence: (presence) => call("setPresence", presence),
    notice: async (notice) => void (await call("notice", notice)),
    setPanelLabel: async (request) => (await call("setPanelLabel", request)).label,
    setPanelBadge: async (badge) => void (await call("setPanelBadge", { badge })),
    updateActivity: (update) => call("updateActivity", update),
    getSessions: () => call("getSessions", {}),
    createSession: (session) => call("createSession", session),
    focusSession: (sessionId) => call("focusSession", { sessionId }),
    closeSession: async (sessionId) => void (await call("closeSession", { sessionId })),
    createTab: (sessionId, tab, focus) => call("createTab", { sessionId, tab, focus }),
    focusTab: (sessionId, tabId) => call("focusTab", { sessionId, tabId }),
    notifySessionActivity: (sessionId, count) => call("notifySessionActivity", { sessionId, count }),
    updateSessionContext: (sessionId, context) => call("updateSessionContext", { sessionId, context }),
    reportConversationEvent: (event) => call("reportConversationEvent", { event }),
    on: events.on,
    close: () => connection.destroy(),
  };
}
