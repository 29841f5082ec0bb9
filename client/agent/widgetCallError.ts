import type { WidgetErrorCode, WireError } from "../protocol.js";
import { AgentApiError } from "./agentApi.js";
import { isApiErrorCode, widgetCodeForApiCode } from "./widgetCodeForApiCode.js";

/** A host method's refusal: thrown inside the host, it reaches the widget as a `WireError` with its code. */
export class WidgetCallError extends Error {
  override readonly name = "WidgetCallError";
  constructor(
    readonly code: WidgetErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Refuses a widget's call. */
export function fail(code: WidgetErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new WidgetCallError(code, message, details);
}

/**
 * What crosses the frame boundary for anything a host method threw, with the call's correlation id: the
 * host's own refusal as is, an agent API failure by the table (details keep the status, the API code and
 * the problem's `errors`), anything else as `host_error`.
 */
export function toWireError(error: unknown, correlationId: string): WireError {
  if (error instanceof WidgetCallError) return wireError(error.code, error.message, correlationId, error.details);
  if (error instanceof AgentApiError) {
    const code = isApiErrorCode(error.code) ? widgetCodeForApiCode[error.code] : "host_error";
    return wireError(code, error.message, correlationId, {
      status: error.status,
      apiCode: error.code,
      ...(error.problem?.errors ? { errors: error.problem.errors } : {}),
    });
  }
  return wireError("host_error", String((error as Error)?.message ?? error), correlationId);
}

function wireError(code: WidgetErrorCode, message: string, correlationId: string, details?: Record<string, unknown>): WireError {
  return { webctiError: 1, code, message, correlationId, ...(details ? { details } : {}) };
}
