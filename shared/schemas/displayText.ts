import { z } from "zod";
import { hasLoneSurrogate, printableLinePattern, printableMultilinePattern, unprintableDetail } from "./printable.js";

/** The options of a displayed text field. */
export interface DisplayTextOptions {
  /** At most this many characters (UTF-16 units, as zod counts them). */
  max: number;
  /** At least this many (default 1: an empty name says nothing; give 0 where empty is allowed). */
  min?: number;
  /** Notes and bodies: line feeds (\n) and tabs may stay. */
  multiline?: boolean;
  /** Leading and trailing white space is removed first (the length and the rule apply to what remains). */
  trim?: boolean;
}

/**
 * Every text field a person sees, in one rule (printable.ts): `displayText({ max: 200 })`,
 * `displayText({ max: 4000, min: 0, multiline: true })`. A refused value is a 400 whose `errors` item
 * points at the field and names the first refused character (`character 3 is U+202E, a bidi override: …`).
 */
export function displayText({ max, min = 1, multiline = false, trim = false }: DisplayTextOptions) {
  const detail = (input: unknown) => (typeof input === "string" ? unprintableDetail(input, multiline) : undefined) ?? "not printable text";
  return (trim ? z.string().trim() : z.string())
    .min(min)
    .max(max)
    .regex(multiline ? printableMultilinePattern : printableLinePattern, { error: (issue) => detail(issue.input) })
    .refine((text) => !hasLoneSurrogate(text), { error: (issue) => detail(issue.input) });
}
