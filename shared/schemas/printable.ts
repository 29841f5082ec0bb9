/**
 * The printable-text rule of every field a person sees (names, labels, notes, subjects, dispositions,
 * queues, presence reasons, partner event names…), free of zod so browser code can check text with the very
 * rule the API validates with (displayText.ts builds the schemas from it):
 *
 * - no control characters: C0 (U+0000–U+001F), DEL (U+007F), C1 (U+0080–U+009F); a multi-line field (notes,
 *   bodies) may keep line feeds (U+000A) and tabs (U+0009), nothing else (no carriage returns);
 * - no bidi embeddings, overrides or isolates (U+202A–U+202E, U+2066–U+2069): they make text display in
 *   another order than it is stored (a name that reads as something else);
 * - no lone surrogates (half of a UTF-16 pair): not a character at all.
 *
 * Ids have their own, stricter pattern (patterns.ts).
 */

const bidi = "\\u202a-\\u202e\\u2066-\\u2069";
// Plain ranges without flags, so the OpenAPI `pattern` reads the same in every regex dialect. Lone
// surrogates are checked apart (a range of them would refuse every paired one outside Unicode mode).
export const printableLinePattern = new RegExp(`^[^\\u0000-\\u001f\\u007f-\\u009f${bidi}]*$`);
export const printableMultilinePattern = new RegExp(`^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${bidi}]*$`);
/** In Unicode mode a surrogate range matches only a half without its partner. */
const loneSurrogate = /\p{Cs}/u;

export function hasLoneSurrogate(text: string): boolean {
  return loneSurrogate.test(text);
}

export function isPrintable(text: string, multiline = false): boolean {
  return (multiline ? printableMultilinePattern : printableLinePattern).test(text) && !hasLoneSurrogate(text);
}

const bidiKinds: Record<number, string> = {
  0x202a: "a bidi embedding",
  0x202b: "a bidi embedding",
  0x202c: "a bidi pop",
  0x202d: "a bidi override",
  0x202e: "a bidi override",
  0x2066: "a bidi isolate",
  0x2067: "a bidi isolate",
  0x2068: "a bidi isolate",
  0x2069: "a bidi isolate",
};

function kindOf(code: number, multiline: boolean): string | undefined {
  if (code >= 0xd800 && code <= 0xdfff) return "a lone surrogate (half of a UTF-16 pair)";
  if (bidiKinds[code]) return bidiKinds[code];
  if (multiline && (code === 0x0a || code === 0x09)) return undefined;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) ? "a control character" : undefined;
}

/** What is wrong with the first refused character of `text` (for a problem's `detail`); undefined when none is. */
export function unprintableDetail(text: string, multiline = false): string | undefined {
  let index = 0;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    const kind = kindOf(code, multiline);
    if (kind) {
      const rule = multiline ? "only printable text, line feeds and tabs are allowed" : "only printable text on one line is allowed";
      return `character ${index + 1} is U+${code.toString(16).toUpperCase().padStart(4, "0")}, ${kind}: ${rule}`;
    }
    index += character.length;
  }
  return undefined;
}
