import type { ConversationEventAccepted, Environment, HostMethods, PanelMode, RecordRef } from "../../protocol.js";
import {
  activityForCall,
  callerIdMatches,
  callFromMessage,
  conversationEventFor,
  conversationIdOf,
  recordFromCoordinates,
  widthFrom,
  type CallStep,
  type HubSpotCall,
} from "./hubspotMapping.js";
import type { HostMessageType, WidgetMessage } from "./hubspotWire.js";

/** What the handlers need from the panel: its host methods (the WebCTI widget protocol's) and its state. */
export interface HubSpotPanelActions {
  readonly trustedOrigins: readonly string[];
  readonly methods: Pick<HostMethods, "screenPop" | "searchRecords" | "logActivity" | "openRecord" | "setPresence" | "notice" | "reportConversationEvent">;
  /** The panel's `reportCalls`: the host reports the calls it follows as the provider's conversation events. */
  readonly reportCalls: boolean;
  environment(): Environment;
  setSignedIn(signedIn: boolean): void;
  setWidth(width: number): void;
  setMode(mode: PanelMode): void;
  /** Loads another page of a trusted origin in the panel's frame. */
  loadUrl(url: string): void;
}

export interface HandlerContext {
  panel: HubSpotPanelActions;
  post(type: HostMessageType, data?: Record<string, unknown>): void;
  warn(message: string): void;
  /** Calls by externalCallId, kept until CALL_COMPLETED. */
  calls: Map<string, HubSpotCall>;
  /** The number of the last DIAL_NUMBER and the record it was clicked on. */
  lastDial?: { phoneNumber: string; record?: RecordRef };
  nextEngagementId(): number;
  now(): number;
}

/** How long an ERROR stays on screen unless the agent closes it. */
const errorNoticeMs = 10_000;

/** The same number, written with or without its country code ("+1 206 555 0101", "(206) 555-0101"). */
function sameNumber(a: string, b: string): boolean {
  const [x, y] = [a.replace(/\D/g, ""), b.replace(/\D/g, "")];
  return x === y || (Math.min(x.length, y.length) >= 7 && (x.endsWith(y) || y.endsWith(x)));
}

const messageOf = (error: unknown) => String((error as { message?: unknown })?.message ?? error);
const text = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim().slice(0, 500) : undefined);

/** Does what one message from the widget asks, and answers it the way the SDK's handlers expect. */
export async function handleWidgetMessage(context: HandlerContext, message: WidgetMessage): Promise<void> {
  const { panel, post, warn } = context;
  const { data } = message;
  const correlationId = `hubspot-${message.messageId}`;
  switch (message.type) {
    case "INITIALIZED": {
      panel.setSignedIn(data.isLoggedIn === true);
      const width = widthFrom(data.sizeInfo);
      if (width !== undefined) panel.setWidth(width);
      return;
    }
    case "LOGGED_IN":
    case "LOGGED_OUT":
      return panel.setSignedIn(message.type === "LOGGED_IN");
    case "USER_AVAILABLE":
    case "USER_UNAVAILABLE":
      return panel.methods
        .setPresence({ correlationId, status: message.type === "USER_AVAILABLE" ? "available" : "away" })
        .then(() => undefined, (error: unknown) => warn(`${message.type}: presence not set: ${messageOf(error)}`));
    case "INCOMING_CALL":
      return incomingCall(context, data, correlationId);
    case "OUTGOING_CALL_STARTED":
      return outgoingCall(context, data, correlationId);
    case "CALL_ANSWERED":
    case "CALL_TRANSFERRED":
    case "CALL_ENDED":
      return updateCall(context, message, correlationId);
    case "CALL_COMPLETED":
      return completeCall(context, data, correlationId);
    case "NAVIGATE_TO_RECORD":
      return navigate(context, data, correlationId);
    case "RESIZE_WIDGET": {
      const width = widthFrom(data);
      if (width === undefined) return warn("RESIZE_WIDGET without a width");
      return panel.setWidth(width);
    }
    case "ERROR": {
      const said = text(data.message);
      warn(`the widget reported an error: ${said ?? "(no message)"}`);
      // A notice (protocol 1.1): it blocks nothing and goes by itself; a notification would ask for an answer.
      return panel.methods
        .notice({ correlationId, title: (said ?? "The widget reported an error.").slice(0, 200), level: "error", timeoutMs: errorNoticeMs })
        .then(() => undefined, (error: unknown) => warn(`ERROR not shown: ${messageOf(error)}`));
    }
    case "SET_WIDGET_URL":
      return setWidgetUrl(context, data.iFrameUrl ?? message.raw.iFrameUrl);
    case "FINALIZE_ENGAGEMENT":
    case "PUBLISH_TO_CHANNEL":
      warn(`${message.type}: WebCTI has no connected channels to publish a call to`);
      return post(message.type === "FINALIZE_ENGAGEMENT" ? "FINALIZE_ENGAGEMENT_FAILED" : "PUBLISH_TO_CHANNEL_FAILED", {
        ...engagementOf(data),
        message: "WebCTI has no connected channels to publish a call to.",
      });
    case "CALL_DATA":
    case "SYNC_ACK":
      return warn(`${message.type} is not used by WebCTI`);
  }
}

function startCall(context: HandlerContext, call: HubSpotCall, createEngagement: unknown) {
  const known = context.calls.get(call.externalCallId);
  const kept = known ?? call;
  context.calls.set(call.externalCallId, kept);
  if (createEngagement !== true) return kept;
  kept.engagementId ??= context.nextEngagementId();
  context.post("CREATE_ENGAGEMENT_SUCCEEDED", { engagementId: kept.engagementId, externalCallId: kept.externalCallId });
  return kept;
}

/**
 * Caller ID and the screen pop. With `reportCalls`, the ring is the provider's conversation event: the
 * service pops by the provider's policy (once per call) and its matches answer caller ID. Otherwise (or
 * when the service did not take the event) the widget protocol's screenPop does both here.
 */
async function incomingCall(context: HandlerContext, data: Record<string, unknown>, correlationId: string) {
  const parsed = callFromMessage("inbound", data, context.now());
  if (!parsed) {
    context.warn("INCOMING_CALL without an externalCallId");
    return context.post("CALLER_ID_MATCH_FAILED", { message: "INCOMING_CALL needs an externalCallId." });
  }
  const call = startCall(context, parsed, data.createEngagement);
  const reported = await reportStep(context, call, "ringing", correlationId);
  if (!call.from) return context.post("CALLER_ID_MATCH_FAILED", { externalCallId: call.externalCallId, message: "INCOMING_CALL has no fromNumber." });
  const { methods } = context.panel;
  try {
    const matches = reported
      ? (reported.matches ?? (await methods.searchRecords({ correlationId, phone: call.from })).matches)
      : (await methods.screenPop({ correlationId, phone: call.from })).matches;
    if (matches.length === 1) call.record = matches[0];
    if (matches.length === 0) return context.post("CALLER_ID_MATCH_FAILED", { externalCallId: call.externalCallId, message: `No record has ${call.from}.` });
    context.post("CALLER_ID_MATCH_SUCCEEDED", { externalCallId: call.externalCallId, callerIdMatches: callerIdMatches(matches, context.panel.environment().tenantId) });
  } catch (error) {
    context.warn(`INCOMING_CALL: caller ID look-up failed: ${messageOf(error)}`);
    context.post("CALLER_ID_MATCH_FAILED", { externalCallId: call.externalCallId, message: messageOf(error) });
  }
}

/** The record of an outgoing call: the one clicked to dial this number, else the number's only match. */
async function outgoingCall(context: HandlerContext, data: Record<string, unknown>, correlationId: string) {
  const parsed = callFromMessage("outbound", data, context.now());
  if (!parsed) return context.warn("OUTGOING_CALL_STARTED without an externalCallId");
  const call = startCall(context, parsed, data.createEngagement);
  void reportStep(context, call, "initiated", correlationId);
  const dialed = context.lastDial;
  if (call.record || !call.to) return;
  if (dialed?.record && sameNumber(dialed.phoneNumber, call.to)) {
    call.record = dialed.record;
    return;
  }
  try {
    const { matches } = await context.panel.methods.searchRecords({ correlationId, phone: call.to });
    if (matches.length === 1) call.record = matches[0];
  } catch (error) {
    context.warn(`OUTGOING_CALL_STARTED: look-up of ${call.to} failed: ${messageOf(error)}`);
  }
}

const stepOf = { CALL_ANSWERED: "answered", CALL_TRANSFERRED: "transferred", CALL_ENDED: "ended" } as const;

async function updateCall(context: HandlerContext, message: WidgetMessage, correlationId: string) {
  const id = text(message.data.externalCallId);
  const call = id ? context.calls.get(id) : undefined;
  if (!call) return context.warn(`${message.type} for a call the host does not know (${id ?? "no externalCallId"})`);
  if (message.type === "CALL_ANSWERED") call.answeredAtMs ??= context.now();
  if (message.type === "CALL_TRANSFERRED") call.transferred = true;
  if (message.type === "CALL_ENDED") {
    call.endedAtMs ??= context.now();
    const status = text(message.data.callEndStatus);
    if (status) call.endStatus = status.toUpperCase();
  }
  const step = stepOf[message.type as keyof typeof stepOf];
  if (step) await reportStep(context, call, step, correlationId);
}

/** The call's activity on the record's timeline (the widget protocol's logActivity), answered as an engagement update. */
async function completeCall(context: HandlerContext, data: Record<string, unknown>, correlationId: string) {
  const id = text(data.externalCallId);
  const call = id ? context.calls.get(id) : undefined;
  const engagement = engagementOf(data).engagementId ?? call?.engagementId ?? context.nextEngagementId();
  const activity = activityForCall(call, data, context.now());
  const conversationId = context.panel.reportCalls && call ? conversationIdOf(call) : undefined;
  // The after-call work of a call the agent had: its end ends the conversation's wrap-up.
  if (call?.answeredAtMs !== undefined) await reportStep(context, call, "wrapUpCompleted", correlationId, activity.disposition);
  try {
    await context.panel.methods.logActivity({ correlationId, ...activity, ...(conversationId ? { conversationId } : {}) });
    if (id) context.calls.delete(id);
    context.post("UPDATE_ENGAGEMENT_SUCCEEDED", { engagementId: engagement, ...(id ? { externalCallId: id } : {}) });
    if (data.hideWidget === true) context.panel.setMode("minimized");
  } catch (error) {
    context.warn(`CALL_COMPLETED: the activity was not logged: ${messageOf(error)}`);
    context.post("UPDATE_ENGAGEMENT_FAILED", { engagementId: engagement, ...(id ? { externalCallId: id } : {}), message: messageOf(error) });
  }
}

async function navigate(context: HandlerContext, data: Record<string, unknown>, correlationId: string) {
  const record = recordFromCoordinates(data.objectCoordinates);
  if (!record) return context.post("NAVIGATE_TO_RECORD_FAILED", { message: "objectCoordinates must name an object id and type." });
  try {
    await context.panel.methods.openRecord({ correlationId, record });
  } catch (error) {
    context.warn(`NAVIGATE_TO_RECORD: ${messageOf(error)}`);
    context.post("NAVIGATE_TO_RECORD_FAILED", { objectCoordinates: data.objectCoordinates, message: messageOf(error) });
  }
}

/** Another page for the frame: only on one of the panel's trusted origins (the SDK lets a widget ask for any URL). */
function setWidgetUrl(context: HandlerContext, url: unknown) {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === "string" ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed && /^https?:$/.test(parsed.protocol) && context.panel.trustedOrigins.includes(parsed.origin)) return context.panel.loadUrl(parsed.href);
  context.warn(`SET_WIDGET_URL refused: ${String(url).slice(0, 200)} is not on a trusted origin of the panel`);
  context.post("SET_WIDGET_URL_FAILED", { iFrameUrl: typeof url === "string" ? url : null, message: "The URL is not on an origin the panel trusts." });
}

/**
 * With the panel's `reportCalls`, one step of a call as the provider's conversation event (widget protocol
 * 1.3's reportConversationEvent): what the service answered, or undefined (not reporting, or refused:
 * logged; the call goes on without it).
 */
async function reportStep(context: HandlerContext, call: HubSpotCall, step: CallStep, correlationId: string, disposition?: string): Promise<ConversationEventAccepted | undefined> {
  if (!context.panel.reportCalls) return undefined;
  const event = conversationEventFor(call, step, context.panel.environment().agentId, context.now(), disposition);
  if (!event) {
    context.warn(`${step} not reported: externalCallId ${call.externalCallId} cannot make a conversation id`);
    return undefined;
  }
  try {
    return await context.panel.methods.reportConversationEvent({ correlationId, event });
  } catch (error) {
    context.warn(`${step} not reported: ${messageOf(error)}`);
    return undefined;
  }
}

function engagementOf(data: Record<string, unknown>): { engagementId?: number | string } {
  const id = data.engagementId;
  return typeof id === "number" || (typeof id === "string" && id) ? { engagementId: id } : {};
}
