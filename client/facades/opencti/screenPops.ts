import type { RecordRef, WebCtiHost } from "../../widget/index.js";
import { failWith, invalidParam } from "./openCtiResponse.js";
import { oneOf, optionalBoolean, optionalObject, optionalString, requiredObject, requiredString, type Args } from "./checkArguments.js";
import type { KnownRecords } from "./knownRecords.js";
import { prefillOf, toRecordType, toSObjectType } from "./sObjectTypes.js";

/** `sforce.opencti.SCREENPOP_TYPE`: the values Open CTI's constants hold. */
export const SCREENPOP_TYPE = Object.freeze({
  SOBJECT: "sobject",
  URL: "url",
  OBJECTHOME: "objecthome",
  LIST: "list",
  SEARCH: "search",
  NEW_RECORD_MODAL: "newrecordmodal",
  FLOW: "flow",
} as const);
type ScreenPopType = (typeof SCREENPOP_TYPE)[keyof typeof SCREENPOP_TYPE];

/** `sforce.opencti.CALL_TYPE`. */
export const CALL_TYPE = Object.freeze({ INBOUND: "inbound", OUTBOUND: "outbound", INTERNAL: "internal" } as const);
type CallType = (typeof CALL_TYPE)[keyof typeof CALL_TYPE];

export interface ScreenPopContext {
  records: KnownRecords;
  /** Opens a URL pop (the desktop cannot be navigated from the widget's frame: a new browser tab). */
  openUrl(url: string): void;
}

/** A screen pop, checked: what `screenPop` will do. */
export type ScreenPopPlan =
  | { type: "sobject"; recordId: string }
  | { type: "url"; url: string }
  | { type: "search"; searchString: string }
  | { type: "newrecordmodal"; recordType: "contact" | "account"; prefill: ReturnType<typeof prefillOf> };

/** Checks screenPop's arguments (before any host call): INVALID_PARAM, or GENERIC_ERROR for a type WebCTI cannot pop. */
export function planScreenPop(args: Args): ScreenPopPlan {
  const type = oneOf<ScreenPopType>(args, "type", Object.values(SCREENPOP_TYPE), SCREENPOP_TYPE);
  const params = requiredObject(args, "params");
  switch (type) {
    case "sobject":
      return { type, recordId: requiredString(params, "recordId", "params.recordId") };
    case "url": {
      const url = requiredString(params, "url", "params.url");
      if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^https?:/i.test(url)) invalidParam("params.url", "A relative path or an http(s) URL", url);
      return { type, url };
    }
    case "search": {
      const searchString = requiredString(params, "searchString", "params.searchString");
      if (searchString.trim().length < 3) invalidParam("params.searchString", "A string of at least 3 characters", searchString);
      return { type, searchString: searchString.trim() };
    }
    case "newrecordmodal": {
      const entityName = requiredString(params, "entityName", "params.entityName");
      const recordType = toRecordType(entityName);
      if (recordType !== "contact" && recordType !== "account") {
        failWith("INVALID_PARAM", `An invalid value was passed to the parameter params.entityName: WebCTI opens new-record forms for Contact and Account, not ${entityName}.`, {
          parameter: "params.entityName",
        });
      }
      // Top-level as the documentation has it; inside params as some softphones pass it.
      const values = optionalObject(args, "defaultFieldValues") ?? optionalObject(params, "defaultFieldValues", "params.defaultFieldValues");
      return { type, recordType, prefill: prefillOf(values) };
    }
    default:
      return failWith("GENERIC_ERROR", `WebCTI cannot pop ${type}: the agent desktop has no object homes, list views or flows.`);
  }
}

export async function runScreenPop(host: WebCtiHost, plan: ScreenPopPlan, context: ScreenPopContext): Promise<null> {
  switch (plan.type) {
    case "sobject": {
      const record = await context.records.resolve(host, plan.recordId, "params.recordId");
      await host.openRecord(record);
      return null;
    }
    case "url": {
      // Relative to the agent desktop's page, as Open CTI's URLs are relative to the Salesforce org.
      const page = (await host.getEnvironment()).page.url;
      context.openUrl(new URL(plan.url, page).href);
      return null;
    }
    case "search":
      await host.openSearch(plan.searchString);
      return null;
    case "newrecordmodal":
      await host.openNewRecord(plan.recordType, plan.prefill);
      return null;
  }
}

export interface SearchPlan {
  searchParams: string;
  callType: CallType;
  deferred: boolean;
  defaultFieldValues: Args | undefined;
}

export function planSearch(args: Args): SearchPlan {
  const searchParams = requiredString(args, "searchParams");
  optionalString(args, "queryParams");
  return {
    searchParams: searchParams.trim(),
    callType: oneOf<CallType>(args, "callType", Object.values(CALL_TYPE), CALL_TYPE),
    deferred: optionalBoolean(args, "deferred") ?? false,
    defaultFieldValues: optionalObject(args, "defaultFieldValues"),
  };
}

/**
 * Looks the caller up (by phone number, or email address when searchParams has an @) and, for an
 * inbound call not deferred, opens what the provider's screen-pop policy says (WebCTI's stand-in for
 * the softphone layout's pop settings). Answers the matches keyed by id; deferred, also SCREEN_POP_DATA
 * for a later screenPop.
 */
export async function runSearch(host: WebCtiHost, plan: SearchPlan, context: ScreenPopContext): Promise<Record<string, unknown>> {
  const byEmail = plan.searchParams.includes("@");
  const prefill = prefillOf(plan.defaultFieldValues);
  const { matches } = await host.screenPop({
    ...(byEmail ? { email: plan.searchParams } : { phone: plan.searchParams }),
    ...(prefill.name ? { name: prefill.name } : {}),
    searchOnly: plan.deferred || plan.callType !== "inbound",
  });
  const result: Record<string, unknown> = {};
  for (const match of matches) {
    context.records.remember(match);
    result[match.id] = { Id: match.id, Name: match.name ?? match.id, RecordType: toSObjectType(match.type) };
  }
  if (plan.deferred) result.SCREEN_POP_DATA = screenPopDataFor(matches, plan, byEmail);
  return result;
}

function screenPopDataFor(matches: RecordRef[], plan: SearchPlan, byEmail: boolean) {
  if (matches.length === 1) return { type: SCREENPOP_TYPE.SOBJECT, params: { recordId: matches[0]!.id } };
  if (matches.length > 1) return { type: SCREENPOP_TYPE.SEARCH, params: { searchString: plan.searchParams } };
  const defaultFieldValues = { ...(byEmail ? { Email: plan.searchParams } : { Phone: plan.searchParams }), ...(plan.defaultFieldValues ?? {}) };
  return { type: SCREENPOP_TYPE.NEW_RECORD_MODAL, params: { entityName: "Contact" }, defaultFieldValues };
}
