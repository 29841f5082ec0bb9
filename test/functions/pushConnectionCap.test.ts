import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { openConnected, refusedStatus, waitFor } from "../local/webpubsub/support.js";
import { demo } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { linkPrincipal } from "../../shared/auth/agentPrincipal.js";
import { putAgent, putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { demoIdentityProvider } from "../../local/easyAuthEmulator.js";
import { agentUserId } from "../../shared/realtime/agentPush.js";

/** Issue 16, item 7: one negotiated URL opened 200 connections. The hub's connect handler caps them per agent. */
const CAP = 3;
const PROTOCOL = "json.reliable.webpubsub.azure.v1";
let stack: Stack;
let cookie: string;
let otherCookie: string;
const sockets: WebSocket[] = [];
const contosoUser = agentUserId(demo.tenantId, demo.agentId);

beforeAll(async () => {
  const previous = process.env.WEBCTI_MAX_CONNECTIONS_PER_AGENT;
  process.env.WEBCTI_MAX_CONNECTIONS_PER_AGENT = String(CAP);
  try {
    ({ stack } = await startTestStack({ timers: false }));
  } finally {
    if (previous === undefined) delete process.env.WEBCTI_MAX_CONNECTIONS_PER_AGENT;
    else process.env.WEBCTI_MAX_CONNECTIONS_PER_AGENT = previous;
  }
  cookie = await signInCookie(stack.url);
  // The same agent id in another tenant: another Web PubSub user, with its own connections.
  const s = stack.services;
  await putTenant(s, { tenantId: "fabrikam", name: "Fabrikam" });
  await putProvider(s, { tenantId: "fabrikam", providerId: "other", label: "Other" });
  await putAgent(s, { tenantId: "fabrikam", agentId: demo.agentId, displayName: "Same id, other tenant" });
  await linkPrincipal(s, { identityProvider: demoIdentityProvider, principalId: "frank" }, { tenantId: "fabrikam", agentId: demo.agentId });
  otherCookie = await signInCookie(stack.url, "frank");
});
afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await stack?.close();
});

async function negotiate(session: string): Promise<string> {
  const res = await call(`${stack.apiUrl}/v1/agent/negotiate`, { method: "POST", headers: { cookie: session } });
  expect(res.status).toBe(200);
  return res.body.url as string;
}

const open = (url: string) => openConnected(url, sockets);

function closeSocket(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    ws.once("close", () => resolve());
    ws.close(1000);
  });
}

async function rows(userId: string): Promise<string[]> {
  const ids: string[] = [];
  const filter = `PartitionKey eq '${userId}'`;
  for await (const row of stack.services.tables.pushConnections.listEntities({ queryOptions: { filter } })) ids.push(row.rowKey!);
  return ids.sort();
}

const sign = (connectionId: string, key = stack.webPubSub.accessKey) =>
  `sha256=${createHmac("sha256", key).update(connectionId).digest("hex")}`;

describe("push connections per agent", () => {
  it("lets one negotiated URL open the cap's number of connections, refuses the next, and admits one when another closes", async () => {
    const url = await negotiate(cookie);
    const opened = [];
    for (let i = 0; i < CAP; i++) opened.push(await open(url));
    expect(await rows(contosoUser)).toEqual(opened.map((o) => o.connectionId).sort());
    // The same URL, and a freshly negotiated one: both refused at the upgrade.
    expect(await refusedStatus(url, PROTOCOL)).toBe(403);
    expect(await refusedStatus(await negotiate(cookie), PROTOCOL)).toBe(403);
    expect(await rows(contosoUser)).toHaveLength(CAP);

    // The same agent id in another tenant is another user: unaffected.
    const theirs = await open(await negotiate(otherCookie));
    expect(await rows(agentUserId("fabrikam", demo.agentId))).toEqual([theirs.connectionId]);

    // Closing one (the `disconnected` event removes its row) lets a new one in.
    await closeSocket(opened[0]!.ws);
    await waitFor(async () => (await rows(contosoUser)).length === CAP - 1, 5_000, "the closed connection's row to go");
    const again = await open(url);
    expect(await rows(contosoUser)).toContain(again.connectionId);
    expect(await refusedStatus(url, PROTOCOL)).toBe(403);
    for (const o of [...opened.slice(1), again, theirs]) await closeSocket(o.ws);
    await waitFor(async () => (await rows(contosoUser)).length === 0, 5_000, "every row to go");
  });

  it("drops rows of connections the service no longer has (a missed disconnected event) before refusing", async () => {
    for (let i = 0; i < CAP; i++) {
      await stack.services.tables.pushConnections.createEntity({ partitionKey: contosoUser, rowKey: `gone${i}`, connectedAt: new Date().toISOString() });
    }
    const { ws, connectionId } = await open(await negotiate(cookie));
    expect(await rows(contosoUser)).toEqual([connectionId]);
    await closeSocket(ws);
    await waitFor(async () => (await rows(contosoUser)).length === 0, 5_000, "the row to go");
  });

  it("refuses an event call without the hub's signature and changes nothing", async () => {
    const before = await rows(contosoUser);
    const events = `${stack.apiUrl}/v1/push/events`;
    const headers = (signature: string | undefined) => ({
      "content-type": "application/json; charset=utf-8",
      "ce-specversion": "1.0",
      "ce-type": "azure.webpubsub.sys.connect",
      "ce-source": "/hubs/webcti/client/forged",
      "ce-id": "1",
      "ce-hub": "webcti",
      "ce-connectionId": "forged",
      "ce-userId": contosoUser,
      "ce-eventName": "connect",
      ...(signature === undefined ? {} : { "ce-signature": signature }),
    });
    for (const signature of [undefined, sign("forged", "not the access key"), sign("another connection")]) {
      const res = await call(events, { json: { claims: {}, query: {}, headers: {}, subprotocols: [] }, headers: headers(signature) });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(await rows(contosoUser)).toEqual(before);
    // The abuse-protection handshake consents to our service's host only.
    const consent = (origin: string) => fetch(events, { method: "OPTIONS", headers: { "webhook-request-origin": origin } });
    expect((await consent("127.0.0.1")).headers.get("webhook-allowed-origin")).toBe("127.0.0.1");
    expect((await consent("attacker.example")).headers.get("webhook-allowed-origin")).toBeNull();
  });
});
