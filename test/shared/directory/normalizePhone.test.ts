import { describe, expect, it } from "vitest";
import { normalizePhone } from "../../../shared/directory/normalizePhone.js";
import { PhoneNumber } from "../../../shared/schemas/directory.js";

type Row = [text: string, country: string | undefined, e164: string, extension?: string];

function expectReads([text, country, e164, extension]: Row) {
  const result = country === undefined ? normalizePhone(text) : normalizePhone(text, country);
  expect(result).toEqual(extension === undefined ? { e164 } : { e164, extension });
  // What comes out is a key the directory's PhoneNumber schema accepts.
  expect(PhoneNumber.parse({ raw: text, ...result })).toMatchObject({ e164 });
}

describe("normalizePhone: national formats, default country US", () => {
  const rows: Row[] = [
    ["(206) 555-0101", undefined, "+12065550101"],
    ["206-555-0101", undefined, "+12065550101"],
    ["206.555.0101", undefined, "+12065550101"],
    ["206 555 0101", undefined, "+12065550101"],
    ["2065550101", undefined, "+12065550101"],
    ["1 206 555 0101", undefined, "+12065550101"],
    ["1-206-555-0101", undefined, "+12065550101"],
    ["  (206) 555-0101  ", undefined, "+12065550101"],
    ["(206) 555-0101", "US", "+12065550101"],
    // A fictional 555-01xx number is "possible" though not "valid": it must still be read.
    ["(425) 555-0100", undefined, "+14255550100"],
  ];
  it.each(rows)("%s (%s) → %s", (...row) => expectReads(row));
});

describe("normalizePhone: national formats in other countries", () => {
  const rows: Row[] = [
    ["020 7946 0958", "GB", "+442079460958"],
    ["(020) 7946 0958", "GB", "+442079460958"],
    ["07700 900123", "GB", "+447700900123"],
    ["030 12345678", "DE", "+493012345678"],
    ["030/12345678", "DE", "+493012345678"],
    ["0049 30 12345678", "DE", "+493012345678"],
    ["00 44 20 7946 0958", "DE", "+442079460958"],
    ["011 44 20 7946 0958", "US", "+442079460958"],
  ];
  it.each(rows)("%s (%s) → %s", (...row) => expectReads(row));

  it("reads the same digits differently by the tenant's country", () => {
    expect(normalizePhone("030 12345678", "DE")?.e164).toBe("+493012345678");
    expect(normalizePhone("020 7946 0958", "GB")?.e164).toBe("+442079460958");
    // The same national UK number is not a possible US number.
    expect(normalizePhone("020 7946 0958", "US")).toBeUndefined();
  });
});

describe("normalizePhone: international input ignores the default country", () => {
  const rows: Row[] = [
    ["+1 206 555 0101", "GB", "+12065550101"],
    ["+12065550101", "DE", "+12065550101"],
    ["+44 20 7946 0958", "US", "+442079460958"],
    ["+44 (0)20 7946 0958", "US", "+442079460958"],
    ["+49 30 12345678", "US", "+493012345678"],
    ["+49 (30) 1234-5678", "GB", "+493012345678"],
    ["+1-206-555-0101", undefined, "+12065550101"],
  ];
  it.each(rows)("%s (%s) → %s", (...row) => expectReads(row));
});

describe("normalizePhone: tel: URIs (RFC 3966)", () => {
  const rows: Row[] = [
    ["tel:+14255550100", undefined, "+14255550100"],
    ["tel:+1-425-555-0100", undefined, "+14255550100"],
    ["TEL:+14255550100", undefined, "+14255550100"],
    ["tel:+44-20-7946-0958", "US", "+442079460958"],
    ["tel:+14255550100;ext=3", undefined, "+14255550100", "3"],
    ["tel:+1-425-555-0100;ext=204", "GB", "+14255550100", "204"],
    // A local number with its phone-context: the context, not the default country, gives the country.
    ["tel:2079460958;phone-context=+44", "US", "+442079460958"],
  ];
  it.each(rows)("%s (%s) → %s %s", (...row) => expectReads(row));
});

describe("normalizePhone: extensions are kept apart from the number", () => {
  const rows: Row[] = [
    ["(425) 555-0100 x12", undefined, "+14255550100", "12"],
    ["(425) 555-0100 X12", undefined, "+14255550100", "12"],
    ["(425) 555-0100 x 12", undefined, "+14255550100", "12"],
    ["425-555-0100 ext. 204", undefined, "+14255550100", "204"],
    ["425-555-0100 ext 204", undefined, "+14255550100", "204"],
    ["425.555.0100 ext.204", undefined, "+14255550100", "204"],
    ["425-555-0100 extension 7", undefined, "+14255550100", "7"],
    ["425-555-0100#33", undefined, "+14255550100", "33"],
    ["4255550100;ext=5", undefined, "+14255550100", "5"],
    ["+1 425 555 0100;EXT=5", undefined, "+14255550100", "5"],
    ["+44 20 7946 0958 ext. 204", "US", "+442079460958", "204"],
    ["030 12345678 x 12", "DE", "+493012345678", "12"],
  ];
  it.each(rows)("%s (%s) → %s ext %s", (...row) => expectReads(row));

  it("gives the main number and the number with an extension the same E.164 key", () => {
    const main = normalizePhone("+1 425 555 0100");
    const withExtension = normalizePhone("(425) 555-0100 ext. 204");
    expect(main).toEqual({ e164: "+14255550100" });
    expect(withExtension?.e164).toBe(main?.e164);
    expect(withExtension?.extension).toBe("204");
  });

  it("has no extension property at all when there is none", () => {
    expect(Object.keys(normalizePhone("(425) 555-0100") ?? {})).toEqual(["e164"]);
  });
});

describe("normalizePhone: text that is not a phone number", () => {
  const notNumbers: Array<[text: string, country?: string]> = [
    [""],
    ["   "],
    ["hello"],
    ["call me"],
    ["tel:"],
    ["+"],
    ["+1"],
    ["0"],
    ["12"],
    ["555"],
    ["x12"],
    ["ext. 204"],
    // Too short: a US number without its area code.
    ["555-0101"],
    // Text around the number is not stripped: a partner field must hold a number, not a sentence.
    ["abc 206 555 0101"],
    ["206 555 0101 call me back"],
    ["1-800-FLOWERS"],
    ["++1 206 555 0101"],
  ];
  it.each(notNumbers)("%j → undefined", (text, country) => {
    expect(normalizePhone(text, country)).toBeUndefined();
  });
});

describe("normalizePhone: numbers that are not possible", () => {
  const impossible: Array<[text: string, country?: string]> = [
    ["+1 206 555 010"], // one digit short
    ["+1 206 555 01011"], // one digit long
    ["206 555 0101 0101"],
    ["(206) 555-010"],
    ["+44 20 7946 0958 1234", "US"],
    ["020 7946 0958", "US"], // a UK national number read as American
    ["020 79", "GB"], // too short for the UK
    ["+999 1234567"], // no such country code
  ];
  it.each(impossible)("%j (%s) → undefined", (text, country) => {
    expect(normalizePhone(text, country)).toBeUndefined();
  });
});
