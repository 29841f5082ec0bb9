import { cifError } from "./cifError.js";

/**
 * Argument checks of the CIF functions: a wrong type throws the CIF error of the function, naming the
 * parameter, the type it takes and what it got; nothing is sent to the host.
 */
type Kind = "string" | "number" | "boolean" | "function";

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `${typeof value} ${typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : String(value)}`;
}

/** Throws unless `value` is of `kind` (or undefined, when optional). */
export function expectType(apiName: string, name: string, value: unknown, kind: Kind, optional = false): void {
  if (optional && value === undefined) return;
  const ok = kind === "number" ? typeof value === "number" && Number.isFinite(value) : typeof value === kind;
  if (ok && (kind !== "string" || optional || (value as string).trim() !== "")) return;
  const wanted = kind === "string" && !optional ? "a non-empty string" : `a ${kind}`;
  throw cifError(apiName, `${apiName}: parameter '${name}' must be ${wanted}; got ${describeValue(value)}.`, "invalid_argument");
}

/**
 * A JSON object given as CIF gives it: a JSON string (what the documentation shows) or the object itself.
 * Anything else, or a string that is not a JSON object, throws the CIF error.
 */
export function jsonObject(apiName: string, name: string, value: unknown, optional = false): Record<string, unknown> {
  if (optional && (value === undefined || value === null)) return {};
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw cifError(apiName, `${apiName}: parameter '${name}' is not valid JSON.`, "invalid_argument");
    }
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw cifError(apiName, `${apiName}: parameter '${name}' must be a JSON object or its JSON string; got ${describeValue(value)}.`, "invalid_argument");
  }
  return parsed as Record<string, unknown>;
}
