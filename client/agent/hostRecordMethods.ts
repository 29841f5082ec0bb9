import { idPattern } from "../../shared/schemas/patterns.js";
import type { HostMethods, HostRecord, LoggedActivity, RecordRef } from "../protocol.js";
import { withinAdapterTimeout, type CrmRecord, type CrmRecordRef } from "./crmAdapter.js";
import { openResolvedTarget } from "./openResolvedTarget.js";
import { searchCrm } from "./resolveLookupPop.js";
import { popTargetFor } from "../../shared/screenPop/decideScreenPop.js";
import type { HostedPanel, WidgetHostServices } from "./widgetHostMethods.js";
import { fail } from "./widgetCallError.js";

type Implementation = {
  [K in keyof HostMethods]: (request: Parameters<HostMethods[K]>[0]) => ReturnType<HostMethods[K]>;
};
export type HostRecordMethodName = "openRecord" | "openSearch" | "searchRecords" | "screenPop" | "createRecord" | "getRecord" | "updateRecord" | "deleteRecord" | "logActivity";

/**
 * The widget's record calls when the tenant's records live in the CRM (`crm.records` = `host`): each goes
 * to the page's adapter (crmAdapter.ts), a method the page lacks fails `not_supported`. Record types and
 * ids are the CRM's: any id-shaped string.
 */
export function hostRecordMethods(panel: HostedPanel, { adapter, onActivityLogged }: WidgetHostServices): Pick<Implementation, HostRecordMethodName> {
  return {
    async openRecord(request) {
      const { type, id } = recordRef(request.record);
      await adapter.openRecord({ type, id, name: request.record.name ?? id });
      return { opened: true as const };
    },
    async openSearch(request) {
      if (typeof request.query !== "string" || !request.query.trim()) fail("invalid_argument", "query must be a non-empty string.");
      if (!adapter.search) unsupported("openSearch", "search");
      const results = await searchCrm(adapter, request.query.includes("@") ? { email: request.query } : { phone: request.query });
      await adapter.openSearch({ query: request.query, results });
      return { opened: true as const };
    },
    async searchRecords(request) {
      if (!request.phone && !request.email) fail("invalid_argument", "Give phone or email.");
      if (!adapter.search) unsupported("searchRecords", "search");
      return { matches: await searchCrm(adapter, { ...(request.phone ? { phone: request.phone } : {}), ...(request.email ? { email: request.email } : {}) }) };
    },
    async screenPop(request) {
      if (!request.phone && !request.email) fail("invalid_argument", "Give phone or email.");
      if (!adapter.search) unsupported("screenPop", "search");
      const customer = { ...(request.phone ? { phone: request.phone } : {}), ...(request.email ? { email: request.email } : {}), ...(request.name ? { name: request.name } : {}) };
      const matches = await searchCrm(adapter, customer);
      if (request.searchOnly) return { matches, opened: null };
      const target = popTargetFor({ policy: panel.config.screenPopPolicy, customer, matches });
      return { matches, opened: await openResolvedTarget(adapter, target, request.phone ?? request.email ?? "") };
    },
    async createRecord(request) {
      if (!adapter.createRecord) unsupported("createRecord");
      const type = recordType(request.recordType);
      if (adapter.recordTypes && !adapter.recordTypes.includes(type)) {
        fail("invalid_argument", `recordType must be one of ${adapter.recordTypes.join(", ")}.`, { allowed: [...adapter.recordTypes] });
      }
      return toHostRecord(await withinAdapterTimeout("createRecord", adapter.createRecord(type, fieldsOf(request.fields))));
    },
    async getRecord(request) {
      if (!adapter.getRecord) unsupported("getRecord");
      const ref = recordRef(request.record);
      return toHostRecord((await withinAdapterTimeout("getRecord", adapter.getRecord(ref))) ?? fail("not_found", `No ${ref.type} ${ref.id} in the CRM.`));
    },
    async updateRecord(request) {
      if (!adapter.updateRecord) unsupported("updateRecord");
      return toHostRecord(await withinAdapterTimeout("updateRecord", adapter.updateRecord(recordRef(request.record), fieldsOf(request.fields))));
    },
    async deleteRecord(request) {
      if (!adapter.deleteRecord) unsupported("deleteRecord");
      await withinAdapterTimeout("deleteRecord", adapter.deleteRecord(recordRef(request.record)));
      return { deleted: true as const };
    },
    async logActivity(request) {
      if (!adapter.logActivity) unsupported("logActivity");
      const { correlationId: _ignored, record: given, activityId, channel, direction, ...fields } = request;
      const record = recordRef(given ?? panel.pageContext().record ?? fail("invalid_argument", "Give record: the agent has no record open."));
      const { agentId } = panel.environment();
      const activity = { ...fields, ...(activityId ? { activityId } : {}), providerId: panel.providerId, agentId, channel: channel ?? "voice", direction: direction ?? "inbound", record };
      const { id } = await withinAdapterTimeout("logActivity", adapter.logActivity(activity));
      const logged: LoggedActivity = { ...activity, activityId: String(id), createdAt: new Date().toISOString() };
      onActivityLogged(logged);
      return logged;
    },
  };
}

function unsupported(call: string, method = call): never {
  return fail("not_supported", `The CRM page does not support ${call} (its adapter has no ${method}()).`);
}

function recordType(type: unknown): string {
  if (typeof type !== "string" || !idPattern.test(type)) fail("invalid_argument", "recordType must be a record type: letters, digits and . _ : @ + -.");
  return type;
}

function recordRef(record: RecordRef | undefined): CrmRecordRef {
  if (!record || typeof record.id !== "string" || !idPattern.test(record.id)) fail("invalid_argument", "record must be { type, id } with the CRM's type and id.");
  return { type: recordType(record.type), id: record.id };
}

function fieldsOf(fields: unknown): Record<string, unknown> {
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) fail("invalid_argument", "fields must be an object.");
  return fields as Record<string, unknown>;
}

/** What crosses to the widget: plain data only (an adapter's record may be a class instance). */
function toHostRecord(record: CrmRecord): HostRecord {
  if (typeof record?.type !== "string" || typeof record.id !== "string") throw new TypeError("The CRM adapter answered a record without type and id.");
  return JSON.parse(JSON.stringify({ type: record.type, id: record.id, name: record.name, fields: record.fields })) as HostRecord;
}
