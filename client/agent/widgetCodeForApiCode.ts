import type { WebCtiErrorCode } from "../../shared/errors.js";
import type { WidgetErrorCode } from "../protocol.js";

/**
 * The widget error code a host method answers with when the agent API refused its call (API codes:
 * docs/errors.md; widget codes: docs/widget-sdk.md). A code a widget can act on keeps its meaning
 * (`forbidden`, `conflict`, `rate_limited`, `unavailable`: try again later); what only the host itself
 * could have caused becomes `host_error`. `satisfies` makes a new API code fail the build until it has a row.
 */
export const widgetCodeForApiCode = {
  invalid_request: "invalid_argument",
  unauthenticated: "unauthenticated",
  forbidden: "forbidden",
  not_found: "not_found",
  method_not_allowed: "host_error",
  conflict: "conflict",
  // An update's If-Match named an older version: for the widget, its write collides with stored data.
  precondition_failed: "conflict",
  // The host sends no Idempotency-Key on a widget's behalf.
  idempotency_key_in_use: "host_error",
  idempotency_key_mismatch: "host_error",
  payload_too_large: "invalid_argument",
  unsupported_media_type: "host_error",
  rate_limited: "rate_limited",
  storage_unavailable: "unavailable",
  push_unavailable: "unavailable",
  internal: "host_error",
} as const satisfies Record<WebCtiErrorCode, WidgetErrorCode>;

/**
 * An agent API failure's code: the problem's (docs/errors.md), `network` when no answer came, or
 * `http_<status>` when the answer was not a problem document with a known code.
 */
export type AgentApiErrorCode = WebCtiErrorCode | "network" | `http_${number}`;

export function isApiErrorCode(code: unknown): code is WebCtiErrorCode {
  return typeof code === "string" && Object.hasOwn(widgetCodeForApiCode, code);
}
