/**
 * The response every Open CTI for Lightning method hands its callback: `{ success, returnValue, errors }`,
 * where `errors` is null on success and otherwise a list of `{ code, description, details? }` with one of
 * Open CTI's codes (Salesforce's "Common Error Messages for Lightning Experience Methods").
 */
export type OpenCtiErrorCode = "INVALID_PARAM" | "GENERIC_ERROR" | "SERVER_ERROR" | "SOFTPHONE_CONTAINER_ERROR";

export interface OpenCtiError {
  code: OpenCtiErrorCode;
  description: string;
  details?: Record<string, unknown>;
}

export interface OpenCtiResponse {
  success: boolean;
  returnValue: unknown;
  errors: OpenCtiError[] | null;
}

export type OpenCtiCallback = (response: OpenCtiResponse) => void;

/** A call that failed in Open CTI's terms; thrown inside the façade and handed to the callback. */
export class OpenCtiFailure extends Error {
  override readonly name = "OpenCtiFailure";
  constructor(readonly errors: OpenCtiError[]) {
    super(errors.map((e) => `${e.code}: ${e.description}`).join("; "));
  }
}

export function failWith(code: OpenCtiErrorCode, description: string, details?: Record<string, unknown>): never {
  throw new OpenCtiFailure([{ code, description, ...(details ? { details } : {}) }]);
}

/** What a value is, for an INVALID_PARAM description: "undefined", "null", "array", "string"… */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** INVALID_PARAM for one parameter: which one, what was expected, what came. */
export function invalidParam(parameter: string, expected: string, found: unknown): never {
  return failWith("INVALID_PARAM", `An invalid value was passed to the parameter ${parameter}. ${expected} was expected, but ${kindOf(found)} was found instead.`, {
    parameter,
  });
}

export function succeeded(returnValue: unknown): OpenCtiResponse {
  return { success: true, returnValue: returnValue ?? null, errors: null };
}

export function failed(errors: OpenCtiError[]): OpenCtiResponse {
  return { success: false, returnValue: null, errors };
}

/**
 * Open CTI's errors for anything a call threw: its own failures as they are; a WebCTI widget SDK error
 * (`WidgetError`, known by its `code`) by what went wrong — a bad argument the host refused is
 * INVALID_PARAM, the host or service failing is SERVER_ERROR, no connection to the desktop is
 * SOFTPHONE_CONTAINER_ERROR, and the rest GENERIC_ERROR. `details.webctiCode` keeps WebCTI's code.
 */
export function errorsOf(error: unknown): OpenCtiError[] {
  if (error instanceof OpenCtiFailure) return error.errors;
  const code = typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : undefined;
  const description = String((error as Error)?.message ?? error);
  if (!code) return [{ code: "GENERIC_ERROR", description }];
  const details: Record<string, unknown> = { webctiCode: code, ...((error as { details?: Record<string, unknown> }).details ?? {}) };
  return [{ code: openCtiCodeFor(code), description, details }];
}

function openCtiCodeFor(webctiCode: string): OpenCtiErrorCode {
  switch (webctiCode) {
    case "invalid_argument":
    case "out_of_range":
      return "INVALID_PARAM";
    case "disconnected":
    case "handshake_failed":
    case "unsupported_version":
      return "SOFTPHONE_CONTAINER_ERROR";
    case "host_error":
    case "unavailable":
    case "rate_limited":
    case "timeout":
    case "unauthenticated":
    case "forbidden":
    case "conflict":
      return "SERVER_ERROR";
    default:
      return "GENERIC_ERROR";
  }
}
