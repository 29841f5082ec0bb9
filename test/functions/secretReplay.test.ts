import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import { demo, type DemoSeed } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issueIntegrationKey } from "../../shared/auth/integrationKeys.js";

/**
 * Issue 16, item 9: a rotated webhook secret was kept in the idempotency table and replayed for 24 hours.
 * Now an answer that holds a secret is kept without its body: the table never holds the secret, and a
 * retry with the same Idempotency-Key gets 409 `conflict` (nothing runs again) instead of the secret.
 */
let stack: Stack;
let seed: DemoSeed;
let integrationKey: string;
let receiver: Server;
let receiverUrl: string;

/** Every row of the idempotency table, as text (Azurite, read directly). */
async function idempotencyRows(): Promise<string[]> {
  const rows: string[] = [];
  for await (const row of stack.services.tables.idempotency.listEntities<Record<string, unknown>>()) rows.push(JSON.stringify(row));
  return rows;
}

/** The signing secrets as stored on the endpoint row (partner or CRM scope). */
async function storedSecrets(): Promise<Array<{ secret: string; previousSecret?: string }>> {
  const rows: Array<{ secret: string; previousSecret?: string }> = [];
  for await (const row of stack.services.tables.webhookEndpoints.listEntities<{ secret: string; previousSecret?: string }>()) {
    rows.push({ secret: row.secret, previousSecret: row.previousSecret });
  }
  return rows;
}

const routes = [
  { name: "a partner's endpoint", path: "/v1/webhooks/endpoint", key: () => seed.apiKey, eventTypes: ["presence.changed"] },
  { name: "the CRM's endpoint", path: "/v1/integration/webhooks/endpoint", key: () => integrationKey, eventTypes: ["activity.created"] },
];

beforeAll(async () => {
  receiver = createServer((_request, response) => response.writeHead(204).end());
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  ({ stack, seed } = await startTestStack({ timers: false }));
  integrationKey = (await issueIntegrationKey(stack.services.tables, demo.tenantId, new Date())).integrationKey;
});
afterAll(async () => {
  await stack?.close();
  receiver?.close();
});

describe("no secrets in idempotent replays", () => {
  it.each(routes)("rotating $name with an Idempotency-Key keeps no secret, and a retry gets 409, not the secret", async ({ path, key, eventTypes }) => {
    const created = await call(`${stack.apiUrl}${path}`, { method: "PUT", key: key(), json: { url: `${receiverUrl}/hook`, eventTypes } });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const original = created.body.secret as string;
    expect(original).toMatch(/^whsec_/);

    const idempotencyKey = randomUUID();
    const rotate = () => call(`${stack.apiUrl}${path}/rotate-secret`, { method: "POST", key: key(), headers: { "idempotency-key": idempotencyKey } });
    const first = await rotate();
    expect(first.status).toBe(200);
    const secret = first.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    expect(first.headers.get("cache-control")).toBe("no-store");

    // The table holds that the request was done, never what it answered.
    const rows = await idempotencyRows();
    const row = rows.find((r) => r.includes(encodeURIComponent(idempotencyKey)));
    expect(row, rows.join("\n")).toBeDefined();
    expect(JSON.parse(row!)).toMatchObject({ state: "done", status: 200, withheld: true });
    for (const text of rows) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice("whsec_".length));
      expect(text).not.toContain("whsec_");
    }

    // The retry: 409 problem+json pointing at the header, and the rotation did not run again.
    const retry = await rotate();
    expect(retry.status).toBe(409);
    expect(retry.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(retry.body.code).toBe("conflict");
    expect(retry.body.errors).toEqual([{ header: "Idempotency-Key", detail: expect.stringContaining("shown once") }]);
    expect(JSON.stringify(retry.body)).not.toContain("whsec_");
    expect(await storedSecrets()).toContainEqual({ secret, previousSecret: original });

    // The same key for another request is still a mismatch; a new key rotates again.
    const other = await call(`${stack.apiUrl}${path}/rotate-secret?x=1`, { method: "POST", key: key(), headers: { "idempotency-key": idempotencyKey } });
    expect(other.status).toBe(422);
    const again = await call(`${stack.apiUrl}${path}/rotate-secret`, { method: "POST", key: key(), headers: { "idempotency-key": randomUUID() } });
    expect(again.status).toBe(200);
    expect(again.body.secret).not.toBe(secret);
    expect(await storedSecrets()).toContainEqual({ secret: again.body.secret, previousSecret: secret });
  });

  it("still replays an answer without a secret, body and all", async () => {
    const idempotencyKey = randomUUID();
    const event = { type: "initiated", eventId: `sr-${randomUUID()}`, conversationId: `sr-${randomUUID()}`, occurredAt: "2026-11-24T10:00:00Z" };
    const send = () => call(`${stack.apiUrl}/v1/conversations/events`, { key: seed.apiKey, json: event, headers: { "idempotency-key": idempotencyKey } });
    const first = await send();
    expect(first.status).toBe(202);
    const replay = await send();
    expect(replay.status).toBe(202);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(first.body);
  });
});
