import { describe, expect, it } from "vitest";
import { createCifFramework } from "../../../client/facades/cif/createCifFramework.js";
import { fromAttributes, toAttributes } from "../../../client/facades/cif/dataverseRecord.js";
import { activityChangeFromPhonecall, activityFromPhonecall } from "../../../client/facades/cif/phonecall.js";
import { notificationOf, outcomeOf } from "../../../client/facades/cif/notifyCalls.js";
import { environmentOf } from "../../../client/facades/cif/panelCalls.js";

/**
 * Argument checking of the CIF façade: a wrong type rejects with CIF's error object
 * `{ message, msdyn_name, webctiCode }` before anything reaches the host. The framework here has no
 * host (the handshake failed), so a well-typed call rejects as disconnected: the difference shows which
 * calls were refused by their arguments alone.
 */
const noHost = Promise.reject(new Error("no agent desktop answered"));
noHost.catch(() => undefined);
const cif = createCifFramework(noHost) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;

const refusal = (msdyn_name: string, message: string | RegExp, webctiCode = "invalid_argument") =>
  expect.objectContaining({ msdyn_name, message: typeof message === "string" ? expect.stringContaining(message) : expect.stringMatching(message), webctiCode });

describe("CIF argument types", () => {
  it.each([
    ["setClickToAct", ["yes"], "parameter 'value' must be a boolean; got string \"yes\""],
    ["setMode", ["1"], "parameter 'value' must be a number"],
    ["setMode", [3], "value must be 0 (minimized), 1 (docked) or 2 (hidden); got 3"],
    ["setWidth", [null], "parameter 'value' must be a number; got null"],
    ["searchAndOpenRecords", [42, "?$select=fullname", false], "parameter 'entityLogicalName' must be a non-empty string; got number 42"],
    ["searchAndOpenRecords", ["contact", { $select: "fullname" }, false], "parameter 'queryParameters' must be a non-empty string; got an object"],
    ["searchAndOpenRecords", ["contact", "?$select=fullname", "false"], "parameter 'searchOnly' must be a boolean"],
    ["searchAndOpenRecords", ["contact", "?$select=fullname", false, "corr", "0"], "parameter 'searchType' must be a number"],
    ["searchAndOpenRecords", ["incident", "?$select=title", true], "WebCTI has no entity 'incident' (it keeps contact and account)"],
    ["searchAndOpenRecords", ["contact", "?$filter=telephone1 gt '5'", true], "the operator 'gt' is not supported"],
    ["createRecord", ["contact", 17], "parameter 'data' must be a JSON object or its JSON string; got number 17"],
    ["createRecord", ["contact", "{not json"], "parameter 'data' is not valid JSON"],
    ["createRecord", ["contact", '{"fullname":"A","birthdate":"2000-01-01"}'], "WebCTI's contact has no attribute birthdate"],
    ["createRecord", ["phonecall", '{"description":"no subject"}'], "attribute 'subject' must be a non-empty string"],
    ["createRecord", ["lead", "{}"], "WebCTI has no entity 'lead' (it keeps contact, account or phonecall)"],
    ["retrieveRecord", ["contact", 5], "parameter 'id' must be a non-empty string"],
    ["updateRecord", ["account", "acc-1", '{"jobtitle":"x"}'], "WebCTI's account has no attribute jobtitle"],
    ["openForm", ['{"entityName":"incident"}'], "WebCTI has no entity 'incident'"],
    ["notifyEvent", [12], "parameter 'input' must be a JSON object"],
    ["cancelEvent", [undefined], "parameter 'cancellationToken' must be a non-empty string"],
    ["setPresence", [1], "parameter 'presenceText' must be a non-empty string"],
  ])("%s(%j) is refused", async (name, args, message) => {
    await expect(cif[name]!(...args)).rejects.toEqual(refusal(name, message));
  });

  it("sends a well-typed call to the host, and says when there is none", async () => {
    await expect(cif.setMode!(1)).rejects.toEqual(refusal("setMode", "The WebCTI host is not connected: no agent desktop answered", "disconnected"));
  });

  it("throws CIF's error from addHandler / removeHandler, which are synchronous", () => {
    expect(() => cif.addHandler!("onclicktoact", "not a function")).toThrow();
    try {
      cif.addHandler!(7, () => undefined);
    } catch (error) {
      expect(error).toEqual(refusal("addHandler", "parameter 'eventName' must be a non-empty string"));
    }
  });

  it("checks the session and tab calls' arguments before anything is sent", async () => {
    await expect(cif.createSession!({})).rejects.toEqual(refusal("createSession", "parameter 'templateName' must be a non-empty string"));
    await expect(cif.createSession!({ templateName: "x", templateParameters: { entityName: "contact" } })).rejects.toEqual(refusal("createSession", "entityName and entityId go together"));
    await expect(cif.createTab!({ templateName: "x", templateParameters: {} })).rejects.toEqual(refusal("createTab", "needs entityName and entityId, or searchText"));
    await expect(cif.focusTab!(7)).rejects.toEqual(refusal("focusTab", "parameter 'tabId' must be a non-empty string"));
    await expect(cif.notifyNewActivity!("s-1", -1)).rejects.toEqual(refusal("notifyNewActivity", "count must not be negative"));
    await expect(cif.notifyNewActivity!("s-1")).rejects.toEqual(refusal("notifyNewActivity", "parameter 'count' must be a number"));
    await expect(cif.updateContext!("not json")).rejects.toEqual(refusal("updateContext", "parameter 'input' is not valid JSON"));
    await expect(cif.getSession!(undefined)).rejects.toEqual(refusal("getSession", "parameter 'sessionId' must be a non-empty string"));
  });

  it("refuses the session calls and other functions WebCTI lacks, saying why", async () => {
    await expect(cif.getAllSessions!()).rejects.toEqual(refusal("getAllSessions", "sessions do not offer this yet", "not_supported"));
    await expect(cif.closeTab!("t-1")).rejects.toEqual(refusal("closeTab", "sessions do not offer this yet", "not_supported"));
    await expect(cif.logAnalyticsEvent!({}, "e")).rejects.toEqual(refusal("logAnalyticsEvent", "POST /api/v1/analytics/events", "not_supported"));
    await expect(cif.getEntityMetadata!("contact")).rejects.toEqual(refusal("getEntityMetadata", "no Dataverse metadata", "not_supported"));
  });
});

describe("Dataverse attributes of WebCTI records", () => {
  const stored = {
    type: "contact" as const,
    id: "c-1",
    name: "Wendy Widget",
    phones: [
      { raw: "(206) 555-0166", e164: "+12065550166" },
      { raw: "206 555 0199", e164: "+12065550199", label: "Mobile" },
    ],
    emails: ["wendy@example.com"],
    title: "Buyer",
    accountId: "acc-fabrikam",
    updatedAt: "2026-01-01T00:00:00Z",
  };

  it("reads a contact as Dataverse attributes and writes them back", () => {
    const attributes = toAttributes("contact", stored);
    expect(attributes).toEqual({
      contactid: "c-1",
      fullname: "Wendy Widget",
      telephone1: "(206) 555-0166",
      mobilephone: "206 555 0199",
      emailaddress1: "wendy@example.com",
      jobtitle: "Buyer",
      _parentcustomerid_value: "acc-fabrikam",
    });
    expect(fromAttributes("updateRecord", "contact", { ...attributes, telephone1: "206 555 0167" })).toEqual({
      name: "Wendy Widget",
      phones: [{ number: "206 555 0167" }, { number: "206 555 0199", label: "mobile" }],
      emails: ["wendy@example.com"],
      title: "Buyer",
      accountId: "acc-fabrikam",
    });
  });

  it("joins firstname and lastname, binds the parent account, and clears with null", () => {
    expect(
      fromAttributes("createRecord", "contact", { firstname: "Sample", lastname: "Contact", "parentcustomerid_account@odata.bind": "/accounts(acc-1)", emailaddress1: null }),
    ).toEqual({ name: "Sample Contact", phones: [], emails: [], accountId: "acc-1" });
  });
});

describe("phonecall as an activity", () => {
  it("maps the phonecall's attributes", () => {
    expect(
      activityFromPhonecall("createRecord", {
        subject: "Call with Alice",
        description: "Asked about delivery",
        phonenumber: "+12065550101",
        directioncode: false,
        actualdurationminutes: 2,
        "regardingobjectid_contact@odata.bind": "/contacts(c-alice)",
        activityid: "cif-1",
      }),
    ).toEqual({
      subject: "Call with Alice",
      channel: "voice",
      direction: "inbound",
      record: { type: "contact", id: "c-alice" },
      notes: "Asked about delivery",
      from: "+12065550101",
      durationSeconds: 120,
      activityId: "cif-1",
    });
  });

  it.each([
    [{ subject: "x", directioncode: 1 }, "attribute 'directioncode' must be true (outgoing) or false (incoming)"],
    [{ subject: "x", "regardingobjectid_contact@odata.bind": "/accounts(a)" }, `'regardingobjectid_contact@odata.bind' must be "/contacts(<id>)"`],
    [{ subject: "x", actualdurationminutes: -1 }, "attribute 'actualdurationminutes' must be a number of minutes"],
    [{ subject: "x", prioritycode: 1 }, "WebCTI's phonecall has no attribute prioritycode"],
  ])("refuses %j", (attributes, message) => {
    expect(() => activityFromPhonecall("createRecord", attributes)).toThrow(expect.objectContaining({ message: expect.stringContaining(message), msdyn_name: "createRecord" }));
  });

  it("changes only what a logged call may change", () => {
    expect(activityChangeFromPhonecall("updateRecord", "cif-1", { description: "Called back", actualdurationminutes: 4 })).toEqual({
      activityId: "cif-1",
      notes: "Called back",
      durationSeconds: 240,
    });
    expect(activityChangeFromPhonecall("updateRecord", "cif-1", { subject: "Renamed" })).toEqual({ activityId: "cif-1", subject: "Renamed" });
    expect(() => activityChangeFromPhonecall("updateRecord", "cif-1", { directioncode: true, phonenumber: "+1" })).toThrow(
      expect.objectContaining({ message: expect.stringContaining("a logged phonecall's directioncode, phonenumber cannot change"), webctiCode: "invalid_argument" }),
    );
  });
});

describe("notifyEvent and getEnvironment in CIF's shapes", () => {
  it("makes the notification from the template parameters and answers CIF's outcomes", () => {
    expect(notificationOf({ templateName: "msdyn_chat_incoming", templateParameters: { customer: "Contoso", queue: "Support" } })).toEqual({
      title: "msdyn_chat_incoming",
      body: "customer: Contoso\nqueue: Support",
    });
    expect(notificationOf({ templateName: "t", templateParameters: '{"title":"Incoming call","body":"Alice","acceptLabel":"Take","rejectLabel":"Skip","timeout":5}' })).toEqual({
      title: "Incoming call",
      body: "Alice",
      acceptLabel: "Take",
      declineLabel: "Skip",
      timeoutMs: 5000,
    });
    expect(() => notificationOf({ templateParameters: { timeout: 600 } })).toThrow(expect.objectContaining({ webctiCode: "out_of_range" }));
    expect(outcomeOf("accepted")).toEqual({ value: { actionName: "Accept", responseReason: "Accept" } });
    expect(outcomeOf("declined")).toEqual({ value: { actionName: "Reject", responseReason: "DeclinedByAgent" } });
    expect(outcomeOf("timedOut")).toEqual({ value: { actionName: "Timeout", responseReason: "DisplayTimeout" } });
  });

  it("gives the provider's settings as customParams only when the host sends them", () => {
    const env = { tenantId: "t", agentId: "a", agentName: "Dana", providerId: "p", locale: "en-US", page: { url: "http://127.0.0.1:7071/#/contacts/c-1", title: "Alice", record: { type: "contact", id: "c-1", name: "Alice" } } };
    expect(environmentOf(env)).toEqual({
      clientUrl: "http://127.0.0.1:7071",
      appUrl: "http://127.0.0.1:7071/#/contacts/c-1",
      pagetype: "entityrecord",
      etn: "contact",
      id: "c-1",
      recordName: "Alice",
      title: "Alice",
      userId: "a",
      username: "Dana",
      orgId: "t",
      orgUniqueName: "t",
      locale: "en-US",
      providerId: "p",
    });
    expect(environmentOf({ ...env, settings: { queue: "support" } }).customParams).toBe('{"queue":"support"}');
  });
});
