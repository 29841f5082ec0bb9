import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { call, startTestStack } from "../../support/stack.js";
import type { Stack } from "../../../local/stack.js";
import type { DemoSeed } from "../../../local/seedDemo.js";
import { demo } from "../../../local/seedDemo.js";
import { startFunctionsHost, type FunctionsHost } from "../../../local/functionsHost.js";
import { defineHttp, type AnyHttpDefinition } from "../../../functions/http/defineHttp.js";
import { toAzureHandler } from "../../../functions/http/toAzureHandler.js";
import { WebCtiError } from "../../../shared/errors.js";
import type { Services } from "../../../shared/services.js";
import { issuePartnerKey } from "../../../shared/auth/partnerKeys.js";
import { putProvider, putTenant } from "../../../shared/tenancy/tenancyStore.js";
import { idempotencyPartitionKey, reserveIdempotencyKey } from "../../../shared/idempotency/idempotencyStore.js";
import { requestFingerprint } from "../../../functions/http/idempotency.js";

/**
 * Idempotency-Key at the HTTP edge: test-only definitions served through the real local functions host
 * and toAzureHandler, on Azurite, with a handler that counts its runs and can be held open.
 */

let stack: Stack;
let seed: DemoSeed;
let host: FunctionsHost;
let services: Services;
let clockOffsetMs = 0;
let runs = 0;
let behaviour: "ok" | "internal" | "not_found" | "busy" = "ok";
let hold: { promise: Promise<void>; release: () => void } | undefined;

const lockSeconds = 60;

function holdHandler() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  hold = { promise, release };
  return hold;
}

const Thing = z.object({ n: z.number().int() });
const thingDefinition = (name: string, route: string, idempotency: "required" | "optional") =>
  defineHttp({
    name,
    method: "POST",
    route,
    auth: "partner",
    summary: "test",
    tags: ["Test"],
    body: Thing,
    idempotency,
    success: { status: 201, description: "made", schema: z.object({ n: z.number(), run: z.number() }) },
    errors: [],
    handler: async ({ body }) => {
      const run = ++runs;
      await hold?.promise;
      if (behaviour === "internal") throw new Error("the handler broke");
      if (behaviour === "busy") throw new WebCtiError("conflict", "updated concurrently; retry", { retryAfterSeconds: 0 });
      if (behaviour === "not_found") throw new WebCtiError("not_found", "no such thing");
      return { n: body.n, run };
    },
  });

const definitions: AnyHttpDefinition[] = [
  thingDefinition("makeThing", "v1/test/things", "required"),
  thingDefinition("makeOther", "v1/test/others", "required"),
  thingDefinition("makeMaybe", "v1/test/maybe", "optional"),
];

const newKey = () => `k-${randomUUID()}`;
const post = (path: string, json: unknown, key?: string, apiKey = seed.apiKey) =>
  call(`${host.url}/api/v1/test/${path}`, { key: apiKey, json, headers: key === undefined ? {} : { "idempotency-key": key } });

async function rowsFor(key: string): Promise<Array<Record<string, unknown>>> {
  const pk = idempotencyPartitionKey({ tenantId: demo.tenantId, kind: "provider", id: demo.providerId }, key);
  const rows: Array<Record<string, unknown>> = [];
  for await (const row of stack.services.tables.idempotency.listEntities({ queryOptions: { filter: `PartitionKey eq '${pk.replaceAll("'", "''")}'` } })) rows.push(row);
  return rows;
}
async function allRows(): Promise<number> {
  let n = 0;
  for await (const _ of stack.services.tables.idempotency.listEntities()) n++;
  return n;
}

beforeAll(async () => {
  ({ stack, seed } = await startTestStack());
  services = {
    ...stack.services,
    // A generous rate so this file's bursts test idempotency only; the clock can be moved forward.
    config: { ...stack.services.config, WEBCTI_RATE_LIMIT_BURST: 100_000, WEBCTI_RATE_LIMIT_PER_SECOND: 100_000 },
    now: () => new Date(Date.now() + clockOffsetMs),
  };
  host = await startFunctionsHost({
    routePrefix: "api",
    functions: definitions.map((d) => ({
      name: d.name,
      methods: [d.method],
      route: d.route,
      handler: toAzureHandler(d, () => Promise.resolve(services), { idempotency: { lockSeconds } }),
    })),
  });
});
afterAll(async () => {
  hold?.release();
  await host?.close();
  await stack?.close();
});
beforeEach(() => {
  behaviour = "ok";
  hold = undefined;
  clockOffsetMs = 0;
});

describe("Idempotency-Key", () => {
  it("replays the first answer to a retry: same status and body, Idempotent-Replayed, the handler ran once", async () => {
    const key = newKey();
    const first = await post("things", { n: 1 }, key);
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const before = runs;
    const again = await post("things", { n: 1 }, key);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("content-type")).toBe(first.headers.get("content-type"));
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(runs).toBe(before);
    expect(await rowsFor(key)).toHaveLength(1);
  });

  it("takes the key as a structured-field string or as a bare token: the same key either way", async () => {
    const key = newKey();
    const quoted = await post("things", { n: 2 }, `"${key}"`);
    expect(quoted.status).toBe(201);
    const bare = await post("things", { n: 2 }, key);
    expect(bare.headers.get("idempotent-replayed")).toBe("true");
    const escaped = await post("things", { n: 2 }, `"a \\"quoted\\" key, with spaces"`);
    expect(escaped.status).toBe(201);
    expect((await post("things", { n: 2 }, `"a \\"quoted\\" key, with spaces"`)).headers.get("idempotent-replayed")).toBe("true");
  });

  it.each([
    ["an unterminated string", '"abc'],
    ["something after the string", '"abc", "def"'],
    ["a bare key with a space", "two words"],
    ["an empty string", '""'],
    ["256 characters", "k".repeat(256)],
    ["a bad escape", '"a\\nb"'],
  ])("refuses %s with 400 naming the header, and stores nothing", async (_name, value) => {
    const before = await allRows();
    const res = await post("things", { n: 3 }, value);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ header: "Idempotency-Key" })]);
    expect(await allRows()).toBe(before);
  });

  it("accepts 255 characters", async () => {
    expect((await post("things", { n: 3 }, "k".repeat(254) + randomUUID().slice(0, 1))).status).toBe(201);
  });

  it("answers 422 for the same key with another body, or on another route, and runs nothing", async () => {
    const key = newKey();
    expect((await post("things", { n: 1 }, key)).status).toBe(201);
    const before = runs;
    const otherBody = await post("things", { n: 2 }, key);
    expect(otherBody.status).toBe(422);
    expect(otherBody.headers.get("content-type")).toBe("application/problem+json");
    expect(otherBody.body).toMatchObject({ code: "idempotency_key_mismatch", errors: [{ header: "Idempotency-Key" }] });
    const otherRoute = await post("others", { n: 1 }, key);
    expect(otherRoute.status).toBe(422);
    expect(otherRoute.body.code).toBe("idempotency_key_mismatch");
    // Byte for byte: the same JSON with other spacing is another request.
    const respaced = await call(`${host.url}/api/v1/test/things`, {
      key: seed.apiKey,
      body: '{ "n": 1 }',
      headers: { "content-type": "application/json", "idempotency-key": key },
    });
    expect(respaced.status).toBe(422);
    expect(runs).toBe(before);
  });

  it("answers 409 with Retry-After while the first request is still running, then replays its answer", async () => {
    const key = newKey();
    const held = holdHandler();
    const before = runs;
    const first = post("things", { n: 5 }, key);
    await expect.poll(() => runs).toBe(before + 1);
    const during = await post("things", { n: 5 }, key);
    expect(during.status).toBe(409);
    expect(during.body).toMatchObject({ code: "idempotency_key_in_use", errors: [{ header: "Idempotency-Key" }] });
    expect(Number(during.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    held.release();
    const done = await first;
    expect(done.status).toBe(201);
    const after = await post("things", { n: 5 }, key);
    expect(after.body).toEqual(done.body);
    expect(after.headers.get("idempotent-replayed")).toBe("true");
    expect(runs).toBe(before + 1);
  });

  it("runs 20 parallel identical requests once and stores one result", async () => {
    const key = newKey();
    const held = holdHandler();
    const before = runs;
    let settled = 0;
    const requests = Array.from({ length: 20 }, () => post("things", { n: 20 }, key).finally(() => settled++));
    await expect.poll(() => settled).toBe(19);
    held.release();
    const answers = await Promise.all(requests);
    expect(runs).toBe(before + 1);
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
    const rows = await rowsFor(key);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: "done", status: 201 });
    const replay = await post("things", { n: 20 }, key);
    expect(replay.body).toEqual(answers.find((a) => a.status === 201)!.body);
  });

  it("refuses a request without the key where it is required (400), runs nothing and stores nothing", async () => {
    const before = { runs, rows: await allRows() };
    const res = await post("things", { n: 1 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_request", errors: [{ header: "Idempotency-Key", detail: expect.any(String) }] });
    expect(runs).toBe(before.runs);
    expect(await allRows()).toBe(before.rows);
  });

  it("where it is optional, runs requests without a key every time and stores nothing", async () => {
    const before = { runs, rows: await allRows() };
    expect((await post("maybe", { n: 1 })).status).toBe(201);
    expect((await post("maybe", { n: 1 })).status).toBe(201);
    expect(runs).toBe(before.runs + 2);
    expect(await allRows()).toBe(before.rows);
    const key = newKey();
    await post("maybe", { n: 1 }, key);
    expect((await post("maybe", { n: 1 }, key)).headers.get("idempotent-replayed")).toBe("true");
  });

  it("does not use up the key on a body that is not valid", async () => {
    const key = newKey();
    const before = await allRows();
    const bad = await post("things", { n: "one" }, key);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ pointer: "#/n" })]);
    expect(await allRows()).toBe(before);
    const good = await post("things", { n: 1 }, key);
    expect(good.status).toBe(201);
    expect(good.headers.get("idempotent-replayed")).toBeNull();
  });

  it("releases the key after a 5xx or a retryable error, so the retry runs again", async () => {
    const key = newKey();
    const before = runs;
    behaviour = "internal";
    expect((await post("things", { n: 7 }, key)).status).toBe(500);
    expect(await rowsFor(key)).toEqual([]);
    behaviour = "busy";
    expect((await post("things", { n: 7 }, key)).status).toBe(409);
    expect(await rowsFor(key)).toEqual([]);
    behaviour = "ok";
    const retry = await post("things", { n: 7 }, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(runs).toBe(before + 3);
  });

  it("keeps nothing for a refused request (a 4xx of the operation): the key is released, a retry is judged again", async () => {
    const key = newKey();
    behaviour = "not_found";
    const rowsBefore = await allRows();
    const first = await post("things", { n: 8 }, key);
    expect(first.status).toBe(404);
    expect(await allRows()).toBe(rowsBefore);
    behaviour = "ok";
    const before = runs;
    const again = await post("things", { n: 8 }, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    expect(runs).toBe(before + 1);
  });

  it("forgets a key after 24 hours: the expired record is replaced", async () => {
    const key = newKey();
    expect((await post("things", { n: 9 }, key)).status).toBe(201);
    clockOffsetMs = 23 * 3600_000;
    expect((await post("things", { n: 10 }, key)).status).toBe(422);
    clockOffsetMs = 24 * 3600_000 + 1000;
    const before = runs;
    const fresh = await post("things", { n: 10 }, key);
    expect(fresh.status).toBe(201);
    expect(fresh.headers.get("idempotent-replayed")).toBeNull();
    expect(fresh.body).toMatchObject({ n: 10 });
    expect(runs).toBe(before + 1);
    expect((await post("things", { n: 10 }, key)).headers.get("idempotent-replayed")).toBe("true");
    expect(await rowsFor(key)).toHaveLength(1);
  });

  it("takes over a reservation left by a crashed instance once its lock has passed, not before", async () => {
    const url = new URL(`${host.url}/api/v1/test/things`);
    const scope = { tenantId: demo.tenantId, kind: "provider" as const, id: demo.providerId };
    const fingerprint = requestFingerprint("POST", url, Buffer.from(JSON.stringify({ n: 11 })));
    const table = stack.services.tables.idempotency;

    const fresh = newKey();
    expect((await reserveIdempotencyKey(table, scope, fresh, fingerprint, new Date())).outcome).toBe("reserved");
    const held = await post("things", { n: 11 }, fresh);
    expect(held.status).toBe(409);

    const stale = newKey();
    const crashedAt = new Date(Date.now() - (lockSeconds + 5) * 1000);
    expect((await reserveIdempotencyKey(table, scope, stale, fingerprint, crashedAt)).outcome).toBe("reserved");
    const before = runs;
    const takenOver = await post("things", { n: 11 }, stale);
    expect(takenOver.status).toBe(201);
    expect(runs).toBe(before + 1);
    expect(await rowsFor(stale)).toEqual([expect.objectContaining({ state: "done", status: 201 })]);
  });

  it("keeps keys per caller: another provider's key with the same value is another key", async () => {
    await putTenant(stack.services, { tenantId: "fabrikam", name: "Fabrikam" });
    await putProvider(stack.services, { tenantId: "fabrikam", providerId: demo.providerId, label: "Same provider id" });
    const theirs = (await issuePartnerKey(stack.services.tables, "fabrikam", demo.providerId, new Date())).apiKey;
    const key = newKey();
    const mine = await post("things", { n: 12 }, key);
    const before = runs;
    const other = await post("things", { n: 13 }, key, theirs);
    expect(other.status).toBe(201);
    expect(other.body).toMatchObject({ n: 13 });
    expect(runs).toBe(before + 1);
    expect((await post("things", { n: 12 }, key)).body).toEqual(mine.body);
  });
});

describe("Idempotency-Key on POST /v1/conversations/events", () => {
  const event = (eventId: string) => ({
    type: "ringing",
    eventId,
    conversationId: `conv-${eventId}`,
    occurredAt: "2026-11-24T09:00:00Z",
    agentId: demo.agentId,
    customer: { phone: "+1 206 555 0199" },
  });
  const send = (json: unknown, key?: string) =>
    call(`${stack.apiUrl}/v1/conversations/events`, { key: seed.apiKey, json, headers: key ? { "idempotency-key": key } : {} });
  async function conversationRows(): Promise<number> {
    let n = 0;
    for await (const _ of stack.services.tables.conversations.listEntities({ queryOptions: { filter: "RowKey ge 'event|' and RowKey lt 'event}'" } })) n++;
    return n;
  }

  it("replays the 202 for a retry with the key and refuses the key for another event with 422", async () => {
    const key = newKey();
    const first = await send(event("e-1"), key);
    expect(first.status).toBe(202);
    const rows = await conversationRows();
    const again = await send(event("e-1"), key);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const other = await send(event("e-2"), key);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe("idempotency_key_mismatch");
    expect(await conversationRows()).toBe(rows);
    // Without a key the eventId stays the natural key: a resend gets the first answer, not a replay.
    const plain = await send(event("e-1"));
    expect(plain.status).toBe(202);
    expect(plain.headers.get("idempotent-replayed")).toBeNull();
    expect(await conversationRows()).toBe(rows);
  });
});

describe("Idempotency-Key in the OpenAPI document", () => {
  it("is a header parameter, required or optional as the definition says, with 409, 422 and Idempotent-Replayed", async () => {
    const { buildOpenApiDocument } = await import("../../../functions/http/openApi.js");
    const document = buildOpenApiDocument(definitions) as any;
    const required = document.paths["/api/v1/test/things"].post;
    const optional = document.paths["/api/v1/test/maybe"].post;
    const param = (op: any) => op.parameters.find((p: any) => p.name === "Idempotency-Key");
    expect(param(required)).toMatchObject({ in: "header", required: true });
    expect(param(optional).required).not.toBe(true);
    expect(Object.keys(required.responses)).toEqual(expect.arrayContaining(["409", "422", "429"]));
    expect(required.responses["409"].headers).toHaveProperty("Retry-After");
    expect(required.responses["429"].headers).toHaveProperty("Retry-After");
    expect(required.responses["201"].headers).toHaveProperty("Idempotent-Replayed");
  });
});
