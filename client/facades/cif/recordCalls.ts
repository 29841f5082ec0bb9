import type { RecordRef } from "../../widget/index.js";
import { cifError } from "./cifError.js";
import { expectType, jsonObject } from "./checkArgs.js";
import { directoryEntities, fromAttributes, selectAttributes, toAttributes, type Attributes } from "./dataverseRecord.js";
import { lookupsOf, matchesFilter } from "./matchFilter.js";
import { parseQueryOptions, type QueryOptions } from "./odataQuery.js";
import { activityChangeFromPhonecall, activityFromPhonecall, phonecallAttributes } from "./phonecall.js";
import { hasCapability, type ActivityChange, type CifHost, type Run } from "./cifHost.js";

/** At most this many records are read for one search (each match is read to give its attributes). */
export const searchLimit = 50;

/**
 * CIF's record calls on WebCTI's records: contacts and accounts (the directory, or the CRM page's adapter
 * when the tenant keeps its records in the CRM), and phonecall activities on a record's timeline.
 */
export function recordCalls(run: Run) {
  return {
    searchAndOpenRecords: (entityName: unknown, queryParameters: unknown, searchOnly: unknown, fourth?: unknown, fifth?: unknown) =>
      run("searchAndOpenRecords", () => {
        const api = "searchAndOpenRecords";
        checkSearchArguments(entityName, queryParameters, searchOnly, fourth, fifth);
        const entity = directoryEntity(api, entityName);
        const options = queryOptions(api, queryParameters as string);
        return (host) => searchAndOpen(host, entity, options, searchOnly as boolean);
      }),
    renderSearchPage: (entityName: unknown, searchString: unknown, searchType?: unknown) =>
      run("renderSearchPage", () => {
        directoryEntity("renderSearchPage", entityName);
        expectType("renderSearchPage", "searchString", searchString, "string");
        expectType("renderSearchPage", "searchType", searchType, "number", true);
        return async (host) => void (await host.openSearch((searchString as string).trim()));
      }),
    openForm: (entityFormOptions: unknown, formParameters?: unknown) =>
      run("openForm", () => {
        const options = jsonObject("openForm", "entityFormOptions", entityFormOptions);
        const parameters = jsonObject("openForm", "formParameters", formParameters, true);
        const entity = directoryEntity("openForm", options.entityName);
        const id = options.entityId;
        if (id !== undefined) expectType("openForm", "entityFormOptions.entityId", id, "string");
        return async (host) => {
          if (typeof id === "string") await host.openRecord({ type: entity, id: id.replace(/[{}]/g, "") });
          else await host.openNewRecord(entity, prefillOf(parameters));
          return JSON.stringify({ entityName: entity, ...(typeof id === "string" ? { entityId: id } : {}) });
        };
      }),
    createRecord: (entityName: unknown, data: unknown) =>
      run("createRecord", () => {
        expectType("createRecord", "entityLogicalName", entityName, "string");
        const attributes = jsonObject("createRecord", "data", data);
        if (entityName === "phonecall") {
          const activity = activityFromPhonecall("createRecord", attributes);
          return async (host) => JSON.stringify(phonecallAttributes(await host.logActivity(activity)));
        }
        const entity = directoryEntity("createRecord", entityName, "contact, account or phonecall");
        const fields = fromAttributes("createRecord", entity, attributes);
        return async (host) => {
          const created = toAttributes(entity, await host.createRecord(entity, fields));
          return JSON.stringify({ id: created[`${entity}id`], ...created });
        };
      }),
    retrieveRecord: (entityName: unknown, id: unknown, options?: unknown) =>
      run("retrieveRecord", () => {
        const entity = directoryEntity("retrieveRecord", entityName);
        expectType("retrieveRecord", "id", id, "string");
        expectType("retrieveRecord", "options", options, "string", true);
        const select = options ? queryOptions("retrieveRecord", options as string).select : undefined;
        return async (host) => JSON.stringify(selectAttributes(entity, toAttributes(entity, await host.getRecord(ref(entity, id))), select));
      }),
    updateRecord: (entityName: unknown, id: unknown, data: unknown) =>
      run("updateRecord", () => {
        expectType("updateRecord", "entityLogicalName", entityName, "string");
        expectType("updateRecord", "id", id, "string");
        const changes = jsonObject("updateRecord", "data", data);
        if (entityName === "phonecall") return updatePhonecall(activityChangeFromPhonecall("updateRecord", id as string, changes));
        const entity = directoryEntity("updateRecord", entityName, "contact, account or phonecall");
        fromAttributes("updateRecord", entity, changes); // refuses unknown attributes before anything is read
        return async (host) => {
          // WebCTI stores a record's phones and e-mails as lists: merge the change into the stored record.
          const stored = toAttributes(entity, await host.getRecord(ref(entity, id)));
          const updated = await host.updateRecord(ref(entity, id), fromAttributes("updateRecord", entity, { ...stored, ...changes }));
          return JSON.stringify({ id, ...toAttributes(entity, updated) });
        };
      }),
    deleteRecord: (entityName: unknown, id: unknown) =>
      run("deleteRecord", () => {
        const entity = directoryEntity("deleteRecord", entityName);
        expectType("deleteRecord", "id", id, "string");
        return async (host) => {
          await host.deleteRecord(ref(entity, id));
          return JSON.stringify({ [`${entity}id`]: id });
        };
      }),
  };
}

/** A logged call changes through the host's updateActivity (protocol capability activities.update), when it has it. */
function updatePhonecall(change: ActivityChange) {
  return async (host: CifHost) => {
    if (!hasCapability(host, "activities.update", "updateActivity")) {
      throw cifError("updateRecord", "updateRecord: this WebCTI host cannot change a logged call (it lacks activities.update).", "not_supported");
    }
    return JSON.stringify(phonecallAttributes(await host.updateActivity!(change)));
  };
}

const ref = (type: string, id: unknown): RecordRef => ({ type, id: String(id).replace(/[{}]/g, "") });

/** `contact` or `account`; anything else is refused (WebCTI keeps no other entity). */
export function directoryEntity(apiName: string, entityName: unknown, kept = "contact and account"): "contact" | "account" {
  expectType(apiName, "entityLogicalName", entityName, "string");
  const entity = (entityName as string).trim().toLowerCase();
  if ((directoryEntities as readonly string[]).includes(entity)) return entity as "contact" | "account";
  throw cifError(apiName, `${apiName}: WebCTI has no entity '${String(entityName)}' (it keeps ${kept}).`, "invalid_argument");
}

/**
 * searchAndOpenRecords(entityLogicalName, queryParameters, searchOnly, correlationId?, searchType?) as CIF
 * 2.0 documents it; CIF 1.0's searchAndOpenRecords(entityLogicalName, queryParameters, searchOnly,
 * searchType?) is read too (a number in fourth place is the search type).
 */
export function checkSearchArguments(entityName: unknown, queryParameters: unknown, searchOnly: unknown, fourth?: unknown, fifth?: unknown): void {
  const api = "searchAndOpenRecords";
  expectType(api, "entityLogicalName", entityName, "string");
  expectType(api, "queryParameters", queryParameters, "string");
  expectType(api, "searchOnly", searchOnly, "boolean");
  if (typeof fourth === "number") expectType(api, "searchType", fourth, "number");
  else expectType(api, "correlationId", fourth, "string", true);
  expectType(api, "searchType", fifth, "number", true);
}

export function queryOptions(apiName: string, query: string): QueryOptions {
  try {
    return parseQueryOptions(query);
  } catch (error) {
    throw cifError(apiName, `${apiName}: ${(error as Error).message}`, "invalid_argument");
  }
}

/**
 * Finds the records: each phone number and e-mail address the filter compares (or `$search` when it reads
 * as one) is looked up; the matches of the entity are read and kept when the whole filter holds; `$top`
 * and `$select` apply. Then, unless searchOnly: one record found (and no `$search`) opens it; otherwise
 * the desktop's search page opens with the `$search` term, or the number or address searched (an empty
 * search page when nothing matched, as CIF opens one). A query with neither a number, an address nor a
 * `$search` term cannot be searched in WebCTI, and is refused.
 */
async function searchAndOpen(host: CifHost, entity: string, options: QueryOptions, searchOnly: boolean): Promise<string> {
  const { phones, emails, names } = lookupsOf(options.filter);
  const term = options.search?.trim();
  if (term && /@/.test(term)) emails.push(term);
  else if (term && /\d{3}/.test(term)) phones.push(term);
  if (!phones.length && !emails.length && !(term && !searchOnly)) {
    const what = names.length ? `names (${names.join(", ")})` : "this query";
    throw cifError("searchAndOpenRecords", `searchAndOpenRecords: WebCTI searches records by phone number or e-mail address, not by ${what}.`, "invalid_argument");
  }
  const found = new Map<string, RecordRef>();
  for (const query of [...phones.map((phone) => ({ phone })), ...emails.map((email) => ({ email }))]) {
    for (const match of await host.searchRecords(query)) if (match.type === entity) found.set(match.id, match);
  }
  const records: Attributes[] = [];
  for (const match of [...found.values()].slice(0, searchLimit)) {
    const attributes = toAttributes(entity, await host.getRecord({ type: entity, id: match.id }));
    if (matchesFilter(options.filter, attributes)) records.push(attributes);
  }
  const result = records.slice(0, options.top ?? records.length);
  if (!searchOnly) {
    if (result.length === 1 && !term) await host.openRecord({ type: entity, id: String(result[0]![`${entity}id`]) });
    else await host.openSearch(term ?? phones[0] ?? emails[0]!);
  }
  return JSON.stringify(result.map((attributes) => selectAttributes(entity, attributes, options.select)));
}

/** openForm's formParameters as the prefill of a new-record form (name, phone, e-mail). */
function prefillOf(parameters: Record<string, unknown>): { name?: string; phone?: string; email?: string } {
  const text = (key: string) => (typeof parameters[key] === "string" && (parameters[key] as string).trim() ? (parameters[key] as string).trim() : undefined);
  const name = text("fullname") ?? text("name") ?? ([text("firstname"), text("lastname")].filter(Boolean).join(" ") || undefined);
  const phone = text("telephone1") ?? text("mobilephone") ?? text("phonenumber");
  const email = text("emailaddress1");
  return { ...(name ? { name } : {}), ...(phone ? { phone } : {}), ...(email ? { email } : {}) };
}
