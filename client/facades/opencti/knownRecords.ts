import type { RecordRef, WebCtiHost } from "../../widget/index.js";
import { failWith } from "./openCtiResponse.js";
import { sObjectTypeOfSalesforceId, toRecordType, toSObjectType } from "./sObjectTypes.js";

/**
 * Open CTI names a record by its id alone (`screenPop({ type: SOBJECT, params: { recordId } })`, a Task's
 * `WhoId`); Salesforce ids carry their object in their prefix, WebCTI's do not (`c-alice`). The façade
 * remembers the type of every record it has seen (search results, clicks, navigation) and, for an id it
 * has not seen, reads the prefix of a Salesforce-shaped id, then asks WebCTI's directory for a contact,
 * then an account, with that id.
 */
export interface KnownRecords {
  remember(record: RecordRef | undefined): void;
  resolve(host: Pick<WebCtiHost, "getRecord">, id: string, parameter: string): Promise<RecordRef>;
}

/** What Open CTI says of a record: its id, name and sObject type. */
export function describeRecord(record: RecordRef | undefined): { recordId?: string; recordName?: string; objectType?: string } {
  if (!record) return {};
  return { recordId: record.id, recordName: record.name ?? "", objectType: toSObjectType(record.type) };
}

export function createKnownRecords(): KnownRecords {
  const seen = new Map<string, RecordRef>();
  return {
    remember(record) {
      if (record && typeof record.id === "string" && typeof record.type === "string") seen.set(record.id, record);
    },
    async resolve(host, id, parameter) {
      const known = seen.get(id);
      if (known) return known;
      const byPrefix = sObjectTypeOfSalesforceId(id);
      if (byPrefix) return { type: toRecordType(byPrefix), id };
      for (const type of ["contact", "account"]) {
        try {
          const record = await host.getRecord({ type, id });
          const found = { type, id, ...(record.name ? { name: record.name } : {}) };
          seen.set(id, found);
          return found;
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          if (code !== "not_found" && code !== "invalid_argument" && code !== "not_supported") throw error;
        }
      }
      return failWith("INVALID_PARAM", `An invalid value was passed to the parameter ${parameter}: no record has the id ${id}.`, { parameter });
    },
  };
}
