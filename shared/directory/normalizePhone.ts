import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";

export interface NormalizedPhone {
  e164: string;
  extension?: string;
}

/**
 * Reads a phone number written any way a person or a partner system writes it ("(425) 555-0100 x12",
 * "+44 20 7946 0958", "tel:+14255550100;ext=3") into E.164 plus a separate extension. The extension is
 * kept apart because it does not identify the line: a call from the main number must match a contact
 * whose number carries an extension. Returns undefined for text that cannot be a phone number.
 *
 * "Possible" (right length for the country) rather than "valid" (an assigned range) on purpose: test and
 * fictional ranges such as 555-01xx must still match the directory.
 */
export function normalizePhone(text: string, defaultCountry: string = "US"): NormalizedPhone | undefined {
  const cleaned = text.trim().replace(/^tel:/i, "").replace(/;ext=/i, " ext. ");
  const parsed = parsePhoneNumberFromString(cleaned, { defaultCountry: defaultCountry as CountryCode, extract: false });
  if (!parsed || !parsed.isPossible()) return undefined;
  return parsed.ext ? { e164: parsed.number, extension: parsed.ext } : { e164: parsed.number };
}
