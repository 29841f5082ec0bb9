import type { CrmRecord, HostRecord, RecordFields } from "../../widget/index.js";
import { cifError } from "./cifError.js";

/**
 * WebCTI's records in the shape CIF widgets read and write: Dataverse attribute names of `contact` and
 * `account` (contactid / accountid, fullname / name, telephone1…, mobilephone, emailaddress1…, jobtitle,
 * description, the parent account). A record the CRM page's adapter answered (records kept in the CRM)
 * comes as `<type>id`, its name and the fields the CRM gave, unchanged.
 */
export type Attributes = Record<string, unknown>;

/** Phone attributes in the order WebCTI's phones fill them (a phone labelled "mobile" goes to mobilephone). */
export const phoneAttributes = ["telephone1", "telephone2", "telephone3", "address1_telephone1", "address1_telephone2"] as const;
export const emailAttributes = ["emailaddress1", "emailaddress2", "emailaddress3"] as const;
export const nameAttributes = ["fullname", "name", "firstname", "lastname"] as const;
export const directoryEntities = ["contact", "account"] as const;

export function isPhoneAttribute(name: string): boolean {
  return name === "mobilephone" || (phoneAttributes as readonly string[]).includes(name);
}
export function isEmailAttribute(name: string): boolean {
  return (emailAttributes as readonly string[]).includes(name);
}

export function toAttributes(entity: string, record: CrmRecord | HostRecord): Attributes {
  if (!("phones" in record)) {
    const host = record as HostRecord;
    return { [`${entity}id`]: host.id, ...(host.name ? { [entity === "contact" ? "fullname" : "name"]: host.name } : {}), ...(host.fields ?? {}) };
  }
  const attributes: Attributes = { [`${entity}id`]: record.id, [entity === "contact" ? "fullname" : "name"]: record.name };
  const slots = [...phoneAttributes];
  for (const phone of record.phones) {
    const slot = /mobile|cell/i.test(phone.label ?? "") && !attributes.mobilephone ? "mobilephone" : slots.shift();
    if (slot) attributes[slot] = phone.raw;
  }
  record.emails.slice(0, emailAttributes.length).forEach((email, n) => (attributes[emailAttributes[n]!] = email));
  if (record.title && entity === "contact") attributes.jobtitle = record.title;
  if (record.notes) attributes.description = record.notes;
  if (record.accountId && entity === "contact") attributes._parentcustomerid_value = record.accountId;
  return attributes;
}

/** `/accounts(acc-1)` or `accounts(acc-1)` (an @odata.bind value) → `{ set: "accounts", id: "acc-1" }`. */
export function parseBinding(value: unknown): { set: string; id: string } | undefined {
  const m = typeof value === "string" ? /^\/?([A-Za-z_]+)\(([^()]+)\)$/.exec(value.trim()) : null;
  return m ? { set: m[1]!.toLowerCase(), id: m[2]!.replace(/^'(.*)'$/, "$1") } : undefined;
}

const contactOnly = new Set(["firstname", "lastname", "fullname", "jobtitle", "parentcustomerid_account@odata.bind", "_parentcustomerid_value", "contactid"]);
const accountOnly = new Set(["name", "accountid"]);

/**
 * The WebCTI record fields for Dataverse attributes of a contact or an account (createRecord, and
 * updateRecord after merging with the stored record). An attribute WebCTI does not keep is refused by
 * name, not dropped; null clears an attribute.
 */
export function fromAttributes(apiName: string, entity: string, attributes: Attributes): RecordFields {
  const unknown = Object.keys(attributes).filter((key) => !knownAttribute(entity, key));
  if (unknown.length) {
    throw cifError(apiName, `${apiName}: WebCTI's ${entity} has no attribute ${unknown.join(", ")} (it keeps ${keptAttributes(entity)}).`, "invalid_argument");
  }
  const text = (key: string): string | undefined => {
    const value = attributes[key];
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") throw cifError(apiName, `${apiName}: attribute '${key}' must be a string.`, "invalid_argument");
    return value.trim();
  };
  const joinedName = [text("firstname"), text("lastname")].filter(Boolean).join(" ");
  const name = (entity === "contact" ? text("fullname") : text("name")) ?? joinedName;
  const phones = [
    ...phoneAttributes.map((key) => text(key)).filter((n): n is string => !!n).map((number) => ({ number })),
    ...(text("mobilephone") ? [{ number: text("mobilephone")!, label: "mobile" }] : []),
  ];
  const emails = emailAttributes.map((key) => text(key)).filter((e): e is string => !!e);
  const parent = parseBinding(attributes["parentcustomerid_account@odata.bind"])?.id ?? text("_parentcustomerid_value");
  return {
    name,
    phones,
    emails,
    ...(text("jobtitle") ? { title: text("jobtitle")! } : {}),
    ...(text("description") ? { notes: text("description")! } : {}),
    ...(parent ? { accountId: parent } : {}),
  };
}

function knownAttribute(entity: string, key: string): boolean {
  if (isPhoneAttribute(key) || isEmailAttribute(key) || key === "description") return true;
  return entity === "contact" ? contactOnly.has(key) : accountOnly.has(key);
}

function keptAttributes(entity: string): string {
  const own = entity === "contact" ? [...contactOnly].filter((k) => !k.startsWith("_") && k !== "contactid") : ["name"];
  return [...own, "mobilephone", ...phoneAttributes, ...emailAttributes, "description"].join(", ");
}

/** Only the attributes `$select` names (and the record's id, which Dataverse always returns). */
export function selectAttributes(entity: string, attributes: Attributes, select: string[] | undefined): Attributes {
  if (!select?.length) return attributes;
  const wanted = new Set([...select.map((s) => s.toLowerCase()), `${entity}id`]);
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => wanted.has(key.toLowerCase())));
}
