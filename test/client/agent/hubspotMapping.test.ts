import { describe, expect, it } from "vitest";
import {
  activityForCall,
  callerIdMatches,
  callFromMessage,
  dialNumberData,
  recordFromCoordinates,
  visibilityData,
  widthFrom,
  type HubSpotCall,
} from "../../../client/agent/hubspot/hubspotMapping.js";
import { createMessageIds, parseWidgetMessage } from "../../../client/agent/hubspot/hubspotWire.js";
import type { Environment } from "../../../client/protocol.js";

describe("parseWidgetMessage: what a HubSpot widget may post", () => {
  const refused: Array<[string, unknown, string]> = [
    ["a string", "SYNC_ACK", "not an object"],
    ["null", null, "not an object"],
    ["an array", [1], "not an object"],
    ["no type", { messageId: "1_1" }, "no message type"],
    ["an unknown type", { type: "DROP_TABLES", messageId: "1_1" }, "unknown message type DROP_TABLES"],
    ["a host message echoed", { type: "DIAL_NUMBER", messageId: "1_1" }, "unknown message type DIAL_NUMBER"],
    ["no messageId", { type: "RESIZE_WIDGET", data: { width: 1 } }, "RESIZE_WIDGET without a messageId"],
    ["an empty messageId", { type: "LOGGED_IN", messageId: "" }, "LOGGED_IN without a messageId"],
    ["data that is a string", { type: "ERROR", messageId: 1, data: "boom" }, "ERROR with data that is not an object"],
    ["data that is an array", { type: "ERROR", messageId: 1, data: [] }, "ERROR with data that is not an object"],
  ];
  it.each(refused)("refuses %s", (_name, posted, reason) => {
    expect(parseWidgetMessage(posted)).toEqual({ ok: false, reason });
  });

  it("reads the SDK's shape, a numeric messageId as text and absent data as {}", () => {
    expect(parseWidgetMessage({ type: "USER_AVAILABLE", messageId: 1733300000000 })).toEqual({
      ok: true,
      message: { type: "USER_AVAILABLE", messageId: "1733300000000", data: {}, raw: { type: "USER_AVAILABLE", messageId: 1733300000000 } },
    });
    const resize = { type: "RESIZE_WIDGET", messageId: "1733300000000_1733300000123", data: { width: 400, height: 600 } };
    expect(parseWidgetMessage(resize)).toEqual({ ok: true, message: { type: "RESIZE_WIDGET", messageId: resize.messageId, data: resize.data, raw: resize } });
  });
});

describe("host message ids", () => {
  it("are new each time, recognized as the host's, and never start like a widget's (the SDK's Date.now() prefix)", () => {
    const ids = createMessageIds();
    const [a, b] = [ids.next(), ids.next()];
    expect(a).not.toBe(b);
    expect(ids.isOurs(a) && ids.isOurs(b)).toBe(true);
    expect(a).toMatch(/^[a-z]/);
    expect(ids.isOurs(`${Date.now()}_${Date.now()}`)).toBe(false);
    expect(createMessageIds().isOurs(a)).toBe(false); // another panel's host
  });
});

const environment: Environment = {
  tenantId: "contoso",
  agentId: "dana",
  agentName: "Dana Reyes",
  providerId: "hubspot-dialer",
  locale: "en-US",
  page: { url: "http://crm.example/", title: "CRM" },
};

describe("records and HubSpot object coordinates", () => {
  const cases: Array<[string, unknown, unknown]> = [
    ["a contact (0-1)", { objectId: "c-alice", objectTypeId: "0-1" }, { type: "contact", id: "c-alice" }],
    ["a company (0-2) is an account", { objectId: "acc-fabrikam", objectTypeId: "0-2" }, { type: "account", id: "acc-fabrikam" }],
    ["a numeric HubSpot id", { portalId: 62515, objectId: 101, objectTypeId: "0-1" }, { type: "contact", id: "101" }],
    ["a CRM's own type", { objectId: "L-7", objectTypeId: "lead" }, { type: "lead", id: "L-7" }],
    ["an id that is not an id", { objectId: "a/b", objectTypeId: "0-1" }, undefined],
    ["no type", { objectId: "c-alice" }, undefined],
    ["not an object", "c-alice", undefined],
  ];
  it.each(cases)("%s", (_name, coordinates, record) => {
    expect(recordFromCoordinates(coordinates)).toEqual(record);
  });

  it("answers caller-ID matches as CONTACT (name split) or COMPANY, with the coordinates NAVIGATE_TO_RECORD takes back", () => {
    const matches = callerIdMatches(
      [
        { type: "contact", id: "c-carol", name: "Carol Ann Smith" },
        { type: "account", id: "acc-fabrikam", name: "Fabrikam" },
        { type: "lead", id: "L-7", name: "Ada" },
      ],
      "contoso",
    );
    expect(matches).toEqual([
      { callerIdType: "CONTACT", objectCoordinates: { portalId: "contoso", objectId: "c-carol", objectTypeId: "0-1" }, firstName: "Carol", lastName: "Ann Smith", email: "" },
      { callerIdType: "COMPANY", objectCoordinates: { portalId: "contoso", objectId: "acc-fabrikam", objectTypeId: "0-2" }, name: "Fabrikam" },
      { callerIdType: "CONTACT", objectCoordinates: { portalId: "contoso", objectId: "L-7", objectTypeId: "lead" }, firstName: "Ada", lastName: "", email: "" },
    ]);
    expect(matches.map((m) => recordFromCoordinates(m.objectCoordinates))).toEqual([
      { type: "contact", id: "c-carol" },
      { type: "account", id: "acc-fabrikam" },
      { type: "lead", id: "L-7" },
    ]);
  });
});

describe("host to widget", () => {
  it("DIAL_NUMBER: the E.164 number, the agent as owner, the record clicked on", () => {
    const data = dialNumberData({ raw: "(206) 555-0101", format: "phone", e164: "+12065550101", record: { type: "account", id: "acc-fabrikam" } }, environment);
    expect(data).toEqual({
      phoneNumber: "+12065550101",
      ownerId: "dana",
      portalId: "contoso",
      objectId: "acc-fabrikam",
      objectType: "COMPANY",
      calleeInfo: { calleeId: "acc-fabrikam", calleeObjectTypeId: "0-2" },
      startTimestamp: expect.any(Number),
    });
    expect(dialNumberData({ raw: "+1 425 555 0100 ext. 204", format: "phone", e164: "+14255550100", extension: "204" }, environment)).toMatchObject({
      phoneNumber: "+14255550100",
      extension: "204",
    });
    expect(dialNumberData({ raw: "555 0101", format: "phone" }, environment)).toMatchObject({ phoneNumber: "555 0101" });
  });

  it.each([
    ["docked", false, false],
    ["expanded", false, false],
    ["minimized", true, false],
    ["hidden", false, true],
  ] as const)("VISIBILITY_CHANGED for %s", (mode, isMinimized, isHidden) => {
    expect(visibilityData(mode)).toEqual({ isMinimized, isHidden });
  });
});

describe("widget sizes", () => {
  it.each([
    [{ width: 420, height: 600 }, 420],
    [{ width: "380px", height: "600px" }, 380],
    [{ width: 399.6 }, 400],
    [{ height: 600 }, undefined],
    [{ width: -5 }, undefined],
    [{ width: "wide" }, undefined],
    [null, undefined],
  ])("%j → %s", (size, width) => {
    expect(widthFrom(size)).toBe(width);
  });
});

describe("activityForCall: CALL_COMPLETED to a timeline activity", () => {
  const t0 = Date.parse("2026-12-04T10:00:00.000Z");
  const call: HubSpotCall = {
    ...callFromMessage("inbound", { externalCallId: "call-1", fromNumber: "+1 206 555 0101", toNumber: "+12065550000", callStartTime: t0 }, 0)!,
    answeredAtMs: t0 + 5_000,
    endedAtMs: t0 + 65_000,
    endStatus: "COMPLETED",
    record: { type: "contact", id: "c-alice", name: "Alice Johnson" },
  };

  it("takes the call the host followed: direction, numbers, times, durations, end status as disposition, the matched record", () => {
    expect(activityForCall(call, { externalCallId: "call-1" }, t0 + 95_000)).toEqual({
      activityId: "hubspot.call-1",
      subject: "Call from +1 206 555 0101",
      channel: "voice",
      direction: "inbound",
      record: { type: "contact", id: "c-alice", name: "Alice Johnson" },
      from: "+1 206 555 0101",
      to: "+12065550000",
      disposition: "Completed",
      startedAt: "2026-12-04T10:00:00.000Z",
      endedAt: "2026-12-04T10:01:05.000Z",
      durationSeconds: 65,
      durations: { ringSeconds: 5, talkSeconds: 60, wrapUpSeconds: 30 },
    });
  });

  it("lets the engagement properties win: title, body, disposition, duration, direction, recording; drops a recording that is not http(s)", () => {
    const activity = activityForCall(
      call,
      {
        externalCallId: "call-1",
        engagementProperties: {
          hs_call_title: "Invoice question",
          hs_call_body: "Asked about March",
          hs_call_disposition: "f240bbac-87c9-4f6e-bf70-924b57d47db7",
          hs_call_duration: "61000",
          hs_call_direction: "OUTBOUND",
          hs_call_recording_url: "https://recordings.example/1.mp3",
        },
      },
      t0 + 95_000,
    );
    expect(activity).toMatchObject({
      subject: "Invoice question",
      notes: "Asked about March",
      disposition: "f240bbac-87c9-4f6e-bf70-924b57d47db7",
      durationSeconds: 61,
      direction: "outbound",
      recordingUrl: "https://recordings.example/1.mp3",
    });
    expect(activityForCall(call, { engagementProperties: { hs_call_recording_url: "javascript:alert(1)" } }, t0)).not.toHaveProperty("recordingUrl");
  });

  it("without a followed call (the widget reloaded): the properties alone, the callee as the record, no id without an externalCallId", () => {
    expect(
      activityForCall(
        undefined,
        { engagementProperties: { hs_call_to_number: "+12065550150", hs_call_callee_object_id: 101, hs_call_callee_object_type: "CONTACT", hs_call_status: "NO_ANSWER" } },
        t0,
      ),
    ).toEqual({ subject: "Call to +12065550150", channel: "voice", direction: "outbound", record: { type: "contact", id: "101" }, to: "+12065550150", disposition: "No answer" });
  });

  it("a transferred call without another outcome is 'Transferred'; an externalCallId that is no id gives no activityId", () => {
    const transferred = { ...call, endStatus: undefined, transferred: true };
    expect(activityForCall(transferred, { externalCallId: "has spaces/and slashes" }, t0 + 95_000)).toMatchObject({ disposition: "Transferred" });
    expect(activityForCall(transferred, { externalCallId: "has spaces/and slashes" }, t0 + 95_000)).not.toHaveProperty("activityId");
  });

  it("reads INCOMING_CALL / OUTGOING_CALL_STARTED: no call without an externalCallId; the start time defaults to now", () => {
    expect(callFromMessage("outbound", { toNumber: "+1" }, 5)).toBeUndefined();
    expect(callFromMessage("outbound", { externalCallId: "x", toNumber: "+12065550101", callStartTime: "yesterday" }, 5)).toEqual({
      externalCallId: "x",
      direction: "outbound",
      to: "+12065550101",
      startedAtMs: 5,
    });
  });
});
