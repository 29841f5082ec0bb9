import { createHash } from "node:crypto";

/**
 * The longest PartitionKey or RowKey WebCTI builds: Table storage takes 1 KiB, strings being UTF-16, which
 * is 512 characters (Azurite refuses a key of 513).
 */
export const maxKeyChars = 512;

/** Separates a shortened part's beginning from its hash: percent-encoding never outputs "=" (it encodes it). */
const hashedMark = "=";
/** A SHA-256 in hex. */
const hashChars = 64;

/**
 * One part of a Table storage key made from free text (an `Idempotency-Key`, a queue name): percent-encoded,
 * so it holds none of the characters a key may not (`/ \ # ?`, control characters) nor the `|` that joins
 * parts, and kept readable when it fits in `roomChars` (the characters the rest of the key leaves). When it
 * does not (or the text is not well-formed UTF-16, which percent-encoding cannot take), it becomes the
 * encoding of its first whole characters, `=` and the SHA-256 of the text (as UTF-16): the same text always
 * gives the same part, so look-ups find what was written; a shortened part never equals a readable one
 * (only it holds `=`); and a key within the limit keeps exactly its earlier form. Range queries that rely
 * on sort order must not range over such a part (none does: docs/architecture.md, "Tables and keys").
 */
export function keyPart(text: string, roomChars: number): string {
  if (roomChars < hashChars + hashedMark.length) throw new RangeError(`A key part needs room for ${hashChars + 1} characters, not ${roomChars}`);
  const encoded = percentEncoded(text);
  if (encoded !== undefined && encoded.length <= roomChars) return encoded;
  const hash = createHash("sha256").update(Buffer.from(text, "utf16le")).digest("hex");
  return `${encodedBeginning(text, roomChars - hashChars - hashedMark.length)}${hashedMark}${hash}`;
}

/** The encoded form of the text's first whole characters, at most `maxChars` long (never half a character). */
function encodedBeginning(text: string, maxChars: number): string {
  let beginning = "";
  for (const character of text) {
    const encoded = percentEncoded(character);
    if (encoded === undefined || beginning.length + encoded.length > maxChars) break;
    beginning += encoded;
  }
  return beginning;
}

/** The room a key leaves for its last part when the other parts are `fixed` (joined with "|"). */
export function roomAfter(...fixed: string[]): number {
  return maxKeyChars - fixed.reduce((chars, part) => chars + part.length + 1, 0);
}

/** encodeURIComponent, or undefined for text with a lone surrogate (which it refuses with a URIError). */
function percentEncoded(text: string): string | undefined {
  try {
    return encodeURIComponent(text);
  } catch {
    return undefined;
  }
}
