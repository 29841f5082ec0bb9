import { describe, expect, it } from "vitest";
import { parseFilter, parseQueryOptions } from "../../../client/facades/cif/odataQuery.js";
import { lookupsOf, matchesFilter, samePhone } from "../../../client/facades/cif/matchFilter.js";

/** The OData query options of CIF's searchAndOpenRecords / retrieveRecord, as the CIF façade reads them. */
describe("parseQueryOptions", () => {
  it.each([
    ["?$select=fullname,telephone1", { select: ["fullname", "telephone1"] }],
    ["$filter=statecode eq 0&$select=description&$top=10", { filter: { kind: "compare", attribute: "statecode", op: "eq", value: 0 }, select: ["description"], top: 10 }],
    ["?$select=fullname&$search=Contoso", { select: ["fullname"], search: "Contoso" }],
    ['?$search="+1 206 555 0101"', { search: "+1 206 555 0101" }],
    ["?$filter=telephone1%20eq%20'206-555-0101'", { filter: { kind: "compare", attribute: "telephone1", op: "eq", value: "206-555-0101" } }],
    ["?$filter=name eq 'A & B'&$top=1", { filter: { kind: "compare", attribute: "name", op: "eq", value: "A & B" }, top: 1 }],
    ["?$select=name&$expand=primarycontactid($select=contactid,fullname)", { select: ["name"] }],
    ["", {}],
  ])("%s", (query, expected) => {
    expect(parseQueryOptions(query)).toEqual(expected);
  });

  it.each([
    ["?$top=0", "$top must be a positive whole number"],
    ["?$top=ten", "$top must be a positive whole number"],
    ["?$skip=5", "Unknown query option '$skip'"],
    ["?$filter=", "$filter is empty"],
  ])("refuses %s", (query, message) => {
    expect(() => parseQueryOptions(query)).toThrow(message);
  });
});

describe("parseFilter", () => {
  it("reads and / or with parentheses, functions, quotes and literals", () => {
    expect(parseFilter("(telephone1 eq '555' or mobilephone eq '555') and contains(fullname,'O''Brien') and donotphone eq false")).toEqual({
      kind: "and",
      items: [
        {
          kind: "or",
          items: [
            { kind: "compare", attribute: "telephone1", op: "eq", value: "555" },
            { kind: "compare", attribute: "mobilephone", op: "eq", value: "555" },
          ],
        },
        { kind: "function", fn: "contains", attribute: "fullname", value: "O'Brien" },
        { kind: "compare", attribute: "donotphone", op: "eq", value: false },
      ],
    });
    // Dataverse attribute names are lower case; the filter's are read so.
    expect(parseFilter("EmailAddress1 ne null")).toEqual({ kind: "compare", attribute: "emailaddress1", op: "ne", value: null });
  });

  it.each([
    ["telephone1 gt '5'", "the operator 'gt' is not supported"],
    ["substringof('5', telephone1)", "the function 'substringof' is not supported"],
    ["telephone1 eq", "expected a value at the end"],
    ["telephone1 eq '5' telephone2 eq '6'", "expected 'and', 'or' or the end at 'telephone2'"],
    ["(telephone1 eq '5'", "expected ')' at the end"],
    ["telephone1 eq '5", "cannot read"],
  ])("refuses %s", (filter, message) => {
    expect(() => parseFilter(filter)).toThrow(message);
  });
});

describe("lookupsOf", () => {
  it("collects the numbers and addresses compared with eq, and the names", () => {
    const filter = parseFilter("(telephone1 eq '206-555-0101' or mobilephone eq '206-555-0101' or emailaddress1 eq 'a@example.com') and fullname eq 'Alice'");
    expect(lookupsOf(filter)).toEqual({ phones: ["206-555-0101"], emails: ["a@example.com"], names: ["Alice"] });
    expect(lookupsOf(parseFilter("telephone1 ne '5' and statecode eq 0"))).toEqual({ phones: [], emails: [], names: [] });
    expect(lookupsOf(undefined)).toEqual({ phones: [], emails: [], names: [] });
  });
});

describe("matchesFilter", () => {
  const alice = { contactid: "c-alice", fullname: "Alice Johnson", telephone1: "(206) 555-0101", emailaddress1: "alice@example.com" };
  it.each([
    ["telephone1 eq '+1 206 555 0101'", true],
    ["telephone1 eq '555-0101'", true], // seven digits that end the number: a local number
    ["telephone1 eq '0101'", false], // too few digits to say
    ["mobilephone eq '+1 206 555 0101'", false], // Alice has no mobile number
    ["telephone1 eq '+1 206 555 0101' and fullname eq 'alice johnson'", true],
    ["telephone1 eq '+1 206 555 0101' and fullname eq 'Bob Smith'", false],
    ["startswith(fullname,'ali') and endswith(emailaddress1,'example.com')", true],
    ["contains(fullname,'smith') or emailaddress1 eq 'ALICE@example.com'", true],
    ["statecode eq 0", true], // an attribute WebCTI keeps no value for is not evaluated
    ["jobtitle eq 'Buyer'", false], // an attribute WebCTI keeps, empty here
    ["jobtitle ne 'Buyer'", true],
  ])("%s → %s", (filter, expected) => {
    expect(matchesFilter(parseFilter(filter), alice)).toBe(expected);
  });

  it("compares phone numbers by their digits", () => {
    expect(samePhone("+12065550101", "206 555 0101")).toBe(true);
    expect(samePhone("+12065550101", "0101")).toBe(false);
    expect(samePhone("+12065550101", "+12065550102")).toBe(false);
    expect(samePhone("", "")).toBe(false);
  });
});
