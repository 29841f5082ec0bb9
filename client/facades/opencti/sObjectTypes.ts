/**
 * Salesforce sObject types ↔ WebCTI record types. WebCTI's directory keeps `contact` and `account`
 * (Contact and Account); a tenant whose records live in its CRM page (`crm.records` = `host`) has the
 * CRM's own types, which take the standard objects' names in lower case (Lead → `lead`, Case → `case`)
 * and any other name, such as a custom object `Ticket__c`, unchanged.
 */
const standardObjects: ReadonlyArray<readonly [sObject: string, recordType: string]> = [
  ["Contact", "contact"],
  ["Account", "account"],
  ["Lead", "lead"],
  ["Case", "case"],
  ["Opportunity", "opportunity"],
  ["Task", "task"],
  ["Event", "event"],
  ["User", "user"],
];

/** The WebCTI record type of a Salesforce sObject type (its API name). */
export function toRecordType(sObjectType: string): string {
  return standardObjects.find(([sObject]) => sObject.toLowerCase() === sObjectType.toLowerCase())?.[1] ?? sObjectType;
}

/** The Salesforce sObject type (API name) of a WebCTI record type. */
export function toSObjectType(recordType: string): string {
  return standardObjects.find(([, type]) => type === recordType)?.[0] ?? recordType;
}

/**
 * Key prefixes of standard objects: the first three characters of a Salesforce record id name its
 * object, so a CRM that keeps Salesforce ids says what a bare `recordId` is.
 */
const keyPrefixes: Readonly<Record<string, string>> = {
  "001": "Account",
  "003": "Contact",
  "00Q": "Lead",
  "500": "Case",
  "006": "Opportunity",
  "00T": "Task",
  "00U": "Event",
  "005": "User",
};

/** The sObject type a Salesforce-shaped id (15 or 18 letters and digits) names by its prefix; undefined otherwise. */
export function sObjectTypeOfSalesforceId(id: string): string | undefined {
  if (!/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(id)) return undefined;
  return keyPrefixes[id.slice(0, 3)];
}

/** The prefill of a new contact or account form from Salesforce field values (Name, FirstName + LastName, Phone, Email). */
export function prefillOf(fields: Record<string, unknown> | undefined): { name?: string; phone?: string; email?: string } {
  if (!fields) return {};
  const text = (key: string) => (typeof fields[key] === "string" && (fields[key] as string).trim() ? (fields[key] as string).trim() : undefined);
  const name = text("Name") ?? ([text("FirstName"), text("LastName")].filter(Boolean).join(" ") || undefined);
  const phone = text("Phone") ?? text("MobilePhone");
  const email = text("Email");
  return { ...(name ? { name } : {}), ...(phone ? { phone } : {}), ...(email ? { email } : {}) };
}
