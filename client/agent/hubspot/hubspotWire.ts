/**
 * The HubSpot Calling Extensions SDK's postMessage protocol (`@hubspot/calling-extensions-sdk`, read from
 * its IFrameManager and Constants at 0.9.7), as the host ("HubSpot") sees it:
 *
 * - Every message is a plain object `{ type, data?, messageId }` posted between the panel's window and the
 *   widget's frame, each side naming the other's origin as the target.
 * - The host sends SYNC (with `hostUrl`, its own origin) again and again after each frame load until the
 *   SDK answers SYNC_ACK, once per page, with the SYNC's own `messageId`; the SDK then talks only to
 *   `hostUrl` and drops messages from any other origin.
 * - The SDK treats a message whose `messageId` starts with its own instance id (a `Date.now()` number) as a
 *   reply to one of its messages, and drops it when it had asked for none (it never does). So every host
 *   message, the answers too, carries a new host id, and host ids start with a letter: never a widget's.
 */

/** Messages the widget sends, as the SDK names them. */
export const widgetMessageTypes = [
  "SYNC_ACK",
  "INITIALIZED",
  "LOGGED_IN",
  "LOGGED_OUT",
  "USER_AVAILABLE",
  "USER_UNAVAILABLE",
  "INCOMING_CALL",
  "OUTGOING_CALL_STARTED",
  "CALL_ANSWERED",
  "CALL_TRANSFERRED",
  "CALL_ENDED",
  "CALL_COMPLETED",
  "CALL_DATA",
  "NAVIGATE_TO_RECORD",
  "RESIZE_WIDGET",
  "ERROR",
  "SET_WIDGET_URL",
  "FINALIZE_ENGAGEMENT",
  "PUBLISH_TO_CHANNEL",
] as const;
export type WidgetMessageType = (typeof widgetMessageTypes)[number];

/** Messages this host sends. */
export type HostMessageType =
  | "SYNC"
  | "DIAL_NUMBER"
  | "VISIBILITY_CHANGED"
  | "CALLER_ID_MATCH_SUCCEEDED"
  | "CALLER_ID_MATCH_FAILED"
  | "CREATE_ENGAGEMENT_SUCCEEDED"
  | "UPDATE_ENGAGEMENT_SUCCEEDED"
  | "UPDATE_ENGAGEMENT_FAILED"
  | "NAVIGATE_TO_RECORD_FAILED"
  | "SET_WIDGET_URL_FAILED"
  | "FINALIZE_ENGAGEMENT_FAILED"
  | "PUBLISH_TO_CHANNEL_FAILED";

export interface WidgetMessage {
  type: WidgetMessageType;
  messageId: string;
  /** The message's payload: always an object here (absent in the SDK becomes `{}`). */
  data: Record<string, unknown>;
  /** The whole message as posted (SYNC_ACK and SET_WIDGET_URL carry fields beside `data`). */
  raw: Record<string, unknown>;
}

export type ParsedMessage = { ok: true; message: WidgetMessage } | { ok: false; reason: string };

const maxTypeLength = 64;

/**
 * Reads what the widget's frame posted. Anything that is not `{ type, messageId }` with a known type, and a
 * `data` that is an object when present, is refused with the reason (the host logs it and goes on).
 */
export function parseWidgetMessage(posted: unknown): ParsedMessage {
  if (typeof posted !== "object" || posted === null || Array.isArray(posted)) return { ok: false, reason: "not an object" };
  const raw = posted as Record<string, unknown>;
  const { type, messageId, data } = raw;
  if (typeof type !== "string" || !type || type.length > maxTypeLength) return { ok: false, reason: "no message type" };
  if (!(widgetMessageTypes as readonly string[]).includes(type)) return { ok: false, reason: `unknown message type ${type}` };
  if ((typeof messageId !== "string" && typeof messageId !== "number") || messageId === "") return { ok: false, reason: `${type} without a messageId` };
  if (data !== undefined && data !== null && (typeof data !== "object" || Array.isArray(data))) return { ok: false, reason: `${type} with data that is not an object` };
  return { ok: true, message: { type: type as WidgetMessageType, messageId: String(messageId), data: (data ?? {}) as Record<string, unknown>, raw } };
}

/** Host message ids: `webcti-<random>-<n>`, never a widget's (those start with digits). */
export function createMessageIds(): { next(): string; isOurs(id: string): boolean } {
  const prefix = `webcti-${Math.random().toString(36).slice(2, 10)}-`;
  let count = 0;
  return {
    next: () => `${prefix}${(count += 1)}`,
    isOurs: (id) => id.startsWith(prefix),
  };
}
