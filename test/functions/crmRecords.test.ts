import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Webhook } from "standardwebhooks";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { demo } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issueIntegrationKey } from "../../shared/auth/integrationKeys.js";

/**
 * Records where the tenant keeps them (crm.records): the ringing path and the partner's caller-id
 * look-up in each mode, through HTTP as a partner and a CRM backend call WebCTI. The test is the CRM: its
 * own server answers the signed look-ups (by the planned answer) and verifies their signatures with the
 * `standardwebhooks` package, from the secret the CRM endpoint's PUT returned.
 */
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}
interface Answer {
  status?: number;
  body?: string;
  delayMs?: number;
}

let crm: Server;
let crmUrl: string;
const received: Received[] = [];
let answer: Answer = {};

let stack: Stack;
let partnerKey: string;
let integrationKey: string;
let secret: string;
let cookie: string;
let eventCounter = 0;

const api = (path: string) => `${stack.apiUrl}/v1${path}`;
const settings = (json: unknown) => call(api("/integration/settings"), { method: "PUT", key: integrationKey, json });
const ring = (customer: Record<string, string>) => {
  const n = ++eventCounter;
  return call(api("/conversations/events"), {
    key: partnerKey,
    json: { type: "ringing", eventId: `crm-ev-${n}`, conversationId: `crm-conv-${n}`, occurredAt: new Date().toISOString(), agentId: demo.agentId, customer },
  });
};
const popOf = async (accepted: { screenPop: { id: string } | null }) =>
  (await call(api(`/screen-pops/${accepted.screenPop!.id}`), { key: partnerKey })).body;
const lookup = (query: string) => call(api(`/directory/lookup?${query}`), { key: partnerKey });
const matches = (list: unknown) => JSON.stringify({ matches: list });

beforeAll(async () => {
  crm = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      const { status = 200, body = matches([]), delayMs = 0 } = answer;
      setTimeout(() => {
        if (response.destroyed) return;
        response.writeHead(status, { "content-type": "application/json" }).end(body);
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => crm.listen(0, "127.0.0.1", resolve));
  crmUrl = `http://127.0.0.1:${(crm.address() as AddressInfo).port}`;

  ({ stack, seed: { apiKey: partnerKey } } = await startTestStack());
  integrationKey = (await issueIntegrationKey(stack.services.tables, demo.tenantId, new Date())).integrationKey;
  const endpoint = await call(api("/integration/webhooks/endpoint"), {
    method: "PUT",
    key: integrationKey,
    json: { url: `${crmUrl}/activities`, eventTypes: ["activity.created"] },
  });
  expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(200);
  secret = endpoint.body.secret;
  cookie = await signInCookie(stack.url);
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => crm?.close(resolve));
});
beforeEach(() => {
  received.length = 0;
  answer = {};
});

/** The look-ups the CRM received, each verified as Standard Webhooks prescribe (throws if the signature is wrong). */
const lookups = () =>
  received
    .filter((r) => JSON.parse(r.body).type === "customer.lookup")
    .map((r) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { data: Record<string, any> });

describe("webhook records", () => {
  beforeAll(async () => {
    const put = await settings({ records: "webhook", lookupWebhook: { url: `${crmUrl}/lookup`, fallback: "directory" } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
  });

  it("refuses a look-up URL that breaks the webhook URL rules, and keeps the stored settings", async () => {
    const before = await call(api("/integration/settings"), { key: integrationKey });
    const put = await settings({ records: "webhook", lookupWebhook: { url: "http://user:secret@crm.example/lookup", fallback: "search" } });
    expect(put.status).toBe(400);
    expect(put.body.errors).toEqual([expect.objectContaining({ pointer: "#/lookupWebhook/url" })]);
    expect((await call(api("/integration/settings"), { key: integrationKey })).body).toEqual(before.body);
  });

  it("asks the CRM at ringing time, signed, and pops and answers with its records of any type", async () => {
    answer = { body: matches([{ type: "lead", id: "L-7", name: "Lena Park", phone: "+12065550177", extra: "ignored" }]) };
    const res = await ring({ phone: "(206) 555-0177 x9", name: "Lena" });
    expect(res.status).toBe(202);
    expect(res.body.matches).toEqual([{ type: "lead", id: "L-7", name: "Lena Park", phone: "+12065550177" }]);
    expect((await popOf(res.body)).target).toEqual({ kind: "record", record: { type: "lead", id: "L-7", name: "Lena Park", phone: "+12065550177" } });
    const [asked] = lookups();
    expect(asked).toMatchObject({
      type: "customer.lookup",
      data: {
        tenantId: demo.tenantId,
        providerId: demo.providerId,
        conversationId: `crm-conv-${eventCounter}`,
        channel: "voice",
        direction: "inbound",
        customer: { phone: "+12065550177", extension: "9", name: "Lena" },
      },
    });
  });

  it("shows a match without a name by its id, and several as a search", async () => {
    answer = { body: matches([{ type: "case", id: "00012" }, { type: "account", id: "A-1", name: "Acme" }]) };
    const res = await ring({ phone: "+1 206 555 0178" });
    expect(res.body.matches).toEqual([{ type: "case", id: "00012", name: "00012" }, { type: "account", id: "A-1", name: "Acme" }]);
    expect((await popOf(res.body)).target).toMatchObject({ kind: "search", query: "+12065550178" });
  });

  // Each failure falls back to the directory (this tenant's fallback): Alice is the directory's.
  const failures: Array<[string, Answer]> = [
    ["slower than 1.5 s", { delayMs: 2_000, body: matches([{ type: "lead", id: "late", name: "Too late" }]) }],
    ["a 500", { status: 500 }],
    ["a 404", { status: 404 }],
    ["not JSON", { body: "<html>" }],
    ["a match that is not a record", { body: matches([{ type: "lead" }]) }],
    ["a type that is not an id", { body: matches([{ type: "lead|x", id: "1" }]) }],
    ["51 matches", { body: matches(Array.from({ length: 51 }, (_, i) => ({ type: "lead", id: `L${i}` }))) }],
    ["over 64 KiB", { body: matches([{ type: "lead", id: "big", name: "x".repeat(200) }]).replace("}]", `,"pad":"${"y".repeat(70_000)}"}]`) }],
  ];
  it.each(failures)("falls back to the directory on %s, logged, never a 5xx", async (_name, planned) => {
    answer = planned;
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const res = await ring({ phone: demo.numbers.oneContact });
      expect(res.status).toBe(202);
      expect(res.body.matches).toEqual([{ type: "contact", id: "c-alice", name: "Alice Johnson" }]);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('"fallback":"directory"'));
    } finally {
      warn.mockRestore();
    }
  });

  it("gives the partner's caller-id look-up the CRM's matches", async () => {
    answer = { body: matches([{ type: "lead", id: "L-7", name: "Lena Park" }]) };
    const res = await lookup("phone=%2B12065550177");
    expect(res.body).toEqual({ query: { phone: "+12065550177", e164: "+12065550177" }, matches: [{ type: "lead", id: "L-7", name: "Lena Park" }], source: "webhook" });
    expect(lookups()[0]!.data).toEqual({ tenantId: demo.tenantId, providerId: demo.providerId, customer: { phone: "+12065550177" } });
  });

  it("with the search fallback, a failed look-up pops an empty search", async () => {
    await settings({ records: "webhook", lookupWebhook: { url: `${crmUrl}/lookup`, fallback: "search" } });
    answer = { status: 503 };
    vi.spyOn(console, "warn").mockImplementationOnce(() => undefined);
    const res = await ring({ phone: demo.numbers.oneContact });
    expect(res.status).toBe(202);
    expect(res.body.matches).toEqual([]);
    expect((await popOf(res.body)).target).toEqual({ kind: "search", query: "+12065550101", results: [] });
    expect((await lookup("phone=%2B12065550101")).body).toMatchObject({ matches: [], source: "none" });
  });
});

describe("host records", () => {
  beforeAll(async () => {
    expect((await settings({ records: "host" })).status).toBe(200);
  });

  it("pops a lookup with the caller's identifiers and the policy, asks nobody, and answers no matches", async () => {
    const res = await ring({ phone: "206-555-0101 ext. 12", email: "alice@fabrikam.example", customerId: "crm-42" });
    expect(res.status).toBe(202);
    expect(res.body.matches).toEqual([]);
    expect((await popOf(res.body)).target).toEqual({
      kind: "lookup",
      customer: { phone: "+12065550101", extension: "12", email: "alice@fabrikam.example", customerId: "crm-42" },
      policy: { onOneMatch: "record", onManyMatches: "search", onNoMatch: "newRecord" },
    });
    expect(received).toEqual([]);
  });

  it("says where records live: the agent's /me, and the partner's look-up (source host, no matches)", async () => {
    const me = await call(api("/agent/me"), { headers: { cookie } });
    expect(me.body.crm).toEqual({ records: "host" });
    expect((await lookup("phone=%2B12065550101")).body).toMatchObject({ matches: [], source: "host" });
  });
});
