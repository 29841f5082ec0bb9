import { describe, expect, it } from "vitest";
import { prefillOf, sObjectTypeOfSalesforceId, toRecordType, toSObjectType } from "../../../client/facades/opencti/sObjectTypes.js";

describe("Salesforce sObject types ↔ WebCTI record types", () => {
  it.each([
    ["Contact", "contact"],
    ["Account", "account"],
    ["Lead", "lead"],
    ["Case", "case"],
    ["Opportunity", "opportunity"],
    ["Ticket__c", "Ticket__c"],
    ["acme__Device__c", "acme__Device__c"],
  ])("%s ↔ %s", (sObject, recordType) => {
    expect(toRecordType(sObject)).toBe(recordType);
    expect(toSObjectType(recordType)).toBe(sObject);
  });

  it("reads an sObject name without regard to case", () => {
    expect(toRecordType("contact")).toBe("contact");
    expect(toRecordType("ACCOUNT")).toBe("account");
  });

  it.each([
    ["0031x00000AbCdE", "Contact"],
    ["0011x00000AbCdEAAZ", "Account"],
    ["00Q1x00000AbCdE", "Lead"],
    ["5001x00000AbCdE", "Case"],
    ["0061x00000AbCdE", "Opportunity"],
    ["a001x00000AbCdE", undefined], // a custom object's prefix says nothing WebCTI knows
    ["c-alice", undefined], // a WebCTI directory id
    ["0031x00000AbCd", undefined], // 14 characters: not a Salesforce id
    ["0031x00000AbCdE-x", undefined],
  ])("the Salesforce id %s names %s", (id, sObject) => {
    expect(sObjectTypeOfSalesforceId(id)).toBe(sObject);
  });
});

describe("new-record prefill from Salesforce field values", () => {
  it.each([
    [{ FirstName: "Erin", LastName: "Cole", Phone: "+1 206 555 0177" }, { name: "Erin Cole", phone: "+1 206 555 0177" }],
    [{ LastName: "Cole" }, { name: "Cole" }],
    [{ Name: "Contoso", Phone: "  " }, { name: "Contoso" }],
    [{ MobilePhone: "206-555-0177", Email: "erin@contoso.example" }, { phone: "206-555-0177", email: "erin@contoso.example" }],
    [{ Phone: 2065550177, Email: null }, {}],
    [undefined, {}],
  ])("%j → %j", (fields, prefill) => {
    expect(prefillOf(fields as Record<string, unknown> | undefined)).toEqual(prefill);
  });
});
