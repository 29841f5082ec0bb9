import { idPattern } from "../../../shared/schemas/patterns.js";
import type { ActivityRequest, ClickToActPayload, ConversationEventReport, Environment, PanelMode, RecordRef } from "../../protocol.js";

/**
 * The pure half of the HubSpot host: SDK payloads to WebCTI's calls and back. HubSpot's ids are numbers
 * (portal, owner, object); WebCTI's are strings, and they cross as strings (a widget passes them back as
 * it got them). HubSpot's contact and company are WebCTI's contact and account; a CRM's own record type
 * (records in the CRM page) crosses as its type name in `objectTypeId`.
 */

/** What the host keeps of one call, from INCOMING_CALL or OUTGOING_CALL_STARTED to CALL_COMPLETED. */
export interface HubSpotCall {
  externalCallId: string;
  direction: "inbound" | "outbound";
  from?: string;
  to?: string;
  startedAtMs: number;
  answeredAtMs?: number;
  endedAtMs?: number;
  endStatus?: string;
  transferred?: boolean;
  engagementId?: number;
  /** The record the caller matched (one match), or the one the agent clicked to dial. */
  record?: RecordRef;
}

export type CallerIdMatch =
  | { callerIdType: "CONTACT"; objectCoordinates: ObjectCoordinates; firstName: string; lastName: string; email: string }
  | { callerIdType: "COMPANY"; objectCoordinates: ObjectCoordinates; name: string };

export interface ObjectCoordinates {
  portalId: string;
  objectId: string;
  objectTypeId: string;
}

const text = (value: unknown, max: number): string | undefined => (typeof value === "string" && value.trim() ? value.trim().slice(0, max) : undefined);
const time = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined);

export function objectTypeIdOf(type: string): string {
  return type === "contact" ? "0-1" : type === "account" ? "0-2" : type;
}

/** A record from `objectCoordinates` (NAVIGATE_TO_RECORD, or a callee in engagement data), or undefined. */
export function recordFromCoordinates(coordinates: unknown): RecordRef | undefined {
  if (typeof coordinates !== "object" || coordinates === null) return undefined;
  const { objectId, objectTypeId } = coordinates as Record<string, unknown>;
  return recordFrom(objectId, objectTypeId);
}

function recordFrom(objectId: unknown, objectTypeId: unknown): RecordRef | undefined {
  const id = typeof objectId === "number" && Number.isFinite(objectId) ? String(objectId) : objectId;
  if (typeof id !== "string" || !idPattern.test(id) || typeof objectTypeId !== "string") return undefined;
  const byHubSpotId: Record<string, string> = { "0-1": "contact", "0-2": "account", CONTACT: "contact", COMPANY: "account" };
  const type = byHubSpotId[objectTypeId.toUpperCase()] ?? objectTypeId;
  return idPattern.test(type) ? { type, id } : undefined;
}

/** CALLER_ID_MATCH_SUCCEEDED's `callerIdMatches` for the records a caller's number matched. */
export function callerIdMatches(matches: readonly RecordRef[], portalId: string): CallerIdMatch[] {
  return matches.map((record) => {
    const objectCoordinates = { portalId, objectId: record.id, objectTypeId: objectTypeIdOf(record.type) };
    const name = record.name ?? "";
    if (record.type === "account") return { callerIdType: "COMPANY", objectCoordinates, name };
    const space = name.indexOf(" ");
    return {
      callerIdType: "CONTACT",
      objectCoordinates,
      firstName: space < 0 ? name : name.slice(0, space),
      lastName: space < 0 ? "" : name.slice(space + 1),
      email: "",
    };
  });
}

/** DIAL_NUMBER's data for a click-to-act on a phone number. */
export function dialNumberData(payload: ClickToActPayload, environment: Environment): Record<string, unknown> {
  const record = payload.record;
  return {
    phoneNumber: payload.e164 ?? payload.raw,
    ...(payload.extension ? { extension: payload.extension } : {}),
    ownerId: environment.agentId,
    portalId: environment.tenantId,
    ...(record
      ? {
          objectId: record.id,
          objectType: record.type === "account" ? "COMPANY" : "CONTACT",
          calleeInfo: { calleeId: record.id, calleeObjectTypeId: objectTypeIdOf(record.type) },
        }
      : {}),
    startTimestamp: Date.now(),
  };
}

/** VISIBILITY_CHANGED's data for a panel mode. */
export function visibilityData(mode: PanelMode): { isMinimized: boolean; isHidden: boolean } {
  return { isMinimized: mode === "minimized", isHidden: mode === "hidden" };
}

/** A call as INCOMING_CALL or OUTGOING_CALL_STARTED describe it; undefined without an externalCallId. */
export function callFromMessage(direction: "inbound" | "outbound", data: Record<string, unknown>, nowMs: number): HubSpotCall | undefined {
  const externalCallId = text(data.externalCallId, 200);
  if (!externalCallId) return undefined;
  const from = text(data.fromNumber, 64);
  const to = text(data.toNumber, 64);
  return { externalCallId, direction, ...(from ? { from } : {}), ...(to ? { to } : {}), startedAtMs: time(data.callStartTime) ?? nowMs };
}

const endStatusLabels: Record<string, string> = {
  COMPLETED: "Completed",
  FAILED: "Failed",
  CANCELED: "Canceled",
  BUSY: "Busy",
  NO_ANSWER: "No answer",
  REJECTED: "Rejected",
  MISSED: "Missed",
};

/**
 * The activity for CALL_COMPLETED: the call the host followed (if it did) and the engagement properties
 * the widget sent (`hs_call_*`; these win where both say something). The record is the call's, else the
 * callee the properties name, else none (logActivity then takes the record the agent has open).
 */
export function activityForCall(call: HubSpotCall | undefined, data: Record<string, unknown>, nowMs: number): ActivityRequest {
  const properties = (typeof data.engagementProperties === "object" && data.engagementProperties !== null ? data.engagementProperties : {}) as Record<string, unknown>;
  const directionProperty = text(properties.hs_call_direction, 20)?.toUpperCase();
  const direction = directionProperty === "INBOUND" ? "inbound" : directionProperty === "OUTBOUND" ? "outbound" : (call?.direction ?? "outbound");
  const from = text(properties.hs_call_from_number, 64) ?? call?.from;
  const to = text(properties.hs_call_to_number, 64) ?? call?.to;
  const endStatus = text(properties.hs_call_status, 40)?.toUpperCase() ?? call?.endStatus;
  const disposition = text(properties.hs_call_disposition, 100) ?? (endStatus ? endStatusLabels[endStatus] : undefined) ?? (call?.transferred ? "Transferred" : undefined);
  const durationProperty = properties.hs_call_duration;
  const durationMs = (typeof durationProperty === "string" && durationProperty.trim()) || typeof durationProperty === "number" ? Number(durationProperty) : Number.NaN;
  const started = call?.startedAtMs;
  const ended = call?.endedAtMs ?? nowMs;
  const seconds = (ms: number) => Math.min(7 * 86_400, Math.max(0, Math.round(ms / 1000)));
  const durations = {
    ...(started !== undefined && call?.answeredAtMs !== undefined ? { ringSeconds: seconds(call.answeredAtMs - started) } : {}),
    ...(call?.answeredAtMs !== undefined ? { talkSeconds: seconds(ended - call.answeredAtMs) } : {}),
    ...(call?.endedAtMs !== undefined ? { wrapUpSeconds: seconds(nowMs - call.endedAtMs) } : {}),
  };
  const record = call?.record ?? recordFrom(properties.hs_call_callee_object_id, properties.hs_call_callee_object_type);
  const recordingUrl = text(properties.hs_call_recording_url, 2000);
  const externalCallId = text(data.externalCallId, 200);
  const activityId = externalCallId && idPattern.test(`hubspot.${externalCallId}`) ? `hubspot.${externalCallId}` : undefined;
  const notes = text(properties.hs_call_body, 4000);
  return {
    ...(activityId ? { activityId } : {}),
    subject: text(properties.hs_call_title, 200) ?? (direction === "inbound" ? `Call from ${from ?? "unknown number"}` : `Call to ${to ?? "unknown number"}`),
    channel: "voice",
    direction,
    ...(record ? { record } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(notes ? { notes } : {}),
    ...(disposition ? { disposition } : {}),
    ...(started !== undefined && started <= ended ? { startedAt: new Date(started).toISOString(), endedAt: new Date(ended).toISOString() } : {}),
    ...(Number.isFinite(durationMs) && durationMs >= 0 ? { durationSeconds: seconds(durationMs) } : started !== undefined && started <= ended ? { durationSeconds: seconds(ended - started) } : {}),
    ...(Object.keys(durations).length ? { durations } : {}),
    ...(recordingUrl && /^https?:\/\//.test(recordingUrl) ? { recordingUrl } : {}),
  };
}

/** A width asked for by INITIALIZED's `sizeInfo` or RESIZE_WIDGET (CSS pixels), or undefined. */
export function widthFrom(size: unknown): number | undefined {
  if (typeof size !== "object" || size === null) return undefined;
  const width = (size as Record<string, unknown>).width;
  const pixels = typeof width === "string" ? Number.parseFloat(width) : width;
  return typeof pixels === "number" && Number.isFinite(pixels) && pixels > 0 ? Math.round(pixels) : undefined;
}

/** The step of a call a widget message reports, as a WebCTI conversation event type. */
export type CallStep = "ringing" | "initiated" | "answered" | "transferred" | "ended" | "wrapUpCompleted";

/** CALL_ENDED's callEndStatus as an `ended` event's reason; COMPLETED (and anything else) lets WebCTI derive it. */
const endReasons: Record<string, string> = { BUSY: "busy", NO_ANSWER: "noAnswer", FAILED: "failed", CANCELED: "canceled", MISSED: "missedByAgent", REJECTED: "missedByAgent" };

/** The call's WebCTI conversation id, from its externalCallId; undefined when that cannot make an id. */
export function conversationIdOf(call: Pick<HubSpotCall, "externalCallId">): string | undefined {
  const id = `hubspot.${call.externalCallId}`;
  return idPattern.test(`${id}.wrapUpCompleted`) ? id : undefined;
}

/**
 * A step of a call the host followed as the conversation event the panel host reports for the provider
 * (panel `reportCalls`): ids from the externalCallId, so a repeated message is the same event; times from
 * what the host saw (the SDK's callStartTime for the start).
 */
export function conversationEventFor(call: HubSpotCall, step: CallStep, agentId: string, nowMs: number, disposition?: string): ConversationEventReport | undefined {
  const conversationId = conversationIdOf(call);
  if (!conversationId) return undefined;
  const atMs = step === "ringing" || step === "initiated" ? call.startedAtMs : step === "answered" ? (call.answeredAtMs ?? nowMs) : step === "ended" ? (call.endedAtMs ?? nowMs) : nowMs;
  const customerPhone = call.direction === "inbound" ? call.from : call.to;
  const reason = step === "ended" && call.endStatus ? endReasons[call.endStatus] : undefined;
  return {
    type: step,
    eventId: `${conversationId}.${step}`,
    conversationId,
    occurredAt: new Date(atMs).toISOString(),
    channel: "voice",
    direction: call.direction,
    agentId,
    ...(customerPhone && customerPhone.length >= 3 ? { customer: { phone: customerPhone } } : {}),
    ...(reason ? { reason } : {}),
    ...(disposition ? { disposition } : {}),
  };
}
