import { describe, expect, it } from "vitest";
import { resolveLookupPop } from "../../../client/agent/resolveLookupPop.js";
import { withinAdapterTimeout, type CrmActivity, type CrmRecord } from "../../../client/agent/crmAdapter.js";
import { createWidgetHostMethods, type HostedPanel } from "../../../client/agent/widgetHostMethods.js";
import { AgentApi, type PanelConfigView } from "../../../client/agent/agentApi.js";
import type { AgentAdapter } from "../../../client/agent/agentClient.js";
import type { PopTarget } from "../../../shared/schemas/screenPop.js";

type Lookup = Extract<PopTarget, { kind: "lookup" }>;
const policy = { onOneMatch: "record", onManyMatches: "search", onNoMatch: "newRecord" } as const;

/** A CRM page's own records, in memory, as a CRM's adapter would serve them. */
function crm(records: CrmRecord[] = []) {
  const opened: unknown[] = [];
  const logged: CrmActivity[] = [];
  const adapter: AgentAdapter = {
    openRecord: (record) => void opened.push({ record }),
    openSearch: (search) => void opened.push({ search }),
    openNewRecord: (form) => void opened.push({ form }),
    async search(query) {
      return records.filter((r) => (query.phone && r.fields?.phone === query.phone) || (query.email && r.fields?.email === query.email));
    },
    async getRecord(ref) {
      return records.find((r) => r.type === ref.type && r.id === ref.id);
    },
    async createRecord(type, fields) {
      const record = { type, id: `${type}-${records.length + 1}`, name: String(fields.name), fields };
      records.push(record);
      return record;
    },
    async logActivity(activity) {
      logged.push(activity);
      return { id: `act-${logged.length}` };
    },
    recordTypes: ["contact", "lead"],
  };
  return { adapter, opened, logged, records };
}

const lead = { type: "lead", id: "L-7", name: "Ada Lovelace", fields: { phone: "+12065550101", email: "ada@example.com" } };
const caseRecord = { type: "case", id: "CASE-1", fields: { phone: "+12065550150" } };
const contact = { type: "contact", id: "C-2", name: "Bob", fields: { phone: "+12065550150" } };

describe("a lookup pop resolved through the CRM page's adapter", () => {
  const cases: Array<[string, Lookup, CrmRecord[], unknown]> = [
    ["one match opens the record", { kind: "lookup", customer: { phone: "+12065550101" }, policy }, [lead], { kind: "record", record: { type: "lead", id: "L-7", name: "Ada Lovelace" } }],
    [
      "several open a search",
      { kind: "lookup", customer: { phone: "+12065550150" }, policy },
      [caseRecord, contact],
      { kind: "search", query: "+12065550150", results: [{ type: "case", id: "CASE-1", name: "CASE-1" }, { type: "contact", id: "C-2", name: "Bob" }] },
    ],
    [
      "none opens a new-record form with the caller's details",
      { kind: "lookup", customer: { phone: "+12065550199", extension: "12", name: "New Caller" }, policy },
      [lead],
      { kind: "newRecord", recordType: "contact", prefill: { name: "New Caller", phone: "+12065550199", extension: "12" } },
    ],
    ["one match under onOneMatch search is a search", { kind: "lookup", customer: { email: "ada@example.com" }, policy: { ...policy, onOneMatch: "search" } }, [lead], { kind: "search", query: "ada@example.com", results: [{ type: "lead", id: "L-7", name: "Ada Lovelace" }] }],
    ["the policy's none opens nothing", { kind: "lookup", customer: { phone: "+12065550199" }, policy: { ...policy, onNoMatch: "none" } }, [], null],
  ];
  it.each(cases)("%s", async (_name, target, records, expected) => {
    expect(await resolveLookupPop(crm(records).adapter, target)).toEqual(expected);
  });

  it("fails (the pop becomes adapterFailed) when the adapter throws, has no search, or does not answer in time", async () => {
    const target: Lookup = { kind: "lookup", customer: { phone: "+12065550101" }, policy };
    const { adapter } = crm();
    await expect(resolveLookupPop({ ...adapter, search: () => Promise.reject(new Error("CRM down")) }, target)).rejects.toThrow("CRM down");
    await expect(resolveLookupPop({ ...adapter, search: undefined }, target)).rejects.toThrow("no search()");
    await expect(withinAdapterTimeout("search", new Promise(() => undefined), 20)).rejects.toMatchObject({ code: "timeout" });
  });
});

describe("the widget's record calls with the tenant's records in the CRM page", () => {
  function host(adapter: AgentAdapter) {
    const api = new AgentApi({ apiBase: "http://127.0.0.1:9/api" }); // never called: records are in the CRM
    api.recordsIn = "host";
    const config = { providerId: "softphone", label: "Softphone", screenPopPolicy: { ...policy, trigger: "ringing", directions: ["inbound"], ttlSeconds: 300 } } as unknown as PanelConfigView;
    const panel = {
      providerId: "softphone",
      config,
      pageContext: () => ({ url: "https://crm.example.com/leads/L-7", title: "Ada", record: { type: "lead", id: "L-7" } }),
      environment: () => ({ tenantId: "t", agentId: "agent-1", agentName: "Dana", providerId: "softphone", locale: "en", page: { url: "", title: "" } }),
    } as unknown as HostedPanel;
    const activities: unknown[] = [];
    const methods = createWidgetHostMethods(panel, { adapter, api, document: undefined as never, onActivityLogged: (a) => activities.push(a) });
    return { methods, activities };
  }
  const wire = (promise: Promise<unknown>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }));

  it("searches, reads, creates and logs through the adapter, with the CRM's types and ids", async () => {
    const page = crm([lead]);
    const { methods, activities } = host(page.adapter);
    expect(await methods.searchRecords({ correlationId: "1", phone: "+12065550101" })).toEqual({ matches: [{ type: "lead", id: "L-7", name: "Ada Lovelace" }] });
    expect(await methods.getRecord({ correlationId: "2", record: { type: "lead", id: "L-7" } })).toEqual(lead);
    const created = await methods.createRecord({ correlationId: "3", recordType: "lead", fields: { name: "Grace" } });
    expect(created).toMatchObject({ type: "lead", name: "Grace" });
    expect(page.records).toHaveLength(2);
    const logged = await methods.logActivity({ correlationId: "4", subject: "Call", conversationId: "conv-1" });
    expect(page.logged).toEqual([{ subject: "Call", conversationId: "conv-1", providerId: "softphone", agentId: "agent-1", channel: "voice", direction: "inbound", record: { type: "lead", id: "L-7" } }]);
    expect(logged).toMatchObject({ activityId: "act-1", record: { type: "lead", id: "L-7" }, createdAt: expect.any(String) });
    expect(activities).toEqual([logged]);
    expect(await methods.screenPop({ correlationId: "5", phone: "+12065550101" })).toEqual({ matches: [{ type: "lead", id: "L-7", name: "Ada Lovelace" }], opened: "record" });
    expect(page.opened).toEqual([{ record: { type: "lead", id: "L-7", name: "Ada Lovelace" } }]);
    // A widget opens a record of any of the CRM's types (a Lead, a Case…), not only contact and account.
    expect(await methods.openRecord({ correlationId: "6", record: { type: "case", id: "500Ab00000XyZ" } })).toEqual({ opened: true });
    expect(page.opened.at(-1)).toEqual({ record: { type: "case", id: "500Ab00000XyZ", name: "500Ab00000XyZ" } });
  });

  it("answers not_supported for a method the page lacks, not_found for a missing record, invalid_argument for a type it does not declare", async () => {
    const { methods } = host(crm([lead]).adapter);
    expect(await wire(methods.deleteRecord({ correlationId: "a", record: { type: "lead", id: "L-7" } }))).toEqual({ error: expect.objectContaining({ code: "not_supported", correlationId: "a" }) });
    expect(await wire(methods.updateRecord({ correlationId: "b", record: { type: "lead", id: "L-7" }, fields: {} }))).toEqual({ error: expect.objectContaining({ code: "not_supported" }) });
    expect(await wire(methods.getRecord({ correlationId: "c", record: { type: "lead", id: "L-404" } }))).toEqual({ error: expect.objectContaining({ code: "not_found" }) });
    expect(await wire(methods.createRecord({ correlationId: "d", recordType: "case", fields: { name: "x" } }))).toEqual({
      error: expect.objectContaining({ code: "invalid_argument", details: { allowed: ["contact", "lead"] } }),
    });
    expect(await wire(methods.getRecord({ correlationId: "e", record: { type: "lead", id: "bad/id" } }))).toEqual({ error: expect.objectContaining({ code: "invalid_argument" }) });
    const { methods: bare } = host({ openRecord: () => undefined, openSearch: () => undefined, openNewRecord: () => undefined });
    expect(await wire(bare.searchRecords({ correlationId: "f", phone: "+12065550101" }))).toEqual({ error: expect.objectContaining({ code: "not_supported" }) });
    expect(await wire(bare.logActivity({ correlationId: "g", subject: "Call" }))).toEqual({ error: expect.objectContaining({ code: "not_supported" }) });
  });
});
