import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { waitFor } from "../local/webpubsub/support.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import type { TableClient } from "@azure/data-tables";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { demo } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { runWebhookRetries } from "../../functions/runWebhookRetries.js";
import { sendPresenceChanged } from "../../shared/webhooks/events.js";
import { putEndpoint } from "../../shared/webhooks/endpointStore.js";
import { retryDelaysMs } from "../../shared/webhooks/attemptDelivery.js";

/** A partner's webhook receiver: answers each request by the next planned outcome, then 204. */
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
}
type Outcome = 200 | 204 | 410 | 500 | 503 | "drop";

let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
let plan: Outcome[] = [];

let stack: Stack;
let cookie: string;
let key: string; // contoso / webhooks-only
let softphoneKey: string; // contoso / demo-softphone
let otherKey: string; // fabrikam / demo-softphone: same provider id, another tenant
const provider = "webhooks-only";

/** The test's clock: the stack's services read it, so retries come due without waiting. */
let offsetMs = 0;
const advance = (ms: number) => void (offsetMs += ms);

const api = (path: string) => `${stack.apiUrl}/v1${path}`;
const put = (json: unknown, k = key) => call(api("/webhooks/endpoint"), { method: "PUT", json, key: k });
const clickToAct = (json: unknown) => call(api("/agent/click-to-act"), { json, headers: { cookie } });
const delivery = (id: string, k = key) => call(api(`/webhooks/deliveries/${id}`), { key: k });
const runTimer = () => runWebhookRetries.handler({ log: () => undefined }, stack.services);

async function rows(table: TableClient): Promise<number> {
  let n = 0;
  for await (const _ of table.listEntities()) n++;
  return n;
}
const storedRows = async () => {
  const t = stack.services.tables;
  return [await rows(t.webhookEndpoints), await rows(t.webhookDeliveries), await rows(t.webhookSchedule)];
};

/** The signature check of the Standard Webhooks spec at the attempt's own timestamp (the test moves the clock). */
function signedWith(secret: string, r: Received): boolean {
  const at = new Date(Number(r.headers["webhook-timestamp"]) * 1000);
  const expected = new Webhook(secret).sign(String(r.headers["webhook-id"]), at, r.body);
  return String(r.headers["webhook-signature"]).split(" ").includes(expected);
}

const endpointFor = (path: string, eventTypes = ["clickToAct.requested", "presence.changed"]) => ({ url: `${receiverUrl}${path}`, eventTypes });
const phoneClick = { providerId: provider, kind: "phone", value: "(206) 555-0101 x12", record: { type: "contact", id: "c-alice" } };

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8"), path: request.url ?? "" });
      const outcome = plan.shift() ?? 204;
      if (outcome === "drop") return void request.socket.destroy();
      response.writeHead(outcome).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  ({ stack } = await startTestStack());
  stack.services.now = () => new Date(Date.now() + offsetMs);
  const s = stack.services;
  await putProvider(s, { tenantId: demo.tenantId, providerId: provider, label: "Webhooks only" });
  ({ apiKey: key } = await issuePartnerKey(s.tables, demo.tenantId, provider, new Date()));
  ({ apiKey: softphoneKey } = await issuePartnerKey(s.tables, demo.tenantId, demo.providerId, new Date()));
  await putTenant(s, { tenantId: "fabrikam", name: "Fabrikam" });
  await putProvider(s, { tenantId: "fabrikam", providerId: demo.providerId, label: "Same id" });
  ({ apiKey: otherKey } = await issuePartnerKey(s.tables, "fabrikam", demo.providerId, new Date()));
  cookie = await signInCookie(stack.url);
});
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});
beforeEach(() => {
  received.length = 0;
  plan = [];
});

describe("webhook endpoint", () => {
  it("is created with a secret shown once, replaced without one, read without one, deleted", async () => {
    const created = await put(endpointFor("/crud", ["clickToAct.requested"]), softphoneKey);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ providerId: demo.providerId, enabled: true, disabledReason: null, eventTypes: ["clickToAct.requested"] });
    expect(created.body.secret).toMatch(/^whsec_/);
    const replaced = await put({ ...endpointFor("/crud2", ["presence.changed"]), enabled: false }, softphoneKey);
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ url: `${receiverUrl}/crud2`, enabled: false, createdAt: created.body.createdAt });
    expect(replaced.body.secret).toBeUndefined();
    const read = await call(api("/webhooks/endpoint"), { key: softphoneKey });
    expect(read.body).toEqual(replaced.body);
    const deleted = await call(api("/webhooks/endpoint"), { method: "DELETE", key: softphoneKey });
    expect(deleted.body).toEqual({ providerId: demo.providerId, deleted: true });
    expect((await call(api("/webhooks/endpoint"), { key: softphoneKey })).status).toBe(404);
    expect((await call(api("/webhooks/endpoint"), { method: "DELETE", key: softphoneKey })).status).toBe(404);
    expect((await call(api("/webhooks/endpoint/rotate-secret"), { method: "POST", key: softphoneKey })).status).toBe(404);
  });

  describe("bad input gets problem+json and stores nothing", () => {
    const cases: Array<[string, unknown, string]> = [
      ["a URL that is not http(s)", { url: "ftp://example.com/hook", eventTypes: ["presence.changed"] }, "#/url"],
      ["text that is not a URL", { url: "not a url", eventTypes: ["presence.changed"] }, "#/url"],
      ["credentials in the URL", { url: "https://user:pw@example.com/hook", eventTypes: ["presence.changed"] }, "#/url"],
      ["no event types", { url: "https://example.com/hook", eventTypes: [] }, "#/eventTypes"],
      ["an unknown event type", { url: "https://example.com/hook", eventTypes: ["call.ended"] }, "#/eventTypes/0"],
      ["enabled that is not a boolean", { url: "https://example.com/hook", eventTypes: ["presence.changed"], enabled: "yes" }, "#/enabled"],
    ];
    it.each(cases)("%s", async (_name, body, pointer) => {
      const before = await storedRows();
      const res = await put(body, otherKey);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
      expect(await storedRows()).toEqual(before);
    });

    it("refuses plain http and internal addresses unless WEBCTI_WEBHOOKS_ALLOW_HTTP", async () => {
      const strict = { ...stack.services, config: { ...stack.services.config, WEBCTI_WEBHOOKS_ALLOW_HTTP: false } };
      const before = await storedRows();
      for (const url of ["http://example.com/hook", "https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://localhost/hook", "https://169.254.169.254/"]) {
        await expect(putEndpoint(strict, "fabrikam", "strict", { url, eventTypes: ["presence.changed"] }), url).rejects.toMatchObject({ code: "invalid_request" });
      }
      expect(await storedRows()).toEqual(before);
      const ok = await putEndpoint(strict, "fabrikam", "strict", { url: "https://partner.example/hook", eventTypes: ["presence.changed"] });
      expect(ok.url).toBe("https://partner.example/hook");
    });

    it("needs a partner key", async () => {
      expect((await call(api("/webhooks/endpoint"))).status).toBe(401);
      expect((await call(api("/webhooks/endpoint"), { method: "PUT", json: endpointFor("/x") })).status).toBe(401);
      expect((await call(api("/webhooks/deliveries"))).status).toBe(401);
    });

    it("answers 400 for a delivery id or cursor this API did not make", async () => {
      expect((await delivery("msg_nope")).status).toBe(400);
      expect((await call(api("/webhooks/deliveries?cursor=bm9wZQ"), { key })).status).toBe(400);
    });
  });
});

describe("deliveries", () => {
  it("retry with the same webhook-id until the endpoint accepts, and the log shows every attempt", async () => {
    const created = await put(endpointFor("/retry"));
    const secret: string = created.body.secret;
    plan = [500, "drop", 503];

    const accepted = await clickToAct(phoneClick);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: "pending", attemptCount: 1, type: "clickToAct.requested" });
    const id: string = accepted.body.deliveryId;
    expect(id).toMatch(/^msg_/);
    expect(Date.parse(accepted.body.nextAttemptAt) - Date.parse(accepted.body.attempts[0].at)).toBeGreaterThanOrEqual(retryDelaysMs[0]);

    // The first attempt was sent at the real time: the package's verify() takes it as a partner would.
    expect(received).toHaveLength(1);
    const event = new Webhook(secret).verify(received[0]!.body, received[0]!.headers as Record<string, string>);
    expect(event).toEqual({
      type: "clickToAct.requested",
      timestamp: expect.any(String),
      data: {
        tenantId: demo.tenantId,
        providerId: provider,
        agentId: demo.agentId,
        target: { kind: "phone", e164: "+12065550101", extension: "12" },
        raw: "(206) 555-0101 x12",
        record: { type: "contact", id: "c-alice" },
      },
    });

    for (const [i, delay] of retryDelaysMs.slice(0, 3).entries()) {
      await runTimer(); // not due yet: nothing is sent
      expect(received).toHaveLength(i + 1);
      advance(delay);
      await Promise.all([runTimer(), runTimer(), runTimer()]); // (and the stack's own timer): one claim wins
      await expect.poll(() => received.length).toBe(i + 2);
    }
    await expect.poll(async () => (await delivery(id)).body.status).toBe("delivered");
    await runTimer();
    expect(received).toHaveLength(4);
    expect(new Set(received.map((r) => r.headers["webhook-id"]))).toEqual(new Set([id]));
    expect(new Set(received.map((r) => r.body)).size).toBe(1); // byte for byte the same body
    expect(received.every((r) => signedWith(secret, r))).toBe(true);

    const log = (await delivery(id)).body;
    expect(log).toMatchObject({ status: "delivered", attemptCount: 4, nextAttemptAt: null, failureReason: null });
    expect(log.attempts.map((a: { status: number | null }) => a.status)).toEqual([500, null, 503, 204]);
    expect(log.attempts[1].error).toEqual(expect.any(String));
    expect(log.attempts.every((a: { durationMs: number; url: string }) => a.durationMs >= 0 && a.url === `${receiverUrl}/retry`)).toBe(true);
    const list = await call(api("/webhooks/deliveries"), { key });
    expect(list.body.deliveries[0]).toMatchObject({ deliveryId: id, status: "delivered", attemptCount: 4 });
    // The schedule keeps nothing for a finished delivery.
    await expect.poll(() => rows(stack.services.tables.webhookSchedule)).toBe(0);
  });

  it("fail after the eighth attempt, following the Standard Webhooks schedule", async () => {
    await put(endpointFor("/down"));
    plan = Array<Outcome>(8).fill(500);
    const { body } = await clickToAct({ providerId: provider, kind: "email", value: "alice@fabrikam.example" });
    expect(body.status).toBe("pending");
    for (const [i, delay] of retryDelaysMs.entries()) {
      advance(delay);
      await runTimer();
      await expect.poll(() => received.length).toBe(i + 2);
    }
    await expect.poll(async () => (await delivery(body.deliveryId)).body.status).toBe("failed");
    const log = (await delivery(body.deliveryId)).body;
    expect(log).toMatchObject({ attemptCount: 8, failureReason: "retries_exhausted", nextAttemptAt: null });
    const gaps = log.attempts.slice(1).map((a: { at: string }, i: number) => Date.parse(a.at) - Date.parse(log.attempts[i].at));
    gaps.forEach((gap: number, i: number) => expect(gap).toBeGreaterThanOrEqual(retryDelaysMs[i]!));
    advance(24 * 3600e3);
    await runTimer();
    expect(received).toHaveLength(8);
  });

  it("stop at a 410: the delivery fails and the endpoint is disabled until it is PUT again", async () => {
    await put(endpointFor("/gone"));
    plan = [410];
    const { body } = await clickToAct(phoneClick);
    expect(body).toMatchObject({ status: "failed", failureReason: "endpoint_gone", attemptCount: 1, nextAttemptAt: null });
    const endpoint = await call(api("/webhooks/endpoint"), { key });
    expect(endpoint.body).toMatchObject({ enabled: false, disabledReason: "gone" });

    const before = await storedRows();
    const refused = await clickToAct(phoneClick);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ pointer: "#/providerId" })]);
    expect(await storedRows()).toEqual(before);

    const again = await put(endpointFor("/gone"));
    expect(again.body).toMatchObject({ enabled: true, disabledReason: null });
    expect((await clickToAct(phoneClick)).body.status).toBe("delivered");
  });

  it("fail at the next attempt when the endpoint was deleted meanwhile", async () => {
    await put(endpointFor("/deleted"));
    plan = [500];
    const { body } = await clickToAct(phoneClick);
    await call(api("/webhooks/endpoint"), { method: "DELETE", key });
    advance(retryDelaysMs[0]);
    await runTimer();
    await expect.poll(async () => (await delivery(body.deliveryId)).body.status).toBe("failed");
    expect((await delivery(body.deliveryId)).body).toMatchObject({ failureReason: "endpoint_deleted", attemptCount: 1 });
    expect(received).toHaveLength(1);
  });

  it("carry both signatures for 24 hours after a secret rotation", async () => {
    await call(api("/webhooks/endpoint"), { method: "DELETE", key: softphoneKey });
    const old: string = (await put(endpointFor("/rotate"), softphoneKey)).body.secret;
    const rotated = await call(api("/webhooks/endpoint/rotate-secret"), { method: "POST", key: softphoneKey });
    expect(rotated.status).toBe(200);
    const secret: string = rotated.body.secret;
    expect(secret).not.toBe(old);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now() - offsetMs).toBeGreaterThan(23.9 * 3600e3);

    const { body } = await clickToAct({ ...phoneClick, providerId: demo.providerId });
    expect(body.status).toBe("delivered");
    const [first] = received;
    expect(String(first!.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(signedWith(secret, first!) && signedWith(old, first!)).toBe(true);

    advance(24 * 3600e3 + 1000);
    await clickToAct({ ...phoneClick, providerId: demo.providerId });
    const [, second] = received;
    expect(String(second!.headers["webhook-signature"]).split(" ")).toHaveLength(1);
    expect(signedWith(secret, second!)).toBe(true);
    expect(signedWith(old, second!)).toBe(false);
    expect((await call(api("/webhooks/endpoint"), { key: softphoneKey })).body.previousSecretExpiresAt).toBeNull();
  });

  it("send presence changes to every provider of the tenant subscribed to them", async () => {
    await put(endpointFor("/presence-a", ["presence.changed"]));
    await put(endpointFor("/presence-b", ["clickToAct.requested"]), softphoneKey);
    await put(endpointFor("/presence-other", ["presence.changed"]), otherKey);
    const sent = await sendPresenceChanged(stack.services, demo.tenantId, {
      agentId: demo.agentId,
      status: "away",
      reason: "Lunch",
      changedAt: "2026-11-24T12:00:00Z",
      source: { kind: "agent" },
    });
    // Stored before the answer; the first attempt is not awaited, so a slow endpoint never slows the update.
    expect(sent.map((d) => d.status)).toEqual(["pending"]);
    await waitFor(() => received.length === 1, 5_000, "the first attempt");
    expect(received.map((r) => r.path)).toEqual(["/presence-a"]);
    // The body's timestamp is when the presence changed, not when the delivery was queued.
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      type: "presence.changed",
      timestamp: "2026-11-24T12:00:00Z",
      data: { tenantId: demo.tenantId, agentId: demo.agentId, status: "away" },
    });
    await waitFor(async () => (await delivery(sent[0]!.deliveryId, key)).body.status === "delivered", 5_000, "delivered");
  });
});

describe("the delivery log", () => {
  it("pages newest first and keeps tenants apart", async () => {
    await put(endpointFor("/log"));
    for (let i = 0; i < 3; i++) await clickToAct({ ...phoneClick, value: `+1 206 555 010${i}` });
    const first = await call(api("/webhooks/deliveries?limit=2"), { key });
    expect(first.status).toBe(200);
    expect(first.body.deliveries).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call(api(`/webhooks/deliveries?limit=2&cursor=${first.body.nextCursor}`), { key });
    const all = [...first.body.deliveries, ...second.body.deliveries];
    expect(new Set(all.map((d: { deliveryId: string }) => d.deliveryId)).size).toBe(all.length);
    const times = all.map((d: { createdAt: string }) => Date.parse(d.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const id = first.body.deliveries[0].deliveryId;
    expect((await delivery(id, otherKey)).status).toBe(404);
    expect((await delivery(id, softphoneKey)).status).toBe(404); // another provider of the same tenant
    const theirs = await call(api("/webhooks/deliveries"), { key: otherKey });
    expect(theirs.body.deliveries.some((d: { deliveryId: string }) => d.deliveryId === id)).toBe(false);
    expect((await call(api("/webhooks/endpoint"), { key: otherKey })).body.url).toBe(`${receiverUrl}/presence-other`);
  });
});

describe("click-to-act", () => {
  const cases: Array<[string, () => unknown, number, string?]> = [
    ["a provider of another tenant", () => ({ ...phoneClick, providerId: "nope" }), 404, "#/providerId"],
    ["text that is not a phone number", () => ({ ...phoneClick, value: "call me" }), 400, "#/value"],
    ["text that is not an email address", () => ({ ...phoneClick, kind: "email", value: "alice at fabrikam" }), 400, "#/value"],
    ["a record that does not exist", () => ({ ...phoneClick, record: { type: "contact", id: "c-nobody" } }), 400, "#/record/id"],
    ["an unknown kind", () => ({ ...phoneClick, kind: "fax" }), 400, "#/kind"],
    ["an empty value", () => ({ ...phoneClick, value: "  " }), 400, "#/value"],
  ];
  it.each(cases)("refuses %s and stores nothing", async (_name, body, status, pointer) => {
    await put(endpointFor("/c2a"));
    const before = await storedRows();
    const res = await clickToAct(body());
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    if (pointer) expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
    expect(await storedRows()).toEqual(before);
    expect(received).toHaveLength(0);
  });

  it("refuses a provider whose endpoint does not take click-to-act", async () => {
    await put(endpointFor("/c2a", ["presence.changed"]));
    const before = await storedRows();
    const res = await clickToAct(phoneClick);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: "#/providerId" })]);
    expect(await storedRows()).toEqual(before);
  });

  it("needs a signed-in agent", async () => {
    expect((await call(api("/agent/click-to-act"), { json: phoneClick })).status).toBe(401);
  });
});
