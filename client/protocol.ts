/**
 * The widget protocol between the browser client in the agent page (the host) and the widget SDK in a
 * partner's iframe. It runs on penpal 7 (postMessage with a MessagePort after a handshake). Every call
 * carries a correlation id; a failure crosses the frame boundary as a plain `WireError` (not an Error,
 * which penpal would reduce to name and message), so its code survives.
 *
 * Versioning: the major number must match; a host answers a newer minor with the capabilities it has.
 * 1.1 added, all behind capabilities: `settings` in the environment, presence (getPresence, setPresence,
 * the presenceChanged event), notice, setPanelLabel / setPanelBadge and updateActivity. A 1.0 widget
 * calls none of them and works unchanged.
 * 1.2 added the agent's sessions (capability "sessions"): getSessions, createSession, focusSession,
 * closeSession, createTab, focusTab, notifySessionActivity, updateSessionContext and the session and tab
 * events. A 1.0 or 1.1 widget ignores the new events (it has no handler for them).
 * 1.3 added the call lifecycle from the widget (capability "conversations"): reportConversationEvent, and
 * the conversationEvent event for panels whose provider asks for it (`conversationEvents: true`).
 *
 * No zod here (the widget SDK bundles this file and its package ships its declarations): the types that
 * mirror a schema of shared/schemas are proven equal to it by test/client/protocol.test-d.ts.
 */
import type { AgentSession, AgentSessionInput, SessionEvent, SessionList, SessionTab, SessionTabInput } from "./sessionProtocol.js";
import type { ConversationEventAccepted, ConversationEventReport, ConversationEventType } from "./conversationProtocol.js";

export type { AgentSession, AgentSessionInput, SessionEvent, SessionList, SessionTab, SessionTabInput };
export type { ConversationEventAccepted, ConversationEventReport, ConversationEventType };

export const protocolVersion = "1.3";

export const panelModes = ["hidden", "minimized", "docked", "expanded", "poppedOut"] as const;
export type PanelMode = (typeof panelModes)[number];

export interface PanelState {
  mode: PanelMode;
  /** Width in CSS pixels of the docked panel. */
  width: number;
  limits: { width: { min: number; max: number } };
}

/** Stable error codes a widget can branch on (docs/widget-sdk.md, "Error codes"): added to, never renamed. */
export const widgetErrorCodes = [
  "invalid_argument", // a parameter is malformed (details say which)
  "out_of_range", // a number outside the allowed range (details.min / details.max)
  "not_supported", // the host lacks this capability (see capabilities)
  "unsupported_version", // protocol major versions differ
  "not_found", // the record does not exist
  "unauthenticated", // the agent's session ended
  "forbidden", // the agent may not do this (no longer an agent of the tenant, tenant disabled)
  "conflict", // the write collides with stored data (an activityId used for other content; an activity changed since ifMatch)
  "rate_limited", // too many calls; try again later
  "unavailable", // the service is briefly unavailable (storage, push); try again later
  "timeout", // no answer in time
  "disconnected", // the connection to the host is gone
  "handshake_failed", // the host never answered the handshake (untrusted origin, no host)
  "host_error", // the host failed; details.cause may say why
] as const;
export type WidgetErrorCode = (typeof widgetErrorCodes)[number];

export interface WireError {
  webctiError: 1;
  code: WidgetErrorCode;
  message: string;
  correlationId: string;
  details?: Record<string, unknown>;
}

export function isWireError(value: unknown): value is WireError {
  return typeof value === "object" && value !== null && (value as WireError).webctiError === 1;
}

export interface CallContext {
  correlationId: string;
}

/** A record: in WebCTI's directory a `contact` or `account`; with the tenant's records in its CRM, the CRM's type and id. */
export interface RecordRef {
  type: RecordType;
  id: string;
  name?: string;
}

export interface Environment {
  tenantId: string;
  agentId: string;
  agentName: string;
  providerId: string;
  locale: string;
  page: PageContext;
  /**
   * The provider's own settings for its widget (its panel configuration's `settings`): names to text.
   * Since 1.1; the SDK gives `{}` when a 1.0 host sent none.
   */
  settings?: Record<string, string>;
}

export interface PageContext {
  url: string;
  title: string;
  record?: RecordRef;
}

export interface ClickToActPayload {
  /** The text the agent clicked, as shown. */
  raw: string;
  format: "phone" | "email";
  e164?: string;
  extension?: string;
  email?: string;
  /**
   * The record the value was shown on, when the page says so. A click sent to a provider without a widget
   * (by webhook) carries it only when it is a directory `contact` or `account`.
   */
  record?: RecordRef;
}

export interface HelloRequest extends CallContext {
  protocolVersion: string;
  sdkVersion: string;
}

export interface HelloResult {
  protocolVersion: string;
  capabilities: string[];
  environment: Environment;
  panel: PanelState;
  clickToAct: boolean;
}

/** Methods the host exposes to the widget. */
export type HostMethods = {
  hello(request: HelloRequest): Promise<HelloResult>;
  getEnvironment(request: CallContext): Promise<Environment>;
  getPanelState(request: CallContext): Promise<PanelState>;
  setPanelMode(request: CallContext & { mode: PanelMode }): Promise<PanelState>;
  setPanelSize(request: CallContext & { width: number }): Promise<PanelState>;
  getClickToAct(request: CallContext): Promise<{ enabled: boolean }>;
  setClickToAct(request: CallContext & { enabled: boolean }): Promise<{ enabled: boolean }>;
  openRecord(request: CallContext & { record: RecordRef }): Promise<{ opened: true }>;
  openSearch(request: CallContext & { query: string }): Promise<{ opened: true }>;
  openNewRecord(
    request: CallContext & { recordType: "contact" | "account"; prefill: { name?: string; phone?: string; email?: string } },
  ): Promise<{ opened: true }>;
  searchRecords(request: CallContext & { phone?: string; email?: string }): Promise<{ matches: RecordRef[] }>;
  screenPop(request: CallContext & ScreenPopRequest): Promise<ScreenPopResult>;
  notify(request: CallContext & NotificationRequest): Promise<{ outcome: NotificationOutcome }>;
  createRecord(request: CallContext & { recordType: RecordType; fields: RecordFields }): Promise<CrmRecord | HostRecord>;
  getRecord(request: CallContext & { record: RecordRef }): Promise<CrmRecord | HostRecord>;
  updateRecord(request: CallContext & { record: RecordRef; fields: Partial<RecordFields> }): Promise<CrmRecord | HostRecord>;
  deleteRecord(request: CallContext & { record: RecordRef }): Promise<{ deleted: true }>;
  logActivity(request: CallContext & ActivityRequest): Promise<LoggedActivity>;
  getPresence(request: CallContext): Promise<Presence>;
  setPresence(request: CallContext & PresenceRequest): Promise<Presence>;
  notice(request: CallContext & NoticeRequest): Promise<{ shown: true }>;
  setPanelLabel(request: CallContext & { label: string | null }): Promise<{ label: string }>;
  setPanelBadge(request: CallContext & { badge: PanelBadge | null }): Promise<{ badge: PanelBadge | null }>;
  updateActivity(request: CallContext & ActivityUpdateRequest): Promise<UpdatedActivity>;
  getSessions(request: CallContext): Promise<SessionList>;
  createSession(request: CallContext & AgentSessionInput): Promise<AgentSession>;
  focusSession(request: CallContext & { sessionId: string }): Promise<AgentSession>;
  closeSession(request: CallContext & { sessionId: string }): Promise<{ closed: true }>;
  createTab(request: CallContext & { sessionId: string; tab: SessionTabInput; focus?: boolean }): Promise<SessionTab>;
  focusTab(request: CallContext & { sessionId: string; tabId: string }): Promise<SessionTab>;
  notifySessionActivity(request: CallContext & { sessionId: string; count?: number }): Promise<AgentSession>;
  updateSessionContext(request: CallContext & { sessionId: string; context: Record<string, string> }): Promise<AgentSession>;
  reportConversationEvent(request: CallContext & { event: ConversationEventReport }): Promise<ConversationEventAccepted>;
};

export type PresenceStatus = "available" | "busy" | "away" | "offline";

/** The agent's presence (the `Presence` schema; docs/presence.md). */
export interface Presence {
  agentId: string;
  status: PresenceStatus;
  reason?: string;
  /** Absent when the status was never set. */
  changedAt?: string;
  source?: { kind: "partner"; providerId: string } | { kind: "agent" };
}

/** What a widget sets: the agent's own presence, as of now (the `AgentPresenceInput` schema). */
export interface PresenceRequest {
  status: PresenceStatus;
  reason?: string;
}

/** A message the host shows without blocking the agent; it goes by itself after timeoutMs. */
export interface NoticeRequest {
  title: string;
  body?: string;
  level: "info" | "warning" | "error";
  /** 1 000 to 60 000 ms, default 6 000. */
  timeoutMs?: number;
}
export const noticeTimeout = { min: 1_000, max: 60_000, default: 6_000 } as const;

/** The small badge on a panel's bar and launcher: a count (0 hides it; above 99 shows "99+") or a short text. */
export type PanelBadge = { count: number } | { text: string };

/**
 * A change to an activity the panel's provider logged: the given fields replace the stored ones (the
 * `ActivityUpdate` schema). With `ifMatch` (an `etag` an earlier update answered), the update applies
 * only if the activity has not changed since.
 */
export interface ActivityUpdateRequest extends Partial<ActivityFields> {
  activityId: string;
  ifMatch?: string;
}

/** The activity after the update, and its `etag` for the next conditional update. */
export interface UpdatedActivity extends LoggedActivity {
  etag: string;
}

/** What describes a call or chat on a timeline, as a widget sends it and as it is stored. */
export interface ActivityFields {
  subject: string;
  notes?: string;
  disposition?: string;
  conversationId?: string;
  from?: string;
  to?: string;
  startedAt?: string;
  endedAt?: string;
  durationSeconds?: number;
  durations?: ActivityDurations;
  recordingUrl?: string;
  transcriptUrl?: string;
}

/** A call or chat to put on a record's timeline; the host adds the provider (the panel's). */
export interface ActivityRequest extends ActivityFields {
  /** Resend with the same id and content: stored once. */
  activityId?: string;
  /** Default: the record the agent has open. */
  record?: RecordRef;
  channel?: Channel;
  direction?: "inbound" | "outbound";
}

/** How long each part of the conversation took, in seconds; every part is optional. */
export interface ActivityDurations {
  ringSeconds?: number;
  talkSeconds?: number;
  holdSeconds?: number;
  holdCount?: number;
  wrapUpSeconds?: number;
}

/** An activity as the service stored it (the `Activity` schema; test/client/protocol.test-d.ts keeps them equal). */
export interface LoggedActivity extends ActivityFields {
  activityId: string;
  providerId: string;
  /** Absent when a partner logged it without naming an agent. */
  agentId?: string;
  channel: Channel;
  direction: "inbound" | "outbound";
  record: { type: RecordType; id: string };
  createdAt: string;
  /** When it was last changed (updateActivity); absent until then. */
  updatedAt?: string;
}

export type Channel = "voice" | "chat" | "sms" | "email" | "video" | "social";

/**
 * A record type: `contact` or `account` in WebCTI's directory (DirectoryRecordType); any id-shaped type
 * (lead, case…) when the tenant's records live in its CRM (docs/widget-sdk.md, "Records").
 */
export type RecordType = string;
export type DirectoryRecordType = "contact" | "account";

/** A record's fields as a widget writes them; phone numbers in any format (the service normalizes them). */
export interface RecordFields {
  name: string;
  phones?: Array<string | { number: string; label?: string }>;
  emails?: string[];
  accountId?: string;
  title?: string;
  notes?: string;
}

/**
 * A record as the CRM page's adapter answers it, when the tenant's records live in the CRM
 * (`crm.records` = `host`): its type and id, and whatever fields the CRM gives.
 */
export interface HostRecord {
  type: RecordType;
  id: string;
  name?: string;
  fields?: Record<string, unknown>;
}

/** A record as WebCTI's directory stores it. */
export interface CrmRecord {
  type: DirectoryRecordType;
  id: string;
  name: string;
  phones: Array<{ raw: string; e164: string; extension?: string; label?: string }>;
  emails: string[];
  accountId?: string;
  title?: string;
  notes?: string;
  updatedAt: string;
}

export interface ScreenPopRequest {
  phone?: string;
  email?: string;
  name?: string;
  /** Only look up: return the matches and open nothing (the widget shows its own picker). */
  searchOnly?: boolean;
}

export interface ScreenPopResult {
  matches: RecordRef[];
  /** What was opened by the provider's screen-pop policy; null when searchOnly or the policy opens nothing. */
  opened: "record" | "search" | "newRecord" | null;
}

export interface NotificationRequest {
  title: string;
  body?: string;
  acceptLabel?: string;
  declineLabel?: string;
  /** How long the agent has to answer; 1 000 to 120 000 ms, default 30 000. */
  timeoutMs?: number;
}

export type NotificationOutcome = "accepted" | "declined" | "timedOut";
export const notificationTimeout = { min: 1_000, max: 120_000, default: 30_000 } as const;

export type WidgetEvent =
  | { type: "panelModeChanged"; mode: PanelMode; panel: PanelState }
  | { type: "panelSizeChanged"; width: number; panel: PanelState }
  | { type: "clickToAct"; payload: ClickToActPayload }
  | { type: "navigation"; page: PageContext }
  | { type: "presenceChanged"; presence: Presence }
  /** 1.3: an event of the panel provider's conversations with this agent, reported by its server or a widget. */
  | { type: "conversationEvent"; source: "partner" | "agent"; event: ConversationEventReport }
  | SessionEvent;

/** Methods the widget exposes to the host. */
export type WidgetMethods = {
  event(event: WidgetEvent): void;
  /** Liveness: the host asks after the widget's frame loaded a page. */
  ping(): "pong";
};

/** What this host build can do; a widget checks before calling. */
export const hostCapabilities = [
  "environment",
  "panel.mode",
  "panel.size",
  "clickToAct",
  "navigation",
  "openRecord",
  "openSearch",
  "openNewRecord",
  "searchRecords",
  "screenPop",
  "notify",
  "records.create",
  "records.read",
  "records.update",
  "records.delete",
  "activities.log",
  // 1.1
  "settings",
  "presence",
  "notice",
  "panel.badge",
  "activities.update",
  // 1.2
  "sessions",
  // 1.3
  "conversations",
] as const;
