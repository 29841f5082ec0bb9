import { describe, expect, it } from "vitest";
import { createOpenCti, type OpenCti } from "../../../client/facades/opencti/createOpenCti.js";
import type { OpenCtiHost } from "../../../client/facades/opencti/hostExtensions.js";
import type { OpenCtiResponse } from "../../../client/facades/opencti/openCtiResponse.js";
import { planSaveLog } from "../../../client/facades/opencti/saveLog.js";
import { planScreenPop, planSearch } from "../../../client/facades/opencti/screenPops.js";

/**
 * Argument checks of the Open CTI façade: a wrong-typed argument is answered through the callback with
 * Open CTI's error form before any host is needed (here there is none: the handshake never completes),
 * and a call that cannot answer (no object, a callback that is not a function) throws at once.
 */
const pending = new Promise<OpenCtiHost>(() => undefined);
const noUrl = () => {
  throw new Error("no URL pop expected");
};

function answerOf(method: (args?: unknown) => void, args: Record<string, unknown>): Promise<OpenCtiResponse> {
  return new Promise((resolve) => method({ ...args, callback: resolve }));
}

type Named = { [K in keyof OpenCti]: OpenCti[K] extends (args?: unknown) => void ? K : never }[keyof OpenCti];

describe("wrong-typed arguments → INVALID_PARAM through the callback", () => {
  const opencti = createOpenCti({ host: pending, openUrl: noUrl });
  it.each<[Named, Record<string, unknown>, string]>([
    ["setSoftphonePanelWidth", { widthPX: "wide" }, "widthPX"],
    ["setSoftphonePanelWidth", { widthPX: 150 }, "widthPX"],
    ["setSoftphonePanelWidth", { widthPX: Number.NaN }, "widthPX"],
    ["setSoftphonePanelVisibility", { visible: "yes" }, "visible"],
    ["setSoftphonePanelVisibility", {}, "visible"],
    ["setSoftphoneItemLabel", { label: 7 }, "label"],
    ["setSoftphoneItemIcon", { key: "" }, "key"],
    ["screenPop", { type: "sideways", params: {} }, "type"],
    ["screenPop", { type: "sobject" }, "params"],
    ["screenPop", { type: "sobject", params: { recordId: 42 } }, "params.recordId"],
    ["screenPop", { type: "SEARCH", params: { searchString: "ab" } }, "params.searchString"],
    ["screenPop", { type: "url", params: { url: "javascript:alert(1)" } }, "params.url"],
    ["screenPop", { type: "newrecordmodal", params: { entityName: "Lead" } }, "params.entityName"],
    ["screenPop", { type: "newrecordmodal", params: { entityName: "Contact" }, defaultFieldValues: "Phone=1" }, "defaultFieldValues"],
    ["searchAndScreenPop", { searchParams: "+12065550101" }, "callType"],
    ["searchAndScreenPop", { searchParams: "+12065550101", callType: "sideways" }, "callType"],
    ["searchAndScreenPop", { searchParams: 2065550101, callType: "inbound" }, "searchParams"],
    ["searchAndScreenPop", { searchParams: "+12065550101", callType: "inbound", deferred: "yes" }, "deferred"],
    ["searchAndScreenPop", { searchParams: "+12065550101", callType: "inbound", queryParams: 1 }, "queryParams"],
    ["saveLog", {}, "value"],
    ["saveLog", { value: { entityApiName: "Task", Subject: 1 } }, "value.Subject"],
    ["saveLog", { value: { entityApiName: "Task", Subject: "Call", CallDurationInSeconds: "60" } }, "value.CallDurationInSeconds"],
    ["saveLog", { value: { entityApiName: "Task", Subject: "Call", CallType: "Internal" } }, "value.CallType"],
    ["saveLog", { value: { entityApiName: "Contact", LastName: "Cole" } }, "value.entityApiName"],
    ["saveLog", { value: { Id: "", Subject: "Call" } }, "value.Id"],
    ["saveLog", { value: { Id: "act-1", Status: "Completed" } }, "value"],
  ])("%s(%j) → INVALID_PARAM naming %s", async (method, args, parameter) => {
    const response = await answerOf(opencti[method], args);
    expect(response).toEqual({ success: false, returnValue: null, errors: [expect.objectContaining({ code: "INVALID_PARAM", details: expect.objectContaining({ parameter }) })] });
    expect(response.errors![0]!.description).toContain(parameter);
  });

  it("says what was expected and what came", async () => {
    const response = await answerOf(opencti.setSoftphonePanelWidth, { widthPX: "wide" });
    expect(response.errors![0]!.description).toBe("An invalid value was passed to the parameter widthPX. A numeric value was expected, but string was found instead.");
    const tooWide = await answerOf(opencti.setSoftphonePanelWidth, { widthPX: 5000 });
    expect(tooWide.errors![0]).toMatchObject({ code: "INVALID_PARAM", details: { min: 200, max: 1920 } });
  });

  it("answers asynchronously, never inside the call", () => {
    let answered = false;
    opencti.setSoftphonePanelWidth({ widthPX: "wide", callback: () => (answered = true) });
    expect(answered).toBe(false);
  });

  it("throws a TypeError when there is no callback to answer", () => {
    expect(() => opencti.setSoftphonePanelWidth("400" as never)).toThrow(TypeError);
    expect(() => opencti.getAppViewInfo({ callback: "done" })).toThrow(/callback must be a function/);
    expect(() => opencti.onClickToDial({ listener: 1 })).toThrow(/listener must be a function/);
    expect(() => opencti.saveLog(null as never)).toThrow(/one object argument/);
  });
});

describe("methods WebCTI cannot offer answer GENERIC_ERROR and say why", () => {
  const opencti = createOpenCti({ host: pending, openUrl: noUrl });
  it.each<[string, (args?: unknown) => void]>([
    ["runApex", opencti.runApex],
    ["getSoftphoneLayout", opencti.getSoftphoneLayout],
    ["setSoftphonePanelHeight", opencti.setSoftphonePanelHeight],
    ["publish", opencti.publish],
    ["subscribe", opencti.subscribe],
    ["unsubscribe", opencti.unsubscribe],
    ["hvs.completeWork", opencti.hvs.completeWork],
  ])("%s", async (name, method) => {
    const response = await answerOf(method, {});
    expect(response.success).toBe(false);
    expect(response.errors).toEqual([{ code: "GENERIC_ERROR", description: expect.stringContaining(`sforce.opencti.${name} is not available in WebCTI`) }]);
  });

  it.each([["objecthome"], ["list"], ["flow"]])("screenPop of type %s", async (type) => {
    const response = await answerOf(opencti.screenPop, { type, params: { scope: "Account" } });
    expect(response.errors![0]).toMatchObject({ code: "GENERIC_ERROR", description: expect.stringContaining(`cannot pop ${type}`) });
  });
});

describe("calls before the handshake", () => {
  it("wait for it, and are answered SOFTPHONE_CONTAINER_ERROR when it fails", async () => {
    let fail: (error: unknown) => void = () => undefined;
    const host = new Promise<OpenCtiHost>((_, reject) => (fail = reject));
    host.catch(() => undefined);
    const opencti = createOpenCti({ host, openUrl: noUrl });
    const answers = [answerOf(opencti.isSoftphonePanelVisible, {}), answerOf(opencti.enableClickToDial, {})];
    const handshakeFailed = Object.assign(new Error("The agent desktop did not answer the handshake"), { code: "handshake_failed" });
    fail(handshakeFailed);
    for (const response of await Promise.all(answers)) {
      expect(response).toEqual({
        success: false,
        returnValue: null,
        errors: [{ code: "SOFTPHONE_CONTAINER_ERROR", description: handshakeFailed.message, details: { webctiCode: "handshake_failed" } }],
      });
    }
  });
});

describe("what a checked call will do", () => {
  it.each([
    [{ type: "sobject", params: { recordId: "c-alice" } }, { type: "sobject", recordId: "c-alice" }],
    [{ type: "SOBJECT", params: { recordId: "c-alice" } }, { type: "sobject", recordId: "c-alice" }],
    [{ type: "url", params: { url: "/#/contacts/c-bob" } }, { type: "url", url: "/#/contacts/c-bob" }],
    [{ type: "search", params: { searchString: " 206 555 0150 " } }, { type: "search", searchString: "206 555 0150" }],
    [
      { type: "newrecordmodal", params: { entityName: "Contact" }, defaultFieldValues: { FirstName: "Erin", LastName: "Cole", Phone: "+12065550177" } },
      { type: "newrecordmodal", recordType: "contact", prefill: { name: "Erin Cole", phone: "+12065550177" } },
    ],
    [
      { type: "NEW_RECORD_MODAL", params: { entityName: "Account", defaultFieldValues: { Name: "Contoso" } } },
      { type: "newrecordmodal", recordType: "account", prefill: { name: "Contoso" } },
    ],
  ])("screenPop %j", (args, plan) => {
    expect(planScreenPop(args)).toEqual(plan);
  });

  it.each([
    [{ searchParams: "+1 206 555 0101", callType: "inbound" }, { searchParams: "+1 206 555 0101", callType: "inbound", deferred: false, defaultFieldValues: undefined }],
    [{ searchParams: "a@b.example", callType: "OUTBOUND", deferred: true }, { searchParams: "a@b.example", callType: "outbound", deferred: true, defaultFieldValues: undefined }],
  ])("searchAndScreenPop %j", (args, plan) => {
    expect(planSearch(args)).toEqual(plan);
  });

  it.each([
    [
      { value: { entityApiName: "Task", Subject: " Inbound call ", Description: "Asked about the invoice", CallType: "Inbound", CallDurationInSeconds: 95.4, CallDisposition: "resolved", CallObject: "call-1", WhoId: "c-alice", Status: "Completed" } },
      { kind: "create", recordId: "c-alice", activity: { subject: "Inbound call", notes: "Asked about the invoice", direction: "inbound", durationSeconds: 95, disposition: "resolved", conversationId: "call-1" } },
    ],
    [{ value: { entityApiName: "Task", Subject: "Call", WhatId: "acc-fabrikam" } }, { kind: "create", recordId: "acc-fabrikam", activity: { subject: "Call" } }],
    [{ value: { entityApiName: "Task", Subject: "Call" } }, { kind: "create", recordId: undefined, activity: { subject: "Call" } }],
    [{ value: { Id: "act-1", Description: "Called back", WhoId: "c-alice" } }, { kind: "update", activityId: "act-1", fields: { notes: "Called back" } }],
  ])("saveLog %j", (args, plan) => {
    expect(planSaveLog(args)).toEqual(plan);
  });
});
