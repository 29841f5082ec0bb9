import { failWith, invalidParam, type OpenCtiCallback } from "./openCtiResponse.js";

/**
 * Argument checks of the Open CTI methods. Every method takes one object; a parameter of the wrong type
 * is INVALID_PARAM through the callback (the check throws OpenCtiFailure). Without a callback to call,
 * nothing can answer, so a call whose argument is not an object, or whose `callback` or `listener` is
 * not a function, throws a TypeError at once.
 */
export type Args = Record<string, unknown>;

export function argsOf(method: string, args: unknown): Args {
  if (args === undefined) return {};
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw new TypeError(`sforce.opencti.${method} takes one object argument, such as { callback: function }; got ${args === null ? "null" : typeof args}.`);
  }
  return args as Args;
}

export function callbackOf(method: string, args: Args): OpenCtiCallback | undefined {
  const callback = args.callback;
  if (callback === undefined) return undefined;
  if (typeof callback !== "function") throw new TypeError(`sforce.opencti.${method}: callback must be a function; got ${typeof callback}.`);
  return callback as OpenCtiCallback;
}

export function listenerOf(method: string, args: Args): (payload: unknown) => void {
  if (typeof args.listener !== "function") throw new TypeError(`sforce.opencti.${method}: listener must be a function; got ${typeof args.listener}.`);
  return args.listener as (payload: unknown) => void;
}

export function requiredString(args: Args, name: string, path = name): string {
  const value = args[name];
  if (typeof value !== "string" || !value.trim()) invalidParam(path, "A non-empty string", value);
  return value;
}

export function optionalString(args: Args, name: string, path = name): string | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") invalidParam(path, "A string", value);
  return value;
}

export function requiredBoolean(args: Args, name: string): boolean {
  const value = args[name];
  if (typeof value !== "boolean") invalidParam(name, "A boolean value", value);
  return value;
}

export function optionalBoolean(args: Args, name: string): boolean | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") invalidParam(name, "A boolean value", value);
  return value;
}

/** A finite number within [min, max]. */
export function requiredNumber(args: Args, name: string, range?: { min: number; max: number }, path = name): number {
  const value = args[name];
  if (typeof value !== "number" || !Number.isFinite(value)) invalidParam(path, "A numeric value", value);
  if (range && (value < range.min || value > range.max)) {
    failWith("INVALID_PARAM", `An invalid value was passed to the parameter ${path}. A number from ${range.min} through ${range.max} was expected, but ${value} was found instead.`, {
      parameter: path,
      min: range.min,
      max: range.max,
    });
  }
  return value;
}

export function optionalNumber(args: Args, name: string, path = name): number | undefined {
  if (args[name] === undefined || args[name] === null) return undefined;
  return requiredNumber(args, name, undefined, path);
}

export function requiredObject(args: Args, name: string, path = name): Args {
  const value = args[name];
  if (typeof value !== "object" || value === null || Array.isArray(value)) invalidParam(path, "An object", value);
  return value as Args;
}

export function optionalObject(args: Args, name: string, path = name): Args | undefined {
  if (args[name] === undefined || args[name] === null) return undefined;
  return requiredObject(args, name, path);
}

/** One of a list of values, compared without case (Open CTI's constants are lower-case strings; callers also write the names). */
export function oneOf<T extends string>(args: Args, name: string, allowed: readonly T[], names: Readonly<Record<string, T>> = {}): T {
  const value = args[name];
  const text = typeof value === "string" ? value.toLowerCase() : undefined;
  const match = allowed.find((a) => a === text) ?? (typeof value === "string" ? names[value.toUpperCase()] : undefined);
  if (!match) invalidParam(name, `One of ${allowed.join(", ")}`, value);
  return match;
}
