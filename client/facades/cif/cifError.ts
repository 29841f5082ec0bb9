/**
 * The error a CIF call rejects with: the object Microsoft documents for CIF's errorCallback,
 * `{ message, msdyn_name }` (msdyn_name: the API that failed), plus `webctiCode`, the WebCTI widget error
 * code behind it when there is one (docs/widget-sdk.md, "Error codes"), so a widget can branch on it.
 * A plain object, not an Error: CIF widgets log or JSON.stringify it, and an Error would lose its message.
 */
export interface CifError {
  message: string;
  msdyn_name: string;
  webctiCode?: string;
}

export function cifError(apiName: string, message: string, webctiCode?: string): CifError {
  return webctiCode ? { message, msdyn_name: apiName, webctiCode } : { message, msdyn_name: apiName };
}

export function isCifError(value: unknown): value is CifError {
  return typeof value === "object" && value !== null && typeof (value as CifError).msdyn_name === "string" && typeof (value as CifError).message === "string";
}

/** Anything a call threw (a CifError, the SDK's WidgetError, anything else) as the CIF error of `apiName`. */
export function toCifError(apiName: string, error: unknown): CifError {
  if (isCifError(error)) return error;
  const code = typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : "host_error";
  const message = typeof (error as { message?: unknown })?.message === "string" ? (error as { message: string }).message : String(error);
  return cifError(apiName, message, code);
}

/** The rejection of a CIF function WebCTI does not offer (yet, or at all): says which and why. */
export function unsupported(apiName: string, why: string): Promise<never> {
  return Promise.reject(cifError(apiName, `${apiName} is not supported by WebCTI: ${why}`, "not_supported"));
}
