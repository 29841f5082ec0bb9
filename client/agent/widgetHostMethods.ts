import {
  hostCapabilities,
  noticeTimeout,
  notificationTimeout,
  panelModes,
  protocolVersion,
  type Environment,
  type HostMethods,
  type LoggedActivity,
  type PageContext,
  type PanelMode,
  type PanelState,
  type RecordFields,
  type RecordRef,
} from "../protocol.js";
import { popTargetFor } from "../../shared/screenPop/decideScreenPop.js";
import { unprintableDetail } from "../../shared/schemas/printable.js";
import type { AgentApi, PanelConfigView } from "./agentApi.js";
import type { PanelAdapter } from "./panels.js";
import { showNotice, showNotification } from "./notifications.js";
import { panelViewOf } from "./panelView.js";
import { presenceFeedFor } from "./presenceFeed.js";
import { fail, toWireError } from "./widgetCallError.js";
import { hostRecordMethods } from "./hostRecordMethods.js";
import { openResolvedTarget } from "./openResolvedTarget.js";
import { sessionHostMethods } from "./sessionHostMethods.js";
import type { Sessions } from "./sessions.js";

/**
 * A panel as the widget protocol sees it: state and what a widget may change, without the DOM. Another
 * widget protocol (a further host adapter) drives the same panel through this.
 */
export interface HostedPanel {
  readonly providerId: string;
  readonly config: PanelConfigView;
  readonly state: PanelState;
  readonly clickToAct: boolean;
  setMode(mode: PanelMode, by: "agent" | "widget"): PanelState;
  setWidth(width: number): PanelState;
  setClickToAct(enabled: boolean): void;
  environment(): Environment;
  pageContext(): PageContext;
  /** The widget completed the handshake. */
  widgetReady(sdkVersion: string): void;
  /** The panel's DOM (PanelView's element), where the label and badge are shown; without it, not_supported. */
  readonly element?: HTMLElement;
}

export interface WidgetHostServices {
  adapter: PanelAdapter;
  api: AgentApi;
  /** Where notifications are shown. */
  document: Document;
  onActivityLogged(activity: LoggedActivity): void;
  /** The agent's sessions (protocol 1.2); without them the session calls are not_supported. */
  sessions?: Sessions;
}

type Implementation = {
  [K in keyof HostMethods]: (request: Parameters<HostMethods[K]>[0]) => Awaited<ReturnType<HostMethods[K]>> | ReturnType<HostMethods[K]>;
};

/**
 * The host side of the widget protocol (client/protocol.ts) for one panel. Every method checks what a
 * widget sent (a widget is another origin's code) and fails with a coded error that keeps the call's
 * correlation id.
 */
export function createWidgetHostMethods(panel: HostedPanel, services: WidgetHostServices): HostMethods {
  const implementation: Implementation = {
    ...panelMethods(panel),
    ...navigationMethods(panel, services),
    ...recordMethods(panel, services),
    ...agentMethods(panel, services),
    ...sessionHostMethods(panel.providerId, { adapter: services.adapter, search: async (query) => (await services.api.search(query.includes("@") ? { email: query } : { phone: query })).matches }, services.sessions),
    notify: (request) => notify(panel, services.document, request),
    reportConversationEvent: (request) => reportConversationEvent(panel, services, request),
  };
  // With the tenant's records in the CRM (GET /v1/agent/me: crm.records = "host"), record calls go to the page's adapter.
  const inCrm = hostRecordMethods(panel, services);
  for (const [name, viaAdapter] of Object.entries(inCrm)) {
    const viaDirectory = implementation[name as keyof Implementation] as (r: unknown) => unknown;
    Object.assign(implementation, { [name]: (request: unknown) => (services.api.recordsIn === "host" ? (viaAdapter as (r: unknown) => unknown) : viaDirectory)(request) });
  }
  const guarded = Object.entries(implementation).map(([name, method]) => [
    name,
    async (request: { correlationId?: unknown }) => {
      try {
        return await (method as (r: unknown) => unknown)(request);
      } catch (error) {
        throw toWireError(error, typeof request?.correlationId === "string" ? request.correlationId : "");
      }
    },
  ]);
  return Object.fromEntries(guarded) as HostMethods;
}

type PanelMethods = "hello" | "getEnvironment" | "getPanelState" | "setPanelMode" | "setPanelSize" | "getClickToAct" | "setClickToAct";

function panelMethods(panel: HostedPanel): Pick<Implementation, PanelMethods> {
  return {
    hello(request) {
      const major = String(request.protocolVersion ?? "").split(".")[0];
      if (major !== protocolVersion.split(".")[0]) {
        fail("unsupported_version", `The host speaks protocol ${protocolVersion}; the widget sent ${request.protocolVersion}.`, { hostVersion: protocolVersion });
      }
      panel.widgetReady(String(request.sdkVersion ?? ""));
      return { protocolVersion, capabilities: [...hostCapabilities], environment: environmentOf(panel), panel: panel.state, clickToAct: panel.clickToAct };
    },
    getEnvironment: () => environmentOf(panel),
    getPanelState: () => panel.state,
    setPanelMode(request) {
      if (!panelModes.includes(request.mode)) fail("invalid_argument", `mode must be one of ${panelModes.join(", ")}.`, { allowed: [...panelModes] });
      return panel.setMode(request.mode, "widget");
    },
    setPanelSize(request) {
      const { min, max } = panel.config.width;
      if (typeof request.width !== "number" || !Number.isFinite(request.width)) fail("invalid_argument", "width must be a number of CSS pixels.", { min, max });
      if (request.width < min || request.width > max) fail("out_of_range", `width must be between ${min} and ${max} pixels; got ${request.width}.`, { min, max });
      return panel.setWidth(Math.round(request.width));
    },
    getClickToAct: () => ({ enabled: panel.clickToAct }),
    setClickToAct(request) {
      if (typeof request.enabled !== "boolean") fail("invalid_argument", "enabled must be true or false.");
      panel.setClickToAct(request.enabled);
      return { enabled: panel.clickToAct };
    },
  };
}

/** The panel's environment with its provider's settings (a service older than `settings` sends none). */
function environmentOf(panel: HostedPanel): Environment {
  return { ...panel.environment(), settings: { ...(panel.config.settings ?? {}) } };
}

type NavigationMethods = "openRecord" | "openSearch" | "openNewRecord" | "searchRecords" | "screenPop";

function navigationMethods(panel: HostedPanel, { adapter, api }: WidgetHostServices): Pick<Implementation, NavigationMethods> {
  return {
    async openRecord(request) {
      recordPath(request.record);
      await adapter.openRecord({ type: request.record.type, id: request.record.id, name: request.record.name ?? "" });
      return { opened: true as const };
    },
    async openSearch(request) {
      if (typeof request.query !== "string" || !request.query.trim()) fail("invalid_argument", "query must be a non-empty string.");
      const found = await api.search(request.query.includes("@") ? { email: request.query } : { phone: request.query });
      await adapter.openSearch({ query: request.query, results: found.matches });
      return { opened: true as const };
    },
    async openNewRecord(request) {
      if (request.recordType !== "contact" && request.recordType !== "account") fail("invalid_argument", "recordType must be 'contact' or 'account'.");
      await adapter.openNewRecord({ recordType: request.recordType, prefill: request.prefill ?? {} });
      return { opened: true as const };
    },
    async searchRecords(request) {
      if (!request.phone && !request.email) fail("invalid_argument", "Give phone or email.");
      return { matches: (await api.search({ phone: request.phone, email: request.email })).matches };
    },
    async screenPop(request) {
      if (!request.phone && !request.email) fail("invalid_argument", "Give phone or email.");
      const { query, matches } = await api.search({ phone: request.phone, email: request.email });
      if (request.searchOnly) return { matches, opened: null };
      const customer = { phone: request.phone, email: request.email, name: request.name };
      // The number as the service read it (E.164), so a new-record form is prefilled the same way a pop's is.
      const phone = query.e164 ? { e164: query.e164 } : undefined;
      const target = popTargetFor({ policy: panel.config.screenPopPolicy, customer, matches, ...(phone ? { phone } : {}) });
      return { matches, opened: await openResolvedTarget(adapter, target, request.phone ?? request.email ?? "") };
    },
  };
}

type RecordMethods = "createRecord" | "getRecord" | "updateRecord" | "deleteRecord" | "logActivity";

function recordMethods(panel: HostedPanel, { api, onActivityLogged }: WidgetHostServices): Pick<Implementation, RecordMethods> {
  return {
    createRecord(request) {
      const collection = collectionOf(request.recordType) ?? fail("invalid_argument", "recordType must be 'contact' or 'account'.");
      const id = `${request.recordType === "contact" ? "c" : "acc"}-${newId()}`;
      return api.saveRecord(collection, id, toInput(request.fields));
    },
    getRecord(request) {
      const { collection, id } = recordPath(request.record);
      return api.record(collection, id);
    },
    async updateRecord(request) {
      const { collection, id } = recordPath(request.record);
      const current = await api.record(collection, id);
      const merged: RecordFields = {
        name: current.name,
        phones: current.phones.map((p) => ({ number: p.raw, ...(p.label ? { label: p.label } : {}) })),
        emails: current.emails,
        ...(current.accountId ? { accountId: current.accountId } : {}),
        ...(current.title ? { title: current.title } : {}),
        ...(current.notes ? { notes: current.notes } : {}),
        ...(request.fields ?? {}),
      };
      return api.saveRecord(collection, id, toInput(merged));
    },
    async deleteRecord(request) {
      const { collection, id } = recordPath(request.record);
      await api.deleteRecord(collection, id);
      return { deleted: true as const };
    },
    async logActivity(request) {
      const { correlationId: _ignored, record: given, ...activity } = request;
      const record = given ?? panel.pageContext().record ?? fail("invalid_argument", "Give record: the agent has no record open.");
      recordPath(record);
      const logged = await api.logActivity({ ...activity, providerId: panel.providerId, record: { type: record.type, id: record.id } });
      onActivityLogged(logged);
      return logged;
    },
  };
}

async function notify(panel: HostedPanel, doc: Document, request: Parameters<HostMethods["notify"]>[0]) {
  checkShownText(request, { title: 200, body: 1000, acceptLabel: 1000, declineLabel: 1000 }); // the button labels are cut to 40
  const timeoutMs = request.timeoutMs ?? notificationTimeout.default;
  if (typeof timeoutMs !== "number" || timeoutMs < notificationTimeout.min || timeoutMs > notificationTimeout.max) {
    fail("out_of_range", `timeoutMs must be between ${notificationTimeout.min} and ${notificationTimeout.max}.`, { min: notificationTimeout.min, max: notificationTimeout.max });
  }
  const outcome = await showNotification(doc, {
    providerId: panel.providerId,
    label: labelOf(panel),
    title: request.title,
    ...(request.body ? { body: request.body } : {}),
    acceptLabel: (request.acceptLabel ?? "Accept").slice(0, 40),
    declineLabel: (request.declineLabel ?? "Decline").slice(0, 40),
    timeoutMs,
  });
  return { outcome };
}

type AgentMethods = "getPresence" | "setPresence" | "notice" | "setPanelLabel" | "setPanelBadge" | "updateActivity";

const presenceStatuses = ["available", "busy", "away", "offline"];
const noticeLevels = ["info", "warning", "error"];
/** What an update may change: an activity's identity (id, provider, agent, record, channel, direction) stays. */
const updatableFields = ["subject", "notes", "disposition", "conversationId", "from", "to", "startedAt", "endedAt", "durationSeconds", "durations", "recordingUrl", "transcriptUrl"];

/** Protocol 1.1: the agent's presence, notices, the panel's label and badge, and activity updates. */
function agentMethods(panel: HostedPanel, { api, document: doc }: WidgetHostServices): Pick<Implementation, AgentMethods> {
  const presence = presenceFeedFor(api);
  const view = () => panelViewOf(panel.element) ?? fail("not_supported", "This host shows no label or badge for the panel.");
  return {
    getPresence: () => api.presence(),
    async setPresence(request) {
      if (!presenceStatuses.includes(request.status)) fail("invalid_argument", `status must be one of ${presenceStatuses.join(", ")}.`, { allowed: presenceStatuses });
      const stored = await api.setPresence({ status: request.status, ...(request.reason === undefined ? {} : { reason: request.reason }) });
      presence.report(stored);
      return stored;
    },
    notice(request) {
      checkShownText(request, { title: 200, body: 1000 });
      if (!noticeLevels.includes(request.level)) fail("invalid_argument", `level must be one of ${noticeLevels.join(", ")}.`, { allowed: noticeLevels });
      const timeoutMs = request.timeoutMs ?? noticeTimeout.default;
      if (typeof timeoutMs !== "number" || !(timeoutMs >= noticeTimeout.min && timeoutMs <= noticeTimeout.max)) {
        fail("out_of_range", `timeoutMs must be between ${noticeTimeout.min} and ${noticeTimeout.max}.`, { min: noticeTimeout.min, max: noticeTimeout.max });
      }
      const { title, body, level } = request;
      showNotice(doc, { providerId: panel.providerId, label: labelOf(panel), title, ...(body ? { body } : {}), level, timeoutMs });
      return { shown: true as const };
    },
    setPanelLabel(request) {
      const { label } = request;
      if (label !== null) checkShownText(request, { label: 100 });
      return { label: view().setLabel(label === null ? null : label.trim()) };
    },
    setPanelBadge(request) {
      const badge = request.badge ?? null;
      const count = badge && "count" in badge ? badge.count : undefined;
      const text = badge && "text" in badge ? badge.text : undefined;
      if (badge !== null && count === undefined && text === undefined) fail("invalid_argument", "badge must be { count }, { text } or null.");
      if (count !== undefined && (!Number.isInteger(count) || count < 0)) fail("invalid_argument", "badge.count must be a whole number, 0 or more.");
      if (text !== undefined && (typeof text !== "string" || text.length > 12 || unprintableDetail(text))) fail("invalid_argument", "badge.text must be printable text of at most 12 characters.");
      const shown = count !== undefined ? { count } : text ? { text } : null;
      view().setBadge(shown);
      return { badge: shown };
    },
    updateActivity(request) {
      if (api.recordsIn === "host") fail("not_supported", "Activities kept in the CRM page are not updated through WebCTI.");
      const { correlationId: _ignored, activityId, ifMatch, ...fields } = request;
      if (typeof activityId !== "string" || !activityId) fail("invalid_argument", "activityId is required.");
      if (ifMatch !== undefined && typeof ifMatch !== "string") fail("invalid_argument", "ifMatch must be an etag an update answered.");
      const unknown = Object.keys(fields).filter((name) => !updatableFields.includes(name));
      if (unknown.length) fail("invalid_argument", `These fields cannot be updated: ${unknown.join(", ")}.`, { fields: unknown });
      return api.updateActivity(activityId, { ...fields, providerId: panel.providerId }, ifMatch);
    },
  };
}

/**
 * Protocol 1.3: an event of the agent's conversation with the panel's provider, stored by the agent API as
 * the partner API stores it. The provider is the panel's, whatever the widget sends; the service checks the
 * rest (answering invalid_argument with the field's pointer, forbidden for another agent's event).
 */
function reportConversationEvent(panel: HostedPanel, { api }: WidgetHostServices, request: Parameters<HostMethods["reportConversationEvent"]>[0]) {
  const { event } = request;
  if (typeof event !== "object" || event === null || Array.isArray(event)) fail("invalid_argument", "event must be a conversation event object.");
  return api.reportConversationEvent({ ...event, providerId: panel.providerId });
}

/**
 * Texts a widget gives the host to show the agent: `title` and `label` required (1 to max characters, not
 * only spaces), the others optional; all under the API's printable-text rule (shared/schemas/printable.ts:
 * no control characters or bidi overrides; a `body` may have line feeds and tabs).
 */
function checkShownText(request: object, limits: Record<string, number>) {
  for (const [name, max] of Object.entries(limits)) {
    const value = (request as Record<string, unknown>)[name];
    const required = name === "title" || name === "label";
    if (value === undefined && !required) continue;
    if (typeof value !== "string" || value.length > max || (required && !value.trim())) {
      fail("invalid_argument", `${name} must be ${required ? "1" : "0"} to ${max} characters.`, { field: name });
    }
    const wrong = unprintableDetail(value, name === "body");
    if (wrong) fail("invalid_argument", `${name}: ${wrong}.`, { field: name });
  }
}

/** The label the panel shows now: its widget's, else the provider's. */
function labelOf(panel: HostedPanel): string {
  return panelViewOf(panel.element)?.label ?? panel.config.label;
}

function collectionOf(type: unknown): "contacts" | "accounts" | undefined {
  return type === "contact" ? "contacts" : type === "account" ? "accounts" : undefined;
}

function recordPath(record: RecordRef | undefined) {
  const collection = collectionOf(record?.type);
  if (!record || !collection || typeof record.id !== "string" || !record.id) fail("invalid_argument", "record must be { type: 'contact' | 'account', id }.");
  return { collection, id: record.id };
}

/** The record fields as the agent API takes them; the service validates and answers invalid_request. */
function toInput(fields: RecordFields | undefined): RecordFields {
  if (!fields || typeof fields.name !== "string" || !fields.name.trim()) fail("invalid_argument", "fields.name is required.");
  return fields;
}

function newId(): string {
  return globalThis.crypto?.randomUUID?.().slice(0, 8) ?? Math.random().toString(36).slice(2, 10);
}
