import { createHmac, randomUUID } from "node:crypto";
/**
 * The route contract, for every definition in functions/index.ts: refused requests (no or bad
 * credentials, bad input, another tenant's objects) get the documented 4xx as problem+json and change
 * nothing in storage. The table below has one entry per definition; a route added without one fails
 * the first test.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack, type ApiResponse } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { demo, type DemoSeed } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { httpFunctions } from "../../functions/index.js";
import type { AnyHttpDefinition } from "../../functions/http/defineHttp.js";
import { buildOpenApiDocument, documentedErrorCodes, openApiPath } from "../../functions/http/openApi.js";
import { problemTable } from "../../functions/http/problem.js";
import { defaultMaxBodyBytes } from "../../functions/http/toAzureHandler.js";
import { webCtiErrorCodes, type WebCtiErrorCode } from "../../shared/errors.js";
import { tableNames } from "../../shared/storage/tables.js";
import { issuePartnerKey, revokePartnerKey } from "../../shared/auth/partnerKeys.js";
import { issueIntegrationKey, revokeIntegrationKey } from "../../shared/auth/integrationKeys.js";
import { linkPrincipal } from "../../shared/auth/agentPrincipal.js";
import { putAgent, putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { saveRecord } from "../../shared/directory/saveRecord.js";
import { crmScope, putEndpoint } from "../../shared/webhooks/endpointStore.js";
import { putCrmEndpoint } from "../../shared/webhooks/crmEndpoint.js";
import { enqueueWebhook } from "../../shared/webhooks/enqueueWebhook.js";
import { requestClickToAct } from "../../shared/webhooks/events.js";
import { demoIdentityProvider } from "../../local/easyAuthEmulator.js";

// ---- The two tenants ---------------------------------------------------------------------------------

/** Tenant A is the demo tenant (contoso); tenant B is another one whose callers probe A's objects. */
const b = {
  tenantId: "fabrikam-audit",
  /** The same provider id as A's: partner objects are kept per tenant, not per provider id. */
  providerId: demo.providerId,
  hooksProviderId: "fab-hooks",
  agentId: "fab-agent",
  signInUser: "fred-audit",
  recordId: "c-fab-1",
  phone: "+1 206 555 0177",
} as const;

/** What the test seeds in tenant A: ids tenant B's callers send, and texts that must never reach them. */
/** A day of KPI figures (any day: the contract is about the request, not the figures). */
const kpiRange = "from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z";

const a = {
  hooksProviderId: "audit-hooks",
  activityId: "audit-act-a",
  /** A's contact that B's PUTs aim at (B gets its own record of that id; A's must not change). */
  probeRecordId: "c-audit-probe",
  accountId: "acc-fabrikam",
  aliceName: "Alice Johnson",
  alicePhone: demo.numbers.oneContact,
};

interface Ctx {
  stack: Stack;
  seed: DemoSeed;
  aKey: string;
  aHooksKey: string;
  bKey: string;
  /** Integration keys (the CRM backends') of A and B; one of A's that was revoked, one whose tenant was removed. */
  aIntegrationKey: string;
  bIntegrationKey: string;
  revokedIntegrationKey: string;
  orphanTenantIntegrationKey: string;
  aCookie: string;
  bCookie: string;
  /** Signed in, but linked to no agent. */
  strangerCookie: string;
  revokedKey: string;
  /** Valid keys whose provider, or whose tenant, was removed after they were issued. */
  orphanProviderKey: string;
  orphanTenantKey: string;
  /** Sessions of users linked to an agent that was removed, or whose tenant was. */
  orphanAgentCookie: string;
  orphanTenantAgentCookie: string;
  popA: string;
  popAForAck: string;
  popB: string;
  deliveryA: string;
  deliveryB: string;
  /** A delivery to tenant A's CRM endpoint. */
  crmDeliveryA: string;
  receiverUrl: string;
}
let ctx: Ctx;
let receiver: Server;
let eventCounter = 0;

// ---- Requests ----------------------------------------------------------------------------------------

interface Req {
  /** Path after `/api`, query included. */
  path: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  /** Routes that require an Idempotency-Key get a fresh one on every request, unless this is set. */
  withoutIdempotencyKey?: true;
}
type Caller = "a" | "b" | "none" | { key: string } | { cookie: string } | { headers: Record<string, string> };

async function send(definition: AnyHttpDefinition, req: Req, caller: Caller): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...req.headers };
  if (definition.idempotency === "required" && !req.withoutIdempotencyKey) headers["idempotency-key"] ??= randomUUID();
  let key: string | undefined;
  if (caller === "a" || caller === "b") {
    if (definition.auth === "partner") key = caller === "a" ? ctx.aKey : ctx.bKey;
    if (definition.auth === "agent") headers.cookie = caller === "a" ? ctx.aCookie : ctx.bCookie;
    if (definition.auth === "integration") key = caller === "a" ? ctx.aIntegrationKey : ctx.bIntegrationKey;
  } else if (caller !== "none") {
    if ("key" in caller) key = caller.key;
    if ("cookie" in caller) headers.cookie = caller.cookie;
    if ("headers" in caller) Object.assign(headers, caller.headers);
  }
  let body = req.body;
  if (req.json !== undefined) {
    body = JSON.stringify(req.json);
    headers["content-type"] ??= "application/json";
  }
  const url = `${ctx.stack.apiUrl}${req.path}`;
  const response = await fetch(url, {
    method: definition.method,
    headers: { ...headers, ...(key ? { authorization: `Bearer ${key}` } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

// ---- The table ---------------------------------------------------------------------------------------

interface BadInput {
  name: string;
  /** Which part of the request is at fault. */
  where: "path" | "query" | "body";
  req: () => Req;
  /** The `errors[]` item the answer must carry. */
  at: { pointer?: string; parameter?: string; header?: string };
}

interface WrongTenant {
  name: string;
  req: () => Req;
  /**
   * 404: refused, nothing stored. 400: a body that names A's object is refused as bad input (documented
   * so: an activity's or a click's `record`, a contact's `accountId`). "own": the route works on B's own
   * objects (lists, look-ups, PUTs): B gets its own answer, with nothing of A's in it.
   */
  expect: 404 | 400 | "own";
  at?: { pointer?: string };
  /** Reads A's object: it must be the same after B's request. */
  unchanged?: () => Promise<unknown>;
}

interface RouteCase {
  /** A request of tenant A's caller that succeeds (it is sent last, once). */
  valid: () => Req;
  bad: BadInput[];
  /** B's requests on A's objects, or why the route has none (no object of a tenant in its path, body or query). */
  wrongTenant: WrongTenant[] | { none: string };
}

const now = () => new Date().toISOString();
const analyticsEvent = () => ({ eventId: nextEventId(), conversationId: auditConversation, eventName: "surveyOffered", eventTimestamp: now() });
const freshKey = () => ({ "idempotency-key": randomUUID() });
/** A conversation of tenant A's main provider. */
const auditConversation = "audit-conv-a";
const nextEventId = () => `audit-ev-${++eventCounter}`;
const ringing = (agentId: string, phone: string) => ({
  type: "ringing",
  eventId: nextEventId(),
  conversationId: `audit-conv-${eventCounter}`,
  occurredAt: now(),
  agentId,
  customer: { phone },
});
const readAsA = (path: string) => async () => {
  const res = await call(`${ctx.stack.apiUrl}${path}`, { key: ctx.aKey });
  return { status: res.status, body: res.body };
};
const readAsAgentA = (path: string) => async () => {
  const res = await call(`${ctx.stack.apiUrl}${path}`, { headers: { cookie: ctx.aCookie } });
  return { status: res.status, body: res.body };
};
const aEndpointRow = async () => {
  const row = await ctx.stack.services.tables.webhookEndpoints.getEntity(`${demo.tenantId}|${demo.providerId}`, "");
  const { etag: _etag, timestamp: _timestamp, ...rest } = row as Record<string, unknown>;
  return rest;
};
const aCrmEndpointRow = async () => {
  const row = await ctx.stack.services.tables.webhookEndpoints.getEntity(`${demo.tenantId}|${crmScope}`, "");
  const { etag: _etag, timestamp: _timestamp, ...rest } = row as Record<string, unknown>;
  return rest;
};
const longId = "x".repeat(201);
/** The CloudEvents headers Web PubSub sends its event handler, signed with the hub's access key. */
const pushEventHeaders = (connectionId: string) => ({
  "ce-type": "azure.webpubsub.sys.disconnected",
  "ce-connectionId": connectionId,
  "ce-userId": `${demo.tenantId}|${demo.agentId}`,
  "ce-signature": `sha256=${createHmac("sha256", ctx.stack.webPubSub.accessKey).update(connectionId).digest("hex")}`,
});

const routes: Record<string, RouteCase> = {
  postConversationEvent: {
    valid: () => ({ path: "/v1/conversations/events", json: ringing(demo.agentId, demo.numbers.unknown) }),
    bad: [
      { name: "a time that is not RFC 3339", where: "body", req: () => ({ path: "/v1/conversations/events", json: { ...ringing(demo.agentId, "1"), occurredAt: "yesterday" } }), at: { pointer: "#/occurredAt" } },
      { name: "a ringing event without an agent", where: "body", req: () => ({ path: "/v1/conversations/events", json: { ...ringing(demo.agentId, "1"), agentId: undefined } }), at: { pointer: "#/agentId" } },
    ],
    wrongTenant: [
      { name: "an event for A's agent", expect: 404, at: { pointer: "#/agentId" }, req: () => ({ path: "/v1/conversations/events", json: ringing(demo.agentId, a.alicePhone) }) },
    ],
  },
  postConversationEventBatch: {
    valid: () => ({ path: "/v1/conversations/events/batch", json: { events: [ringing(demo.agentId, demo.numbers.unknown)] } }),
    bad: [
      { name: "no events", where: "body", req: () => ({ path: "/v1/conversations/events/batch", json: { events: [] } }), at: { pointer: "#/events" } },
      { name: "an event with a bad time", where: "body", req: () => ({ path: "/v1/conversations/events/batch", json: { events: [{ ...ringing(demo.agentId, "1"), occurredAt: "soon" }] } }), at: { pointer: "#/events/0/occurredAt" } },
    ],
    // Agents are checked before the first write: the whole batch is refused, pointing at each event that names one.
    wrongTenant: [{ name: "a batch naming A's agent", expect: 404, at: { pointer: "#/events/1/agentId" }, req: () => ({ path: "/v1/conversations/events/batch", json: { events: [ringing(b.agentId, b.phone), ringing(demo.agentId, a.alicePhone)] } }) }],
  },
  getConversation: {
    valid: () => ({ path: `/v1/conversations/${auditConversation}` }),
    bad: [{ name: "an id with a space", where: "path", req: () => ({ path: "/v1/conversations/a%20b" }), at: { parameter: "conversationId" } }],
    wrongTenant: [{ name: "A's conversation (B's provider has the same id)", expect: 404, req: () => ({ path: `/v1/conversations/${auditConversation}` }) }],
  },
  postAnalyticsEvents: {
    valid: () => ({ path: "/v1/analytics/events", json: { events: [analyticsEvent()] } }),
    bad: [
      { name: "no events", where: "body", req: () => ({ path: "/v1/analytics/events", json: { events: [] } }), at: { pointer: "#/events" } },
      { name: "an event without a name", where: "body", req: () => ({ path: "/v1/analytics/events", json: { events: [{ ...analyticsEvent(), eventName: "" }] } }), at: { pointer: "#/events/0/eventName" } },
    ],
    // Conversation ids are the provider's own: B's event under A's id is B's, and A's conversation is untouched.
    wrongTenant: [{ name: "A's conversation id", expect: "own", unchanged: readAsA(`/v1/conversations/${auditConversation}`), req: () => ({ path: "/v1/analytics/events", json: { events: [analyticsEvent()] } }) }],
  },
  getKpis: {
    valid: () => ({ path: `/v1/analytics/kpis?${kpiRange}&interval=hour` }),
    bad: [
      { name: "a from inside an hour", where: "query", req: () => ({ path: "/v1/analytics/kpis?from=2026-11-01T00:10:00Z&to=2026-11-02T00:00:00Z&interval=hour" }), at: { parameter: "from" } },
      { name: "an unknown interval", where: "query", req: () => ({ path: `/v1/analytics/kpis?${kpiRange}&interval=week` }), at: { parameter: "interval" } },
      { name: "a range that ends before it starts", where: "query", req: () => ({ path: "/v1/analytics/kpis?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z&interval=day" }), at: { parameter: "to" } },
      { name: "15-minute figures over a year", where: "query", req: () => ({ path: "/v1/analytics/kpis?from=2025-11-01T00:00:00Z&to=2026-11-01T00:00:00Z&interval=15m" }), at: { parameter: "to" } },
    ],
    wrongTenant: [{ name: "B's own figures under the same provider id", expect: "own", req: () => ({ path: `/v1/analytics/kpis?${kpiRange}&interval=day` }) }],
  },
  exportFacts: {
    valid: () => ({ path: "/v1/analytics/conversations?format=csv" }),
    bad: [
      { name: "a forged cursor", where: "query", req: () => ({ path: "/v1/analytics/conversations?cursor=e30" }), at: { parameter: "cursor" } },
      { name: "an unknown format", where: "query", req: () => ({ path: "/v1/analytics/conversations?format=xml" }), at: { parameter: "format" } },
    ],
    wrongTenant: [{ name: "B's own facts under the same provider id", expect: "own", req: () => ({ path: "/v1/analytics/conversations?since=2026-01-01T00:00:00Z" }) }],
  },
  postScreenPop: {
    valid: () => ({ path: "/v1/screen-pops", json: { agentId: demo.agentId, conversationId: "audit-manual", target: { kind: "newRecord", recordType: "contact", prefill: { name: "Audit" } } } }),
    bad: [
      { name: "an agent id with a space", where: "body", req: () => ({ path: "/v1/screen-pops", json: { agentId: "a b", conversationId: "c", target: { kind: "search", query: "x" } } }), at: { pointer: "#/agentId" } },
      { name: "no conversation id", where: "body", req: () => ({ path: "/v1/screen-pops", json: { agentId: demo.agentId, target: { kind: "search", query: "x" } } }), at: { pointer: "#/conversationId" } },
    ],
    wrongTenant: [
      { name: "A's agent", expect: 404, at: { pointer: "#/agentId" }, req: () => ({ path: "/v1/screen-pops", json: { agentId: demo.agentId, conversationId: "c", target: { kind: "search", query: "x" } } }) },
    ],
  },
  getScreenPop: {
    valid: () => ({ path: `/v1/screen-pops/${ctx.popA}` }),
    bad: [{ name: "a pop id longer than 200", where: "path", req: () => ({ path: `/v1/screen-pops/${longId}` }), at: { parameter: "popId" } }],
    wrongTenant: [{ name: "A's pop", expect: 404, req: () => ({ path: `/v1/screen-pops/${ctx.popA}` }) }],
  },
  lookupDirectory: {
    valid: () => ({ path: `/v1/directory/lookup?phone=${encodeURIComponent(a.alicePhone)}` }),
    bad: [
      { name: "an email that is not one", where: "query", req: () => ({ path: "/v1/directory/lookup?email=not-an-email" }), at: { parameter: "email" } },
      { name: "a phone of two characters", where: "query", req: () => ({ path: "/v1/directory/lookup?phone=12" }), at: { parameter: "phone" } },
    ],
    wrongTenant: [{ name: "A's customer's number", expect: "own", req: () => ({ path: `/v1/directory/lookup?phone=${encodeURIComponent(a.alicePhone)}` }) }],
  },
  putDirectoryRecord: {
    valid: () => ({ path: "/v1/directory/contacts/c-audit-new", json: { name: "New contact", phones: [{ number: "+1 206 555 0188" }] } }),
    bad: [
      { name: "an unknown collection", where: "path", req: () => ({ path: "/v1/directory/people/c-x", json: { name: "X" } }), at: { parameter: "collection" } },
      { name: "a record id with a space", where: "path", req: () => ({ path: "/v1/directory/contacts/c%20x", json: { name: "X" } }), at: { parameter: "recordId" } },
      { name: "an empty name", where: "body", req: () => ({ path: "/v1/directory/contacts/c-x", json: { name: "" } }), at: { pointer: "#/name" } },
    ],
    wrongTenant: [
      { name: "a contact in A's account", expect: 400, at: { pointer: "#/accountId" }, req: () => ({ path: "/v1/directory/contacts/c-fab-new", json: { name: "X", accountId: a.accountId } }) },
      { name: "A's record id", expect: "own", unchanged: readAsA(`/v1/directory/lookup?phone=${encodeURIComponent("+1 206 555 0166")}`), req: () => ({ path: `/v1/directory/contacts/${a.probeRecordId}`, json: { name: "B's probe", phones: [{ number: "+1 206 555 0166" }] } }) },
    ],
  },
  negotiate: {
    valid: () => ({ path: "/v1/agent/negotiate" }),
    bad: [],
    wrongTenant: { none: "the caller's own connection; nothing of a tenant in the request" },
  },
  getAgentMe: {
    valid: () => ({ path: "/v1/agent/me" }),
    bad: [],
    wrongTenant: { none: "the caller itself; nothing of a tenant in the request" },
  },
  listAgentScreenPops: {
    valid: () => ({ path: "/v1/agent/screen-pops" }),
    bad: [{ name: "a since that is not a sequence number", where: "query", req: () => ({ path: "/v1/agent/screen-pops?since=abc" }), at: { parameter: "since" } }],
    wrongTenant: [{ name: "B's own pops, none of A's", expect: "own", req: () => ({ path: "/v1/agent/screen-pops" }) }],
  },
  ackScreenPop: {
    valid: () => ({ path: `/v1/agent/screen-pops/${ctx.popAForAck}/ack` }),
    bad: [{ name: "a pop id longer than 200", where: "path", req: () => ({ path: `/v1/agent/screen-pops/${longId}/ack` }), at: { parameter: "popId" } }],
    wrongTenant: [{ name: "A's pop", expect: 404, unchanged: () => readAsA(`/v1/screen-pops/${ctx.popA}`)(), req: () => ({ path: `/v1/agent/screen-pops/${ctx.popA}/ack` }) }],
  },
  searchAgentDirectory: {
    valid: () => ({ path: `/v1/agent/search?phone=${encodeURIComponent(a.alicePhone)}` }),
    bad: [{ name: "an email that is not one", where: "query", req: () => ({ path: "/v1/agent/search?email=nope" }), at: { parameter: "email" } }],
    wrongTenant: [{ name: "A's customer's number", expect: "own", req: () => ({ path: `/v1/agent/search?phone=${encodeURIComponent(a.alicePhone)}` }) }],
  },
  listAgentRecords: {
    valid: () => ({ path: "/v1/agent/directory/contacts" }),
    bad: [{ name: "an unknown collection", where: "path", req: () => ({ path: "/v1/agent/directory/people" }), at: { parameter: "collection" } }],
    wrongTenant: [{ name: "B's own contacts, none of A's", expect: "own", req: () => ({ path: "/v1/agent/directory/contacts" }) }],
  },
  getAgentRecord: {
    valid: () => ({ path: "/v1/agent/directory/contacts/c-alice" }),
    bad: [{ name: "a record id with a space", where: "path", req: () => ({ path: "/v1/agent/directory/contacts/c%20x" }), at: { parameter: "recordId" } }],
    wrongTenant: [{ name: "A's contact", expect: 404, req: () => ({ path: "/v1/agent/directory/contacts/c-alice" }) }],
  },
  putAgentRecord: {
    valid: () => ({ path: "/v1/agent/directory/contacts/c-audit-agent-new", json: { name: "From the desktop" } }),
    bad: [
      { name: "an unknown collection", where: "path", req: () => ({ path: "/v1/agent/directory/people/c-x", json: { name: "X" } }), at: { parameter: "collection" } },
      { name: "emails that are not a list", where: "body", req: () => ({ path: "/v1/agent/directory/contacts/c-x", json: { name: "X", emails: "a@b.example" } }), at: { pointer: "#/emails" } },
    ],
    wrongTenant: [
      { name: "a contact in A's account", expect: 400, at: { pointer: "#/accountId" }, req: () => ({ path: "/v1/agent/directory/contacts/c-fab-new", json: { name: "X", accountId: a.accountId } }) },
      { name: "A's record id", expect: "own", unchanged: readAsAgentA(`/v1/agent/directory/contacts/${a.probeRecordId}`), req: () => ({ path: `/v1/agent/directory/contacts/${a.probeRecordId}`, json: { name: "B's probe from the desktop" } }) },
    ],
  },
  deleteAgentRecord: {
    valid: () => ({ path: "/v1/agent/directory/contacts/c-audit-del-agent" }),
    bad: [{ name: "an unknown collection", where: "path", req: () => ({ path: "/v1/agent/directory/people/c-alice" }), at: { parameter: "collection" } }],
    wrongTenant: [{ name: "A's contact", expect: 404, unchanged: readAsAgentA("/v1/agent/directory/contacts/c-alice"), req: () => ({ path: "/v1/agent/directory/contacts/c-alice" }) }],
  },
  postAgentActivity: {
    valid: () => ({ path: "/v1/agent/activities", json: { providerId: demo.providerId, record: { type: "contact", id: "c-alice" }, subject: "Audit call" } }),
    bad: [
      { name: "no subject", where: "body", req: () => ({ path: "/v1/agent/activities", json: { providerId: demo.providerId, record: { type: "contact", id: "c-alice" } } }), at: { pointer: "#/subject" } },
    ],
    wrongTenant: [
      { name: "an activity on A's contact", expect: 400, at: { pointer: "#/record/id" }, req: () => ({ path: "/v1/agent/activities", json: { providerId: b.providerId, record: { type: "contact", id: "c-alice" }, subject: "Probe" } }) },
      { name: "A's provider", expect: 400, at: { pointer: "#/providerId" }, req: () => ({ path: "/v1/agent/activities", json: { providerId: a.hooksProviderId, record: { type: "contact", id: b.recordId }, subject: "Probe" } }) },
    ],
  },
  patchAgentActivity: {
    // The subject it has: a valid update that changes nothing, so no activity.updated is settled in the background mid-snapshot.
    valid: () => ({ path: `/v1/agent/activities/${a.activityId}`, json: { providerId: demo.providerId, subject: "A's call" } }),
    bad: [
      { name: "an empty subject", where: "body", req: () => ({ path: `/v1/agent/activities/${a.activityId}`, json: { providerId: demo.providerId, subject: "" } }), at: { pointer: "#/subject" } },
      { name: "a malformed activity id", where: "path", req: () => ({ path: `/v1/agent/activities/${longId}`, json: { providerId: demo.providerId, notes: "x" } }), at: { parameter: "activityId" } },
    ],
    wrongTenant: [
      { name: "A's activity", expect: 404, unchanged: readAsA(`/v1/activities/${a.activityId}`), req: () => ({ path: `/v1/agent/activities/${a.activityId}`, json: { providerId: b.providerId, notes: "Probe" } }) },
    ],
  },
  listRecordActivities: {
    valid: () => ({ path: "/v1/agent/directory/contacts/c-alice/activities" }),
    bad: [
      { name: "a limit of 0", where: "query", req: () => ({ path: "/v1/agent/directory/contacts/c-alice/activities?limit=0" }), at: { parameter: "limit" } },
      { name: "a forged cursor", where: "query", req: () => ({ path: "/v1/agent/directory/contacts/c-alice/activities?cursor=bm9wZQ" }), at: { parameter: "cursor" } },
      { name: "an unknown collection", where: "path", req: () => ({ path: "/v1/agent/directory/people/c-alice/activities" }), at: { parameter: "collection" } },
    ],
    wrongTenant: [{ name: "A's contact's timeline", expect: 404, req: () => ({ path: "/v1/agent/directory/contacts/c-alice/activities" }) }],
  },
  getOpenApiDocument: {
    valid: () => ({ path: "/v1/openapi.json" }),
    bad: [],
    wrongTenant: { none: "anonymous and the same for everyone" },
  },
  getHealth: {
    valid: () => ({ path: "/health" }),
    bad: [],
    wrongTenant: { none: "anonymous, no tenant data: the same for everyone" },
  },
  webPubSubEvents: {
    // A `disconnected` event signed as the hub signs it: called by Web PubSub, never by a tenant.
    valid: () => ({ path: "/v1/push/events", json: { reason: "" }, headers: pushEventHeaders("audit-connection") }),
    bad: [{ name: "a body that is not an object", where: "body", req: () => ({ path: "/v1/push/events", json: [1], headers: pushEventHeaders("audit-connection") }), at: { pointer: "#" } }],
    wrongTenant: { none: "called by the Web PubSub service with its signature; no tenant object in its path or query" },
  },
  listAgentPanels: {
    valid: () => ({ path: "/v1/agent/panels" }),
    bad: [],
    wrongTenant: [{ name: "B's own panels, none of A's", expect: "own", req: () => ({ path: "/v1/agent/panels" }) }],
  },
  putPresence: {
    valid: () => ({ path: `/v1/agents/${demo.agentId}/presence`, json: { status: "busy", reason: "Audit" } }),
    bad: [
      { name: "an unknown status", where: "body", req: () => ({ path: `/v1/agents/${demo.agentId}/presence`, json: { status: "asleep" } }), at: { pointer: "#/status" } },
      { name: "a time in the future", where: "body", req: () => ({ path: `/v1/agents/${demo.agentId}/presence`, json: { status: "busy", changedAt: "2999-01-01T00:00:00Z" } }), at: { pointer: "#/changedAt" } },
      { name: "an agent id with a space", where: "path", req: () => ({ path: "/v1/agents/a%20b/presence", json: { status: "busy" } }), at: { parameter: "agentId" } },
    ],
    wrongTenant: [{ name: "A's agent", expect: 404, unchanged: readAsA(`/v1/agents/${demo.agentId}/presence`), req: () => ({ path: `/v1/agents/${demo.agentId}/presence`, json: { status: "away" } }) }],
  },
  getPresence: {
    valid: () => ({ path: `/v1/agents/${demo.agentId}/presence` }),
    bad: [{ name: "an agent id with a space", where: "path", req: () => ({ path: "/v1/agents/a%20b/presence" }), at: { parameter: "agentId" } }],
    wrongTenant: [{ name: "A's agent", expect: 404, req: () => ({ path: `/v1/agents/${demo.agentId}/presence` }) }],
  },
  getAgentPresence: {
    valid: () => ({ path: "/v1/agent/presence" }),
    bad: [],
    wrongTenant: { none: "the caller's own presence; nothing of a tenant in the request" },
  },
  putAgentPresence: {
    valid: () => ({ path: "/v1/agent/presence", json: { status: "available" } }),
    bad: [{ name: "a reason with a control character", where: "body", req: () => ({ path: "/v1/agent/presence", json: { status: "away", reason: "a\u0007b" } }), at: { pointer: "#/reason" } }],
    wrongTenant: { none: "the caller's own presence; nothing of a tenant in the request" },
  },
  postActivity: {
    // Without an activityId the route needs an Idempotency-Key: a fresh one per request.
    valid: () => ({ path: "/v1/activities", headers: freshKey(), json: { record: { type: "contact", id: "c-alice" }, subject: "Audit partner call" } }),
    bad: [
      { name: "a negative duration", where: "body", req: () => ({ path: "/v1/activities", headers: freshKey(), json: { record: { type: "contact", id: "c-alice" }, subject: "X", durationSeconds: -1 } }), at: { pointer: "#/durationSeconds" } },
      { name: "neither an activityId nor an Idempotency-Key", where: "body", req: () => ({ path: "/v1/activities", json: { record: { type: "contact", id: "c-alice" }, subject: "X" } }), at: { header: "Idempotency-Key" } },
    ],
    wrongTenant: [
      { name: "A's agent", expect: 404, at: { pointer: "#/agentId" }, req: () => ({ path: "/v1/activities", headers: freshKey(), json: { record: { type: "contact", id: b.recordId }, subject: "Probe", agentId: demo.agentId } }) },
      { name: "A's contact", expect: 400, at: { pointer: "#/record/id" }, req: () => ({ path: "/v1/activities", headers: freshKey(), json: { record: { type: "contact", id: "c-alice" }, subject: "Probe" } }) },
    ],
  },
  getActivity: {
    valid: () => ({ path: `/v1/activities/${a.activityId}` }),
    bad: [{ name: "an id with a space", where: "path", req: () => ({ path: "/v1/activities/a%20b" }), at: { parameter: "activityId" } }],
    wrongTenant: [{ name: "A's activity", expect: 404, req: () => ({ path: `/v1/activities/${a.activityId}` }) }],
  },
  listDirectoryRecordActivities: {
    valid: () => ({ path: "/v1/directory/contacts/c-alice/activities?limit=2" }),
    bad: [
      { name: "a limit of 201", where: "query", req: () => ({ path: "/v1/directory/contacts/c-alice/activities?limit=201" }), at: { parameter: "limit" } },
      { name: "a record id with a space", where: "path", req: () => ({ path: "/v1/directory/contacts/c%20x/activities" }), at: { parameter: "recordId" } },
    ],
    wrongTenant: [{ name: "A's contact's timeline", expect: 404, req: () => ({ path: "/v1/directory/contacts/c-alice/activities" }) }],
  },
  deleteDirectoryRecord: {
    valid: () => ({ path: "/v1/directory/contacts/c-audit-del-partner" }),
    bad: [{ name: "an unknown collection", where: "path", req: () => ({ path: "/v1/directory/people/c-alice" }), at: { parameter: "collection" } }],
    wrongTenant: [{ name: "A's contact", expect: 404, unchanged: readAsA(`/v1/directory/lookup?phone=${encodeURIComponent(a.alicePhone)}`), req: () => ({ path: "/v1/directory/contacts/c-alice" }) }],
  },
  postDirectoryBatch: {
    valid: () => ({ path: "/v1/directory/batch", json: { operations: [{ op: "upsert", type: "account", id: "acc-audit-batch", record: { name: "Batch account" } }] } }),
    bad: [
      { name: "no operations", where: "body", req: () => ({ path: "/v1/directory/batch", json: { operations: [] } }), at: { pointer: "#/operations" } },
      { name: "an unknown operation", where: "body", req: () => ({ path: "/v1/directory/batch", json: { operations: [{ op: "merge", type: "contact", id: "c-x" }] } }), at: { pointer: "#/operations/0/op" } },
    ],
    wrongTenant: [
      { name: "a contact in A's account", expect: 400, at: { pointer: "#/operations/0/record/accountId" }, req: () => ({ path: "/v1/directory/batch", json: { operations: [{ op: "upsert", type: "contact", id: "c-fab-batch", record: { name: "X", accountId: a.accountId } }] } }) },
      { name: "deleting A's contact", expect: "own", unchanged: readAsA(`/v1/directory/lookup?phone=${encodeURIComponent(a.alicePhone)}`), req: () => ({ path: "/v1/directory/batch", json: { operations: [{ op: "delete", type: "contact", id: "c-alice" }] } }) },
    ],
  },
  putWebhookEndpoint: {
    valid: () => ({ path: "/v1/webhooks/endpoint", json: { url: `${ctx.receiverUrl}/hook-a`, eventTypes: ["clickToAct.requested"] } }),
    bad: [
      { name: "a URL that is not http(s)", where: "body", req: () => ({ path: "/v1/webhooks/endpoint", json: { url: "ftp://example.com/h", eventTypes: ["presence.changed"] } }), at: { pointer: "#/url" } },
      { name: "an unknown event type", where: "body", req: () => ({ path: "/v1/webhooks/endpoint", json: { url: "https://example.com/h", eventTypes: ["call.ended"] } }), at: { pointer: "#/eventTypes/0" } },
    ],
    // B's provider has A's provider's id: B's PUT makes B's own endpoint (deleted again after the check).
    wrongTenant: [{ name: "the provider id A also has", expect: "own", unchanged: aEndpointRow, req: () => ({ path: "/v1/webhooks/endpoint", json: { url: `${ctx.receiverUrl}/hook-b-probe`, eventTypes: ["presence.changed"] } }) }],
  },
  getWebhookEndpoint: {
    valid: () => ({ path: "/v1/webhooks/endpoint" }),
    bad: [],
    wrongTenant: [{ name: "the provider id whose endpoint only A has", expect: 404, req: () => ({ path: "/v1/webhooks/endpoint" }) }],
  },
  deleteWebhookEndpoint: {
    // Sent with A's second provider's key (below), so A's main endpoint stays for the other routes.
    valid: () => ({ path: "/v1/webhooks/endpoint" }),
    bad: [],
    wrongTenant: [{ name: "the provider id whose endpoint only A has", expect: 404, unchanged: aEndpointRow, req: () => ({ path: "/v1/webhooks/endpoint" }) }],
  },
  rotateWebhookSecret: {
    valid: () => ({ path: "/v1/webhooks/endpoint/rotate-secret" }),
    bad: [],
    wrongTenant: [{ name: "the provider id whose endpoint only A has", expect: 404, unchanged: aEndpointRow, req: () => ({ path: "/v1/webhooks/endpoint/rotate-secret" }) }],
  },
  getAgentKpis: {
    valid: () => ({ path: `/v1/agent/analytics/kpis?${kpiRange}&interval=day&by=agent` }),
    bad: [
      { name: "an unknown split", where: "query", req: () => ({ path: `/v1/agent/analytics/kpis?${kpiRange}&by=team` }), at: { parameter: "by" } },
      { name: "a to that is not a date", where: "query", req: () => ({ path: "/v1/agent/analytics/kpis?from=2026-11-01T00:00:00Z&to=tomorrow" }), at: { parameter: "to" } },
    ],
    wrongTenant: [
      { name: "B's own provider of the same id", expect: "own", req: () => ({ path: `/v1/agent/analytics/kpis?${kpiRange}&providerId=${demo.providerId}` }) },
      { name: "A's provider", expect: 404, req: () => ({ path: `/v1/agent/analytics/kpis?${kpiRange}&providerId=${a.hooksProviderId}` }) },
    ],
  },
  exportAgentFacts: {
    valid: () => ({ path: `/v1/agent/analytics/conversations?providerId=${demo.providerId}&format=jsonl` }),
    bad: [{ name: "no provider", where: "query", req: () => ({ path: "/v1/agent/analytics/conversations" }), at: { parameter: "providerId" } }],
    wrongTenant: [
      { name: "B's own provider of the same id", expect: "own", req: () => ({ path: `/v1/agent/analytics/conversations?providerId=${demo.providerId}` }) },
      { name: "A's provider", expect: 404, req: () => ({ path: `/v1/agent/analytics/conversations?providerId=${a.hooksProviderId}` }) },
    ],
  },
  getAgentKpiSettings: {
    valid: () => ({ path: "/v1/agent/analytics/settings" }),
    bad: [],
    wrongTenant: { none: "the caller's own tenant's settings; nothing of a tenant in the request" },
  },
  putAgentKpiSettings: {
    valid: () => ({ path: "/v1/agent/analytics/settings", json: { shortAbandonSeconds: 5, serviceLevelSeconds: 20 } }),
    bad: [{ name: "a negative threshold", where: "body", req: () => ({ path: "/v1/agent/analytics/settings", json: { shortAbandonSeconds: -1, serviceLevelSeconds: 20 } }), at: { pointer: "#/shortAbandonSeconds" } }],
    wrongTenant: { none: "the caller's own tenant's settings; nothing of a tenant in the request" },
  },
  putPartnerUser: {
    valid: () => ({ path: `/v1/agents/${demo.agentId}/partner-user`, json: { partnerUserId: "audit-user" } }),
    bad: [
      { name: "an id with a space", where: "body", req: () => ({ path: `/v1/agents/${demo.agentId}/partner-user`, json: { partnerUserId: "a b" } }), at: { pointer: "#/partnerUserId" } },
      { name: "an unknown field", where: "body", req: () => ({ path: `/v1/agents/${demo.agentId}/partner-user`, json: { partnerUserId: "x", extra: 1 } }), at: { pointer: "#" } },
      { name: "an agent id with a space", where: "path", req: () => ({ path: "/v1/agents/a%20b/partner-user", json: { partnerUserId: "x" } }), at: { parameter: "agentId" } },
    ],
    wrongTenant: [{ name: "A's agent", expect: 404, unchanged: readAsA(`/v1/agents/${demo.agentId}/partner-user`), req: () => ({ path: `/v1/agents/${demo.agentId}/partner-user`, json: { partnerUserId: "b-user" } }) }],
  },
  getPartnerUser: {
    valid: () => ({ path: `/v1/agents/${demo.agentId}/partner-user` }),
    bad: [{ name: "an agent id with a space", where: "path", req: () => ({ path: "/v1/agents/a%20b/partner-user" }), at: { parameter: "agentId" } }],
    wrongTenant: [{ name: "A's agent", expect: 404, req: () => ({ path: `/v1/agents/${demo.agentId}/partner-user` }) }],
  },
  deletePartnerUser: {
    valid: () => ({ path: `/v1/agents/${demo.agentId}/partner-user` }),
    bad: [{ name: "an agent id with a space", where: "path", req: () => ({ path: "/v1/agents/a%20b/partner-user" }), at: { parameter: "agentId" } }],
    wrongTenant: [{ name: "A's agent", expect: 404, req: () => ({ path: `/v1/agents/${demo.agentId}/partner-user` }) }],
  },
  listAgents: {
    valid: () => ({ path: "/v1/agents?limit=5" }),
    bad: [
      { name: "a forged cursor", where: "query", req: () => ({ path: "/v1/agents?cursor=e30" }), at: { parameter: "cursor" } },
      { name: "a limit of 0", where: "query", req: () => ({ path: "/v1/agents?limit=0" }), at: { parameter: "limit" } },
    ],
    wrongTenant: [{ name: "B's own agents, none of A's", expect: "own", req: () => ({ path: "/v1/agents" }) }],
  },
  listWebhookDeliveries: {
    valid: () => ({ path: "/v1/webhooks/deliveries?limit=5" }),
    bad: [
      { name: "a forged cursor", where: "query", req: () => ({ path: "/v1/webhooks/deliveries?cursor=e30" }), at: { parameter: "cursor" } },
      { name: "a limit that is not a number", where: "query", req: () => ({ path: "/v1/webhooks/deliveries?limit=ten" }), at: { parameter: "limit" } },
    ],
    wrongTenant: [{ name: "B's own deliveries, none of A's", expect: "own", req: () => ({ path: "/v1/webhooks/deliveries" }) }],
  },
  getWebhookDelivery: {
    valid: () => ({ path: `/v1/webhooks/deliveries/${ctx.deliveryA}` }),
    bad: [{ name: "an id that is not a delivery id", where: "path", req: () => ({ path: "/v1/webhooks/deliveries/msg_nope" }), at: { parameter: "deliveryId" } }],
    wrongTenant: [{ name: "A's delivery", expect: 404, req: () => ({ path: `/v1/webhooks/deliveries/${ctx.deliveryA}` }) }],
  },
  putIntegrationWebhookEndpoint: {
    valid: () => ({ path: "/v1/integration/webhooks/endpoint", json: { url: `${ctx.receiverUrl}/hook-a-crm`, eventTypes: ["activity.updated"] } }),
    bad: [
      { name: "a partner's event type", where: "body", req: () => ({ path: "/v1/integration/webhooks/endpoint", json: { url: "https://example.com/h", eventTypes: ["presence.changed"] } }), at: { pointer: "#/eventTypes/0" } },
      { name: "credentials in the URL", where: "body", req: () => ({ path: "/v1/integration/webhooks/endpoint", json: { url: "https://u:p@example.com/h", eventTypes: ["activity.created"] } }), at: { pointer: "#/url" } },
    ],
    wrongTenant: [{ name: "B's own endpoint, A's unchanged", expect: "own", unchanged: aCrmEndpointRow, req: () => ({ path: "/v1/integration/webhooks/endpoint", json: { url: `${ctx.receiverUrl}/hook-b-crm`, eventTypes: ["activity.created"] } }) }],
  },
  getIntegrationWebhookEndpoint: {
    valid: () => ({ path: "/v1/integration/webhooks/endpoint" }),
    bad: [],
    wrongTenant: [{ name: "the endpoint only A has", expect: 404, req: () => ({ path: "/v1/integration/webhooks/endpoint" }) }],
  },
  rotateIntegrationWebhookSecret: {
    valid: () => ({ path: "/v1/integration/webhooks/endpoint/rotate-secret" }),
    bad: [],
    wrongTenant: [{ name: "the endpoint only A has", expect: 404, unchanged: aCrmEndpointRow, req: () => ({ path: "/v1/integration/webhooks/endpoint/rotate-secret" }) }],
  },
  listIntegrationWebhookDeliveries: {
    valid: () => ({ path: "/v1/integration/webhooks/deliveries?limit=5" }),
    bad: [{ name: "a forged cursor", where: "query", req: () => ({ path: "/v1/integration/webhooks/deliveries?cursor=e30" }), at: { parameter: "cursor" } }],
    wrongTenant: [{ name: "B's own deliveries, none of A's", expect: "own", req: () => ({ path: "/v1/integration/webhooks/deliveries" }) }],
  },
  getIntegrationWebhookDelivery: {
    valid: () => ({ path: `/v1/integration/webhooks/deliveries/${ctx.crmDeliveryA}` }),
    bad: [{ name: "an id that is not a delivery id", where: "path", req: () => ({ path: "/v1/integration/webhooks/deliveries/msg_nope" }), at: { parameter: "deliveryId" } }],
    wrongTenant: [{ name: "A's delivery", expect: 404, req: () => ({ path: `/v1/integration/webhooks/deliveries/${ctx.crmDeliveryA}` }) }],
  },
  deleteIntegrationWebhookEndpoint: {
    // After the other CRM endpoint routes (functions/index.ts lists it after them): A's endpoint goes last.
    valid: () => ({ path: "/v1/integration/webhooks/endpoint" }),
    bad: [],
    wrongTenant: [{ name: "the endpoint only A has", expect: 404, unchanged: aCrmEndpointRow, req: () => ({ path: "/v1/integration/webhooks/endpoint" }) }],
  },
  listIntegrationActivities: {
    valid: () => ({ path: "/v1/integration/activities?limit=10" }),
    bad: [
      { name: "a forged cursor", where: "query", req: () => ({ path: "/v1/integration/activities?cursor=e30" }), at: { parameter: "cursor" } },
      { name: "a limit over 500", where: "query", req: () => ({ path: "/v1/integration/activities?limit=501" }), at: { parameter: "limit" } },
      { name: "a since that is not a time", where: "query", req: () => ({ path: "/v1/integration/activities?since=yesterday" }), at: { parameter: "since" } },
    ],
    wrongTenant: [{ name: "B's own feed, none of A's activities", expect: "own", req: () => ({ path: "/v1/integration/activities" }) }],
  },
  postAgentClickToAct: {
    valid: () => ({ path: "/v1/agent/click-to-act", json: { providerId: demo.providerId, kind: "email", value: "alice@fabrikam.example" } }),
    bad: [
      { name: "an unknown kind", where: "body", req: () => ({ path: "/v1/agent/click-to-act", json: { providerId: demo.providerId, kind: "fax", value: "1" } }), at: { pointer: "#/kind" } },
      { name: "a phone that is not a number", where: "body", req: () => ({ path: "/v1/agent/click-to-act", json: { providerId: demo.providerId, kind: "phone", value: "call me" } }), at: { pointer: "#/value" } },
    ],
    wrongTenant: [
      { name: "A's provider", expect: 404, at: { pointer: "#/providerId" }, req: () => ({ path: "/v1/agent/click-to-act", json: { providerId: a.hooksProviderId, kind: "email", value: "x@y.example" } }) },
      { name: "A's contact", expect: 400, at: { pointer: "#/record/id" }, req: () => ({ path: "/v1/agent/click-to-act", json: { providerId: b.hooksProviderId, kind: "email", value: "x@y.example", record: { type: "contact", id: "c-alice" } } }) },
    ],
  },
  postAgentConversationEvent: {
    valid: () => ({ path: "/v1/agent/conversations/events", json: { ...ringing(demo.agentId, demo.numbers.unknown), providerId: "audit-widget" } }),
    bad: [
      { name: "no provider", where: "body", req: () => ({ path: "/v1/agent/conversations/events", json: ringing(demo.agentId, "1") }), at: { pointer: "#/providerId" } },
      { name: "a time that is not RFC 3339", where: "body", req: () => ({ path: "/v1/agent/conversations/events", json: { ...ringing(demo.agentId, "1"), providerId: "audit-widget", occurredAt: "yesterday" } }), at: { pointer: "#/occurredAt" } },
    ],
    wrongTenant: [
      { name: "an event for A's provider", expect: 400, at: { pointer: "#/providerId" }, req: () => ({ path: "/v1/agent/conversations/events", json: { ...ringing(b.agentId, b.phone), providerId: a.hooksProviderId } }) },
    ],
  },
  postIntegrationAgentToken: {
    valid: () => ({ path: "/v1/integration/agent-tokens", json: { agentId: demo.agentId, ttlSeconds: 600 } }),
    bad: [{ name: "a ttl over an hour", where: "body", req: () => ({ path: "/v1/integration/agent-tokens", json: { agentId: demo.agentId, ttlSeconds: 7200 } }), at: { pointer: "#/ttlSeconds" } }],
    wrongTenant: [{ name: "a token for A's agent", expect: 404, req: () => ({ path: "/v1/integration/agent-tokens", json: { agentId: demo.agentId } }) }],
  },
  getIntegrationSettings: {
    valid: () => ({ path: "/v1/integration/settings" }),
    bad: [],
    wrongTenant: { none: "the caller's own tenant's settings; nothing of a tenant in the request" },
  },
  putIntegrationSettings: {
    valid: () => ({ path: "/v1/integration/settings", json: { origins: ["https://crm.audit.example"] } }),
    bad: [{ name: "an origin with a path", where: "body", req: () => ({ path: "/v1/integration/settings", json: { origins: ["https://crm.audit.example/app"] } }), at: { pointer: "#/origins/0" } }],
    wrongTenant: { none: "the caller's own tenant's settings; nothing of a tenant in the request" },
  },
};

/** Routes whose valid request is sent with another caller of tenant A than the default. */
const validCaller: Record<string, () => Caller> = {
  deleteWebhookEndpoint: () => ({ key: ctx.aHooksKey }),
};

// ---- Checks ------------------------------------------------------------------------------------------

const openApi = buildOpenApiDocument(httpFunctions);
let errorsDoc: string;

/** The statuses the operation's OpenAPI entry lists. */
function documentedStatuses(definition: AnyHttpDefinition): string[] {
  const item = openApi.paths?.[openApiPath(definition.route)] as Record<string, { responses: Record<string, unknown> }> | undefined;
  return Object.keys(item?.[definition.method.toLowerCase()]?.responses ?? {});
}

/** The answer is the problem the route documents: status and code in its OpenAPI entry and in docs/errors.md. */
function expectProblem(definition: AnyHttpDefinition, res: ApiResponse, status: number, at?: BadInput["at"]) {
  const body = res.body as { status?: number; code?: WebCtiErrorCode; errors?: Array<Record<string, string>> };
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(body.status).toBe(status);
  expect(webCtiErrorCodes).toContain(body.code);
  expect(problemTable[body.code!].status).toBe(status);
  expect(documentedStatuses(definition), `${definition.name} documents ${status}`).toContain(String(status));
  expect(documentedErrorCodes(definition), `${definition.name} documents ${body.code}`).toContain(body.code);
  expect(errorsDoc).toContain(`| \`${body.code}\` | ${status} |`);
  if (status === 401) expect(res.headers.get("www-authenticate")).toBe('Bearer realm="webcti"');
  if (at) expect(body.errors, JSON.stringify(body)).toEqual(expect.arrayContaining([expect.objectContaining(at)]));
}

/** Every row of every table, by key and etag: an insert, a delete and an update each change it. */
async function storageSnapshot(): Promise<Record<string, string[]>> {
  const tables = ctx.stack.services.tables;
  const rows = await Promise.all(
    tableNames.map(async (name) => {
      const found: string[] = [];
      for await (const row of tables[name].listEntities({ queryOptions: { select: ["PartitionKey", "RowKey"] } })) {
        found.push(`${row.partitionKey} ${row.rowKey} ${row.etag}`);
      }
      return [name, found.sort()] as const;
    }),
  );
  return Object.fromEntries(rows);
}

/** Sends a request that must be refused, and checks that it changed no row of any table. */
async function refused(definition: AnyHttpDefinition, req: Req, caller: Caller): Promise<ApiResponse> {
  const before = await storageSnapshot();
  const res = await send(definition, req, caller);
  expect(await storageSnapshot(), `${definition.name}: a refused request changed storage`).toEqual(before);
  return res;
}

/** Texts of tenant A that no answer to tenant B may contain. */
function leaksOfA(): string[] {
  return [a.aliceName, "Fabrikam Inc.", ctx.popA, ctx.popAForAck, a.activityId, ctx.deliveryA, "/hook-a", "Demo Softphone"];
}

function matchesRoute(definition: AnyHttpDefinition, path: string): boolean {
  const template = openApiPath(definition.route).replace(/^\/api/, "");
  const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
  return pattern.test(path.split("?")[0]!);
}

// ---- Set-up ------------------------------------------------------------------------------------------

beforeAll(async () => {
  receiver = createServer((request, response) => {
    request.resume();
    request.on("end", () => response.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  errorsDoc = await readFile(new URL("../../docs/errors.md", import.meta.url), "utf8");

  // Timers off: the KPI projection would rewrite its rows between two snapshots of storage.
  const { stack, seed } = await startTestStack({ timers: false });
  const s = stack.services;
  const t0 = new Date();
  // Generous rates: the test sends many requests with one key in a short time.
  const rateLimit = { requestsPerSecond: 10_000, burst: 10_000 };

  // Tenant A: the demo tenant, plus a provider without a widget, webhook endpoints, a pop, an activity, a delivery.
  await putProvider(s, { tenantId: demo.tenantId, providerId: demo.providerId, label: "Demo Softphone", rateLimit });
  await putProvider(s, { tenantId: demo.tenantId, providerId: a.hooksProviderId, label: "Audit hooks", rateLimit });
  // A provider with a panel: the widget route takes events for those only.
  await putProvider(s, { tenantId: demo.tenantId, providerId: "audit-widget", label: "Audit widget", rateLimit, panel: { widgetUrl: "https://widget.audit.example/", trustedOrigins: ["https://widget.audit.example"] } });
  const aKey = (await issuePartnerKey(s.tables, demo.tenantId, demo.providerId, t0)).apiKey;
  const aHooksKey = (await issuePartnerKey(s.tables, demo.tenantId, a.hooksProviderId, t0)).apiKey;
  await saveRecord(s, demo.tenantId, "contact", a.probeRecordId, { name: "A's probe", phones: [{ number: "+1 206 555 0166" }] });
  await saveRecord(s, demo.tenantId, "contact", "c-audit-del-agent", { name: "Deleted by the agent" });
  await saveRecord(s, demo.tenantId, "contact", "c-audit-del-partner", { name: "Deleted by the partner" });
  await putEndpoint(s, demo.tenantId, demo.providerId, { url: `${receiverUrl}/hook-a`, eventTypes: ["clickToAct.requested"] });
  await putEndpoint(s, demo.tenantId, a.hooksProviderId, { url: `${receiverUrl}/hook-a2`, eventTypes: ["clickToAct.requested"] });
  const deliveryA = (await requestClickToAct(s, { tenantId: demo.tenantId, agentId: demo.agentId }, { providerId: demo.providerId, kind: "phone", value: a.alicePhone })).deliveryId;
  // A's CRM endpoint takes only activity.updated, which nothing here sends (patchAgentActivity's valid update changes
  // nothing): no delivery is settled in the background mid-snapshot.
  await putCrmEndpoint(s, demo.tenantId, { url: `${receiverUrl}/hook-a-crm`, eventTypes: ["activity.updated"] });
  const crmActivity = { activityId: "audit-crm-act", providerId: demo.providerId, channel: "voice", direction: "inbound", record: { type: "contact", id: "c-alice" }, subject: "A's call", createdAt: t0.toISOString() } as const;
  const crmDeliveryA = (await enqueueWebhook(s, { tenantId: demo.tenantId, providerId: crmScope, type: "activity.updated", data: { tenantId: demo.tenantId, activity: crmActivity } }))!.deliveryId;

  // Tenant B: its own provider (with A's provider id), agent, record, activity, pop, presence, endpoint and delivery.
  await putTenant(s, { tenantId: b.tenantId, name: "Fabrikam (audit)" });
  await putProvider(s, { tenantId: b.tenantId, providerId: b.providerId, label: "B softphone", rateLimit });
  await putProvider(s, { tenantId: b.tenantId, providerId: b.hooksProviderId, label: "B hooks", rateLimit });
  await putAgent(s, { tenantId: b.tenantId, agentId: b.agentId, displayName: "Fred", supervisor: true });
  await linkPrincipal(s, { identityProvider: demoIdentityProvider, principalId: b.signInUser }, { tenantId: b.tenantId, agentId: b.agentId });
  await saveRecord(s, b.tenantId, "contact", b.recordId, { name: "Fabrikam customer", phones: [{ number: b.phone }] });
  const bKey = (await issuePartnerKey(s.tables, b.tenantId, b.providerId, t0)).apiKey;
  await putEndpoint(s, b.tenantId, b.hooksProviderId, { url: `${receiverUrl}/hook-b`, eventTypes: ["clickToAct.requested"] });
  const deliveryB = (await requestClickToAct(s, { tenantId: b.tenantId, agentId: b.agentId }, { providerId: b.hooksProviderId, kind: "phone", value: b.phone })).deliveryId;

  // A key that worked (so it is in the per-process cache) and was then revoked through the same services.
  const revoked = await issuePartnerKey(s.tables, demo.tenantId, demo.providerId, t0);
  // Keys that outlived their configuration: a provider removed from A, a tenant removed with its provider kept.
  const orphanProviderKey = (await issuePartnerKey(s.tables, demo.tenantId, "audit-removed-provider", t0)).apiKey;
  await putTenant(s, { tenantId: "audit-removed-tenant", name: "Removed" });
  await putProvider(s, { tenantId: "audit-removed-tenant", providerId: "p", label: "Left behind" });
  const orphanTenantKey = (await issuePartnerKey(s.tables, "audit-removed-tenant", "p", t0)).apiKey;
  await putAgent(s, { tenantId: "audit-removed-tenant", agentId: "left-behind", displayName: "Left behind" });
  await linkPrincipal(s, { identityProvider: demoIdentityProvider, principalId: "audit-orphan-tenant" }, { tenantId: "audit-removed-tenant", agentId: "left-behind" });
  await linkPrincipal(s, { identityProvider: demoIdentityProvider, principalId: "audit-orphan-agent" }, { tenantId: demo.tenantId, agentId: "audit-removed-agent" });
  const orphanTenantIntegrationKey = (await issueIntegrationKey(s.tables, "audit-removed-tenant", t0)).integrationKey;
  await s.tables.tenants.deleteEntity("audit-removed-tenant", "");
  const revokedIntegration = await issueIntegrationKey(s.tables, demo.tenantId, t0);

  ctx = {
    stack,
    seed,
    aKey,
    aHooksKey,
    bKey,
    aIntegrationKey: (await issueIntegrationKey(s.tables, demo.tenantId, t0)).integrationKey,
    bIntegrationKey: (await issueIntegrationKey(s.tables, b.tenantId, t0)).integrationKey,
    revokedIntegrationKey: revokedIntegration.integrationKey,
    orphanTenantIntegrationKey,
    aCookie: await signInCookie(stack.url),
    bCookie: await signInCookie(stack.url, b.signInUser),
    strangerCookie: await signInCookie(stack.url, "nobody-audit"),
    revokedKey: revoked.apiKey,
    orphanProviderKey,
    orphanTenantKey,
    orphanAgentCookie: await signInCookie(stack.url, "audit-orphan-agent"),
    orphanTenantAgentCookie: await signInCookie(stack.url, "audit-orphan-tenant"),
    popA: "",
    popAForAck: "",
    popB: "",
    deliveryA,
    deliveryB,
    crmDeliveryA,
    receiverUrl,
  };
  const api = (path: string) => `${stack.apiUrl}${path}`;
  const pop = async (key: string, agentId: string, phone: string) => {
    const res = await call(api("/v1/conversations/events"), { key, json: ringing(agentId, phone) });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return (res.body as { screenPop: { id: string } }).screenPop.id;
  };
  ctx.popA = await pop(aKey, demo.agentId, a.alicePhone);
  const initiated = { type: "initiated", eventId: `${auditConversation}-1`, conversationId: auditConversation, occurredAt: now() };
  expect((await call(api("/v1/conversations/events"), { key: aKey, json: initiated })).status).toBe(202);
  ctx.popAForAck = await pop(aKey, demo.agentId, a.alicePhone);
  ctx.popB = await pop(bKey, b.agentId, b.phone);
  const activity = (key: string, json: unknown) => call(api("/v1/activities"), { key, json });
  expect((await activity(aKey, { activityId: a.activityId, record: { type: "contact", id: "c-alice" }, subject: "A's call", agentId: demo.agentId })).status).toBe(201);
  expect((await activity(bKey, { activityId: "audit-act-b", record: { type: "contact", id: b.recordId }, subject: "B's call" })).status).toBe(201);
  expect((await call(api(`/v1/agents/${demo.agentId}/presence`), { method: "PUT", key: aKey, json: { status: "available" } })).status).toBe(200);
  expect((await call(api(`/v1/agents/${b.agentId}/presence`), { method: "PUT", key: bKey, json: { status: "busy" } })).status).toBe(200);
  expect((await call(api(`/v1/screen-pops/${ctx.popA}`), { key: revoked.apiKey })).status).toBe(200);
  await revokePartnerKey(s, revoked.keyId);
  await revokeIntegrationKey(s, revokedIntegration.keyId, t0);
}, 60_000);

afterAll(async () => {
  await ctx?.stack.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

// ---- Tests -------------------------------------------------------------------------------------------

describe("the route contract table", () => {
  it("has an entry for every HTTP definition, and none for a definition that does not exist", () => {
    const names = httpFunctions.map((d) => d.name);
    expect(Object.keys(routes).sort()).toEqual([...names].sort());
  });

  it("covers each route's path, query and body with a bad-input case", () => {
    for (const definition of httpFunctions) {
      const wheres = new Set(routes[definition.name]!.bad.map((c) => c.where));
      if (definition.params) expect(wheres, `${definition.name}: path`).toContain("path");
      if (definition.query) expect(wheres, `${definition.name}: query`).toContain("query");
      if (definition.body) expect(wheres, `${definition.name}: body`).toContain("body");
    }
  });

  it("sees a row rewritten with the same content in its storage snapshot", async () => {
    const before = await storageSnapshot();
    await putTenant(ctx.stack.services, { tenantId: b.tenantId, name: "Fabrikam (audit)" });
    expect(await storageSnapshot()).not.toEqual(before);
  });

  it("sends each case to its own route", () => {
    for (const definition of httpFunctions) {
      const entry = routes[definition.name]!;
      const reqs = [entry.valid(), ...entry.bad.map((c) => c.req())];
      if (Array.isArray(entry.wrongTenant)) reqs.push(...entry.wrongTenant.map((c) => c.req()));
      for (const req of reqs) expect(matchesRoute(definition, req.path), `${definition.name}: ${req.path}`).toBe(true);
    }
  });
});

for (const definition of httpFunctions) {
  const entry = routes[definition.name];
  describe(`${definition.method} ${definition.route} (${definition.name})`, () => {
    if (!entry) return;

    if (definition.auth === "partner") {
      const keys: Array<[string, () => Caller]> = [
        ["no key", () => "none"],
        ["a malformed key", () => ({ key: "not-a-key" })],
        ["a well-formed key that does not exist", () => ({ key: `wcti_${"0".repeat(16)}_${"A".repeat(43)}` })],
        ["a revoked key", () => ({ key: ctx.revokedKey })],
        ["an agent's session instead of a key", () => ({ cookie: ctx.aCookie })],
        ["the tenant's integration key", () => ({ key: ctx.aIntegrationKey })],
        // Only `Authorization: Bearer` is read: a valid key in another header is no credential.
        ["a valid key in X-API-Key", () => ({ headers: { "x-api-key": ctx.aKey } })],
      ];
      it.each(keys)("refuses %s with 401", async (_name, caller) => {
        expectProblem(definition, await refused(definition, entry.valid(), caller()), 401);
      });
      const orphans: Array<[string, () => string]> = [
        ["a key whose provider the tenant no longer has", () => ctx.orphanProviderKey],
        ["a key whose tenant no longer exists", () => ctx.orphanTenantKey],
      ];
      it.each(orphans)("refuses %s with 403", async (_name, key) => {
        expectProblem(definition, await refused(definition, entry.valid(), { key: key() }), 403);
      });
    }

    if (definition.auth === "integration") {
      const keys: Array<[string, () => Caller, number]> = [
        ["no key", () => "none", 401],
        ["a malformed key", () => ({ key: "wcik_nope" }), 401],
        ["a well-formed key that does not exist", () => ({ key: `wcik_${"0".repeat(16)}_${"A".repeat(43)}` }), 401],
        ["a revoked key", () => ({ key: ctx.revokedIntegrationKey }), 401],
        ["a partner key of the same tenant", () => ({ key: ctx.aKey }), 401],
        ["an agent's session", () => ({ cookie: ctx.aCookie }), 401],
        ["a key whose tenant no longer exists", () => ({ key: ctx.orphanTenantIntegrationKey }), 403],
      ];
      it.each(keys)("refuses %s", async (_name, caller, status) => {
        expectProblem(definition, await refused(definition, entry.valid(), caller()), status);
      });
    }

    if (definition.auth === "agent") {
      const sessions: Array<[string, () => Caller, number]> = [
        ["no session", () => "none", 401],
        ["a client principal header sent by the browser", () => ({ headers: { "x-ms-client-principal": Buffer.from(JSON.stringify({ auth_typ: "demo", claims: [{ typ: "sub", val: demo.signInUser }] })).toString("base64"), "x-ms-client-principal-id": demo.signInUser } }), 401],
        ["a partner key instead of a session", () => ({ key: ctx.aKey }), 401],
        ["the tenant's integration key instead of a session", () => ({ key: ctx.aIntegrationKey }), 401],
        ["a signed-in user who is no agent", () => ({ cookie: ctx.strangerCookie }), 403],
        ["a signed-in user whose agent was removed", () => ({ cookie: ctx.orphanAgentCookie }), 403],
        ["a signed-in user whose tenant was removed", () => ({ cookie: ctx.orphanTenantAgentCookie }), 403],
      ];
      it.each(sessions)("refuses %s", async (_name, caller, status) => {
        expectProblem(definition, await refused(definition, entry.valid(), caller()), status);
      });
    }

    it("refuses an unknown WebCTI-Version with 400", async () => {
      const req = entry.valid();
      const res = await refused(definition, { ...req, headers: { ...req.headers, "webcti-version": "1999-01-01" } }, "a");
      expectProblem(definition, res, 400, { header: "WebCTI-Version" });
    });

    if (definition.idempotency === "required") {
      it("refuses a request without an Idempotency-Key with 400", async () => {
        const res = await refused(definition, { ...entry.valid(), withoutIdempotencyKey: true }, "a");
        expectProblem(definition, res, 400, { header: "Idempotency-Key" });
      });
    }

    if (definition.idempotency) {
      it("refuses a malformed Idempotency-Key with 400", async () => {
        const req = entry.valid();
        const res = await refused(definition, { ...req, headers: { ...req.headers, "idempotency-key": "a,b" } }, "a");
        expectProblem(definition, res, 400, { header: "Idempotency-Key" });
      });
    }

    if (entry.bad.length > 0) {
      it.each(entry.bad.map((c) => [c.name, c] as const))("refuses bad input: %s", async (_name, bad) => {
        expectProblem(definition, await refused(definition, bad.req(), "a"), 400, bad.at);
      });
    }

    if (definition.body) {
      const limit = definition.maxBodyBytes ?? defaultMaxBodyBytes;
      it("refuses a body that is not JSON with 400", async () => {
        const req = entry.valid();
        const res = await refused(definition, { path: req.path, body: "{not json", headers: { "content-type": "application/json" } }, "a");
        expectProblem(definition, res, 400, { pointer: "#" });
      });
      it("refuses a body without a JSON content type with 415", async () => {
        const req = entry.valid();
        const res = await refused(definition, { path: req.path, body: JSON.stringify(req.json), headers: { "content-type": "text/plain" } }, "a");
        expectProblem(definition, res, 415);
      });
      it(`refuses a body over its limit (${limit} bytes) with 413`, async () => {
        const req = entry.valid();
        const res = await refused(definition, { path: req.path, body: JSON.stringify({ pad: "x".repeat(limit) }), headers: { "content-type": "application/json" } }, "a");
        expectProblem(definition, res, 413);
      });
    }

    if (!definition.body && definition.idempotency) {
      // Without a body schema the bytes are still read under a key (a retry must repeat them): bounded too.
      it(`refuses a body over ${defaultMaxBodyBytes} bytes sent with an Idempotency-Key with 413`, async () => {
        const req = entry.valid();
        const headers = { "content-type": "application/json", "idempotency-key": randomUUID() };
        const res = await refused(definition, { path: req.path, body: "x".repeat(defaultMaxBodyBytes + 1), headers }, "a");
        expectProblem(definition, res, 413);
      });
    }

    if (Array.isArray(entry.wrongTenant)) {
      it.each(entry.wrongTenant.map((c) => [c.name, c] as const))("keeps another tenant's caller away from %s", async (_name, wrong) => {
        const before = await wrong.unchanged?.();
        if (wrong.expect === "own") {
          const res = await send(definition, wrong.req(), "b");
          expect(res.status, JSON.stringify(res.body)).toBe(definition.success.status);
          const text = JSON.stringify(res.body);
          for (const leak of leaksOfA()) expect(text, `${definition.name} shows B something of A's`).not.toContain(leak);
          await ownChecks[definition.name]?.(res);
        } else {
          const res = await refused(definition, wrong.req(), "b");
          expectProblem(definition, res, wrong.expect, wrong.at);
        }
        if (wrong.unchanged) expect(await wrong.unchanged()).toEqual(before);
      });
    } else {
      it(`names no object of a tenant in its path or query (${entry.wrongTenant.none})`, () => {
        expect(definition.params).toBeUndefined();
        expect(definition.query).toBeUndefined();
      });
    }

    it("accepts the valid request (the cases above differ from it only where they say)", async () => {
      const res = await send(definition, entry.valid(), validCaller[definition.name]?.() ?? "a");
      expect(res.status, JSON.stringify(res.body)).toBe(definition.success.status);
    });
  });
}

/** What B's own answers must hold besides carrying nothing of A's. */
const ownChecks: Record<string, (res: ApiResponse<any>) => void | Promise<void>> = {
  getKpis: (res) => expect(res.body.series).toEqual([]),
  listAgents: (res) => expect(JSON.stringify(res.body)).not.toContain(demo.agentName),
  exportFacts: (res) => expect(res.body.records).toEqual([]),
  getAgentKpis: (res) => expect(res.body.series).toEqual([]),
  exportAgentFacts: (res) => expect(res.body.records).toEqual([]),
  lookupDirectory: (res) => expect(res.body.matches).toEqual([]),
  searchAgentDirectory: (res) => expect(res.body.matches).toEqual([]),
  listAgentScreenPops: (res) => expect(res.body.pops.map((p: { id: string }) => p.id)).toEqual([ctx.popB]),
  listAgentRecords: (res) => expect(res.body.records.map((r: { id: string }) => r.id)).toContain(b.recordId),
  listAgentPanels: (res) => expect(res.body.panels).toEqual([]),
  listWebhookDeliveries: (res) => expect(res.body.deliveries).toEqual([]), // B's softphone has none; its hooks provider has deliveryB
  putDirectoryRecord: (res) => expect(res.body).toMatchObject({ id: a.probeRecordId, name: "B's probe" }),
  putAgentRecord: (res) => expect(res.body).toMatchObject({ id: a.probeRecordId, name: "B's probe from the desktop" }),
  postDirectoryBatch: (res) => expect(res.body.results[0]).toMatchObject({ op: "delete", id: "c-alice" }),
  listIntegrationWebhookDeliveries: (res) => expect(res.body.deliveries).toEqual([]),
  listIntegrationActivities: (res) => expect(res.body.activities.map((x: { activityId: string }) => x.activityId)).not.toContain(a.activityId),
  putIntegrationWebhookEndpoint: async (res) => {
    expect(res.body).toMatchObject({ tenantId: b.tenantId, url: `${ctx.receiverUrl}/hook-b-crm` });
    expect((await call(`${ctx.stack.apiUrl}/v1/integration/webhooks/endpoint`, { method: "DELETE", key: ctx.bIntegrationKey })).status).toBe(200);
  },
  putWebhookEndpoint: async (res) => {
    expect(res.body).toMatchObject({ providerId: b.providerId, url: `${ctx.receiverUrl}/hook-b-probe` });
    expect(res.body.secret).toMatch(/^whsec_/); // created: B had no endpoint, whatever A has
    expect((await call(`${ctx.stack.apiUrl}/v1/webhooks/endpoint`, { method: "DELETE", key: ctx.bKey })).status).toBe(200);
  },
};
