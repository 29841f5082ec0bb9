import { describe, expect, it } from "vitest";
import { handleWidgetMessage, type HandlerContext } from "../../../client/agent/hubspot/hubspotHandlers.js";
import { parseWidgetMessage } from "../../../client/agent/hubspot/hubspotWire.js";
import { createWidgetHostMethods, type HostedPanel } from "../../../client/agent/widgetHostMethods.js";
import { AgentApi, type PanelConfigView } from "../../../client/agent/agentApi.js";
import type { AgentAdapter } from "../../../client/agent/agentClient.js";
import type { CrmActivity, CrmRecord } from "../../../client/agent/crmAdapter.js";
import type { PageContext } from "../../../client/protocol.js";

/**
 * The HubSpot host's answers, with the real widget host methods and the tenant's records in the CRM page
 * (an in-memory CRM behind the page's adapter, as test/client/agent/hostRecords.test.ts has it): what the
 * SDK gets back, what the page opened and what it logged.
 */
const lead: CrmRecord = { type: "lead", id: "L-7", name: "Ada Lovelace", fields: { phone: "+12065550101" } };
const policy = { onOneMatch: "record", onManyMatches: "search", onNoMatch: "newRecord" } as const;

function crmPage(records: CrmRecord[], options: { search?: boolean } = {}) {
  const opened: unknown[] = [];
  const logged: CrmActivity[] = [];
  const adapter: AgentAdapter = {
    openRecord: (record) => void opened.push({ record }),
    openSearch: (search) => void opened.push({ search }),
    openNewRecord: (form) => void opened.push({ form }),
    ...(options.search === false ? {} : { search: async (query: { phone?: string }) => records.filter((r) => r.fields?.phone === query.phone) }),
    async logActivity(activity) {
      logged.push(activity);
      return { id: `act-${logged.length}` };
    },
  };
  return { adapter, opened, logged };
}

function hubspotHost(adapter: AgentAdapter, page: PageContext = { url: "https://crm.example/", title: "CRM" }) {
  const api = new AgentApi({ apiBase: "https://webcti.invalid/api" });
  api.recordsIn = "host";
  const environment = () => ({ tenantId: "contoso", agentId: "dana", agentName: "Dana", providerId: "hubspot-dialer", locale: "en", page });
  const panel = {
    providerId: "hubspot-dialer",
    config: { providerId: "hubspot-dialer", label: "HubSpot Dialer", screenPopPolicy: policy } as unknown as PanelConfigView,
    pageContext: () => page,
    environment,
  } as unknown as HostedPanel;
  const methods = createWidgetHostMethods(panel, { adapter, api, document: undefined as never, onActivityLogged: () => undefined });
  const posted: Array<{ type: string; data?: Record<string, unknown> }> = [];
  const panelCalls: unknown[] = [];
  let engagementId = 1000;
  let clock = Date.parse("2026-12-04T10:00:00.000Z");
  const context: HandlerContext = {
    panel: {
      trustedOrigins: ["https://dialer.example"],
      methods,
      environment,
      setSignedIn: (signedIn) => void panelCalls.push({ signedIn }),
      setWidth: (width) => void panelCalls.push({ width }),
      setMode: (mode) => void panelCalls.push({ mode }),
      loadUrl: (url) => void panelCalls.push({ loadUrl: url }),
    },
    post: (type, data) => void posted.push({ type, ...(data ? { data } : {}) }),
    warn: () => undefined,
    calls: new Map(),
    nextEngagementId: () => (engagementId += 1),
    now: () => clock,
  };
  let id = 0;
  const send = async (type: string, data?: Record<string, unknown>, afterMs = 0) => {
    clock += afterMs;
    const parsed = parseWidgetMessage({ type, messageId: `1733300000000_${(id += 1)}`, ...(data ? { data } : {}) });
    if (!parsed.ok) throw new Error(parsed.reason);
    await handleWidgetMessage(context, parsed.message);
  };
  return { send, posted, panelCalls, context };
}

describe("HubSpot host answers, records in the CRM page", () => {
  it("follows an incoming call from caller ID to the logged activity, on the CRM's own record type", async () => {
    const page = crmPage([lead]);
    const { send, posted } = hubspotHost(page.adapter);
    await send("INCOMING_CALL", { externalCallId: "call-1", fromNumber: "+12065550101", toNumber: "+12065550000", createEngagement: true });
    expect(posted).toEqual([
      { type: "CREATE_ENGAGEMENT_SUCCEEDED", data: { engagementId: 1001, externalCallId: "call-1" } },
      {
        type: "CALLER_ID_MATCH_SUCCEEDED",
        data: {
          externalCallId: "call-1",
          callerIdMatches: [{ callerIdType: "CONTACT", objectCoordinates: { portalId: "contoso", objectId: "L-7", objectTypeId: "lead" }, firstName: "Ada", lastName: "Lovelace", email: "" }],
        },
      },
    ]);
    expect(page.opened).toEqual([{ record: { type: "lead", id: "L-7", name: "Ada Lovelace" } }]);

    await send("CALL_ANSWERED", { externalCallId: "call-1" }, 4_000);
    await send("CALL_ENDED", { externalCallId: "call-1", callEndStatus: "COMPLETED" }, 60_000);
    await send("CALL_COMPLETED", { externalCallId: "call-1", engagementId: 1001, engagementProperties: { hs_call_body: "Wants a callback" } }, 10_000);
    expect(page.logged).toEqual([
      {
        activityId: "hubspot.call-1",
        subject: "Call from +12065550101",
        notes: "Wants a callback",
        disposition: "Completed",
        from: "+12065550101",
        to: "+12065550000",
        startedAt: "2026-12-04T10:00:00.000Z",
        endedAt: "2026-12-04T10:01:04.000Z",
        durationSeconds: 64,
        durations: { ringSeconds: 4, talkSeconds: 60, wrapUpSeconds: 10 },
        providerId: "hubspot-dialer",
        agentId: "dana",
        channel: "voice",
        direction: "inbound",
        record: { type: "lead", id: "L-7" },
      },
    ]);
    expect(posted.at(-1)).toEqual({ type: "UPDATE_ENGAGEMENT_SUCCEEDED", data: { engagementId: 1001, externalCallId: "call-1" } });
  });

  it("answers CALLER_ID_MATCH_FAILED for an unknown caller (the policy's new-record form opens) and when the page cannot search", async () => {
    const page = crmPage([lead]);
    const { send, posted } = hubspotHost(page.adapter);
    await send("INCOMING_CALL", { externalCallId: "call-2", fromNumber: "+12065550199" });
    expect(posted).toEqual([{ type: "CALLER_ID_MATCH_FAILED", data: { externalCallId: "call-2", message: "No record has +12065550199." } }]);
    expect(page.opened).toEqual([{ form: { recordType: "contact", prefill: { phone: "+12065550199" } } }]);

    const noSearch = hubspotHost(crmPage([lead], { search: false }).adapter);
    await noSearch.send("INCOMING_CALL", { externalCallId: "call-3", fromNumber: "+12065550101" });
    expect(noSearch.posted).toEqual([{ type: "CALLER_ID_MATCH_FAILED", data: { externalCallId: "call-3", message: expect.stringContaining("does not support screenPop") } }]);
  });

  it("answers UPDATE_ENGAGEMENT_FAILED when the call has no record and the agent has none open", async () => {
    const page = crmPage([]);
    const { send, posted } = hubspotHost(page.adapter);
    await send("OUTGOING_CALL_STARTED", { externalCallId: "call-4", toNumber: "+12065550123", createEngagement: true });
    await send("CALL_COMPLETED", { externalCallId: "call-4" });
    expect(page.logged).toEqual([]);
    expect(posted).toEqual([
      { type: "CREATE_ENGAGEMENT_SUCCEEDED", data: { engagementId: 1001, externalCallId: "call-4" } },
      { type: "UPDATE_ENGAGEMENT_FAILED", data: { engagementId: 1001, externalCallId: "call-4", message: "Give record: the agent has no record open." } },
    ]);
  });

  it("logs an outgoing call on the record it was dialed from, and minimizes the panel on hideWidget", async () => {
    const page = crmPage([]);
    const { send, panelCalls, context } = hubspotHost(page.adapter);
    context.lastDial = { phoneNumber: "+12065550101", record: { type: "lead", id: "L-7" } };
    await send("OUTGOING_CALL_STARTED", { externalCallId: "call-5", toNumber: "(206) 555-0101" });
    await send("CALL_COMPLETED", { externalCallId: "call-5", hideWidget: true });
    expect(page.logged).toEqual([expect.objectContaining({ direction: "outbound", subject: "Call to (206) 555-0101", record: { type: "lead", id: "L-7" } })]);
    expect(panelCalls).toEqual([{ mode: "minimized" }]);
  });

  it("opens NAVIGATE_TO_RECORD's record, refuses bad coordinates; reloads only a trusted SET_WIDGET_URL; sizes and signs in", async () => {
    const page = crmPage([lead]);
    const { send, posted, panelCalls } = hubspotHost(page.adapter);
    await send("NAVIGATE_TO_RECORD", { objectCoordinates: { portalId: 1, objectId: 101, objectTypeId: "0-1" } });
    await send("NAVIGATE_TO_RECORD", { objectCoordinates: { objectId: "L-7" } });
    await send("SET_WIDGET_URL", { iFrameUrl: "https://dialer.example/v2/" });
    await send("SET_WIDGET_URL", { iFrameUrl: "https://evil.example/" });
    await send("INITIALIZED", { isLoggedIn: true, sizeInfo: { width: 420, height: 600 } });
    await send("LOGGED_OUT");
    await send("RESIZE_WIDGET", { width: 380, height: 500 });
    expect(page.opened).toEqual([{ record: { type: "contact", id: "101", name: "101" } }]);
    expect(posted).toEqual([
      { type: "NAVIGATE_TO_RECORD_FAILED", data: { message: "objectCoordinates must name an object id and type." } },
      { type: "SET_WIDGET_URL_FAILED", data: { iFrameUrl: "https://evil.example/", message: "The URL is not on an origin the panel trusts." } },
    ]);
    expect(panelCalls).toEqual([{ loadUrl: "https://dialer.example/v2/" }, { signedIn: true }, { width: 420 }, { signedIn: false }, { width: 380 }]);
  });

  it("opens a CRM's own record type for NAVIGATE_TO_RECORD when the tenant's records live in the CRM page", async () => {
    const page = crmPage([lead]);
    const { send, posted } = hubspotHost(page.adapter);
    await send("NAVIGATE_TO_RECORD", { objectCoordinates: { portalId: 1, objectId: "L-7", objectTypeId: "lead" } });
    expect(page.opened).toEqual([{ record: { type: "lead", id: "L-7", name: "L-7" } }]);
    expect(posted).toEqual([]);
  });

  it("answers FINALIZE_ENGAGEMENT and PUBLISH_TO_CHANNEL as failed: WebCTI has no channels", async () => {
    const { send, posted } = hubspotHost(crmPage([]).adapter);
    await send("FINALIZE_ENGAGEMENT", { externalCallId: "call-1", engagementId: 1001 });
    await send("PUBLISH_TO_CHANNEL", { externalCallId: "call-1", engagementId: 1001 });
    expect(posted.map((p) => [p.type, p.data?.engagementId])).toEqual([
      ["FINALIZE_ENGAGEMENT_FAILED", 1001],
      ["PUBLISH_TO_CHANNEL_FAILED", 1001],
    ]);
  });
});
