import type { FilterNode } from "./odataQuery.js";
import { isEmailAttribute, isPhoneAttribute, nameAttributes, type Attributes } from "./dataverseRecord.js";

/**
 * What WebCTI can search by in a `$filter`: the phone numbers and e-mail addresses compared with `eq` on
 * phone attributes (telephone1…, mobilephone) and e-mail attributes (emailaddress1…), anywhere in the
 * filter. WebCTI's search finds records by these; the whole filter then decides which of them match
 * (matchesFilter). Names alone cannot be searched: they only narrow what the numbers and addresses found.
 */
export interface FilterLookups {
  phones: string[];
  emails: string[];
  names: string[];
}

export function lookupsOf(filter: FilterNode | undefined): FilterLookups {
  const found: FilterLookups = { phones: [], emails: [], names: [] };
  const add = (list: string[], value: string) => void (list.includes(value) ? undefined : list.push(value));
  const walk = (node: FilterNode) => {
    if (node.kind === "and" || node.kind === "or") return node.items.forEach(walk);
    if (typeof node.value !== "string" || !node.value.trim()) return;
    const value = node.value.trim();
    if (node.kind === "compare" && node.op === "eq" && isPhoneAttribute(node.attribute)) add(found.phones, value);
    else if (node.kind === "compare" && node.op === "eq" && isEmailAttribute(node.attribute)) add(found.emails, value);
    else if ((nameAttributes as readonly string[]).includes(node.attribute)) add(found.names, value);
  };
  if (filter) walk(filter);
  return found;
}

const digits = (value: string) => value.replace(/\D/g, "");

/** Two phone numbers are the same when their digits are, or one's end with the other's (7 digits or more: a country code left out). */
export function samePhone(a: string, b: string): boolean {
  const [x, y] = [digits(a), digits(b)];
  if (!x || !y) return false;
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  return short === long || (short.length >= 7 && long.endsWith(short));
}

/**
 * Whether a record's attributes satisfy the filter. A comparison on an attribute the record does not
 * have (WebCTI keeps no such field: statecode, createdon…) is not evaluated and counts as satisfied;
 * phone attributes compare as numbers (samePhone), everything else as text without regard to case.
 */
export function matchesFilter(filter: FilterNode | undefined, attributes: Attributes): boolean {
  if (!filter) return true;
  if (filter.kind === "and") return filter.items.every((item) => matchesFilter(item, attributes));
  if (filter.kind === "or") return filter.items.some((item) => matchesFilter(item, attributes));
  const key = Object.keys(attributes).find((k) => k.toLowerCase() === filter.attribute);
  if (key === undefined) return filter.kind === "function" || filter.op === "eq" ? !knownToWebCti(filter.attribute) : true;
  const actual = attributes[key];
  if (filter.kind === "function") {
    const [text, part] = [String(actual ?? "").toLowerCase(), filter.value.toLowerCase()];
    return filter.fn === "contains" ? text.includes(part) : filter.fn === "startswith" ? text.startsWith(part) : text.endsWith(part);
  }
  const equal =
    isPhoneAttribute(filter.attribute) && typeof filter.value === "string"
      ? samePhone(String(actual ?? ""), filter.value)
      : typeof actual === "string" && typeof filter.value === "string"
        ? actual.toLowerCase() === filter.value.toLowerCase()
        : actual === filter.value;
  return filter.op === "eq" ? equal : !equal;
}

/** An attribute WebCTI's records can have: a record without it has it empty (so `eq` fails), not unknown. */
function knownToWebCti(attribute: string): boolean {
  return isPhoneAttribute(attribute) || isEmailAttribute(attribute) || ["fullname", "name", "jobtitle", "description"].includes(attribute);
}
