/**
 * The push connection cap as it runs in Azure (issue 16, item 7): the Web PubSub resource has no access key, so
 * the hub's event handler uses upstream auth ManagedIdentity and the app accepts only the service identity's
 * Entra access token (WEBCTI_PUSH_EVENTS_*; shared/realtime/eventCaller.ts). Here the local service plays that
 * service: its handler setting has auth ManagedIdentity and a token source that signs with a test key, whose JWKS
 * a small server publishes (the app's WEBCTI_PUSH_EVENTS_JWKS_URI).
 */
import { createHmac, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from "jose";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { openConnected, refusedStatus, waitFor } from "../local/webpubsub/support.js";
import { demo } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { agentUserId } from "../../shared/realtime/agentPush.js";
import { readConfig } from "../../shared/config.js";

const CAP = 2;
const PROTOCOL = "json.reliable.webpubsub.azure.v1";
const tenant = randomUUID();
const audience = randomUUID(); // the app registration's client id, as infra/main.bicep passes it
const serviceOid = randomUUID(); // the Web PubSub identity's principal id
const user = agentUserId(demo.tenantId, demo.agentId);

let stack: Stack;
let cookie: string;
let jwks: Server;
let signingKey: CryptoKey;
let strangerKey: CryptoKey;
let events: string;
const sockets: WebSocket[] = [];
const settings: Record<string, string> = {
  WEBCTI_MAX_CONNECTIONS_PER_AGENT: String(CAP),
  WEBCTI_PUSH_EVENTS_TENANT_ID: tenant,
  WEBCTI_PUSH_EVENTS_AUDIENCE: audience,
  WEBCTI_PUSH_EVENTS_CALLER_OID: serviceOid,
};

type Claims = { aud?: string; oid?: string; tid?: string; iss?: string; exp?: number | string };
/** An Entra v1 access token as a managed identity gets one (iss sts.windows.net/<tenant>/). */
const token = (claims: Claims = {}, key: CryptoKey = signingKey) =>
  new SignJWT({ oid: claims.oid ?? serviceOid, tid: claims.tid ?? tenant, idtyp: "app" })
    .setProtectedHeader({ alg: "RS256", kid: "test-key" })
    .setIssuer(claims.iss ?? `https://sts.windows.net/${tenant}/`)
    .setAudience(claims.aud ?? audience)
    .setIssuedAt()
    .setExpirationTime(claims.exp ?? "10m")
    .sign(key);

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  signingKey = pair.privateKey;
  ({ privateKey: strangerKey } = await generateKeyPair("RS256"));
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  jwks = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  settings.WEBCTI_PUSH_EVENTS_JWKS_URI = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/keys`;
  const previous = Object.fromEntries(Object.keys(settings).map((name) => [name, process.env[name]]));
  Object.assign(process.env, settings);
  try {
    ({ stack } = await startTestStack({ timers: false }));
  } finally {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  events = `${stack.apiUrl}/v1/push/events`;
  // The hub as infra/modules/webpubsubhub.bicep configures it in Azure; the token source is the service's identity.
  stack.webPubSub.setEventHandlers(stack.services.config.WEBCTI_WEBPUBSUB_HUB, [
    {
      urlTemplate: events,
      systemEvents: ["connect", "disconnected"],
      auth: { type: "ManagedIdentity", managedIdentity: { resource: audience }, identity: (resource) => token({ aud: resource }) },
    },
  ]);
  cookie = await signInCookie(stack.url);
}, 60_000);

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await stack?.close();
  await new Promise((resolve) => jwks?.close(resolve));
});

async function negotiate(): Promise<string> {
  const res = await call(`${stack.apiUrl}/v1/agent/negotiate`, { method: "POST", headers: { cookie } });
  expect(res.status).toBe(200);
  return res.body.url as string;
}

const open = (url: string) => openConnected(url, sockets);

async function rows(): Promise<string[]> {
  const ids: string[] = [];
  for await (const row of stack.services.tables.pushConnections.listEntities({ queryOptions: { filter: `PartitionKey eq '${user}'` } })) {
    ids.push(row.rowKey!);
  }
  return ids.sort();
}

/** A connect event as the service sends it, for a connection id of our own. */
function connectEvent(connectionId: string, extra: Record<string, string>) {
  return call(events, {
    json: { claims: {}, query: {}, headers: {}, subprotocols: [] },
    headers: {
      "content-type": "application/json; charset=utf-8",
      "ce-specversion": "1.0",
      "ce-type": "azure.webpubsub.sys.connect",
      "ce-source": `/hubs/webcti/client/${connectionId}`,
      "ce-id": randomUUID(),
      "ce-hub": "webcti",
      "ce-connectionId": connectionId,
      "ce-userId": user,
      "ce-eventName": "connect",
      ...extra,
    },
  });
}

describe("push events authenticated with the service's managed identity (Azure)", () => {
  it("holds the cap: the service's tokens admit connections up to it, the next is refused, a closed one frees a place", async () => {
    const url = await negotiate();
    const opened = [];
    for (let i = 0; i < CAP; i++) opened.push(await open(url));
    expect(await rows()).toEqual(opened.map((o) => o.connectionId).sort());
    expect(await refusedStatus(url, PROTOCOL)).toBe(403);
    expect(await rows()).toHaveLength(CAP);
    // `disconnected` carries a token too: the row goes, and a new connection gets in.
    opened[0]!.ws.close(1000);
    await waitFor(async () => (await rows()).length === CAP - 1, 5_000, "the closed connection's row to go");
    const again = await open(url);
    expect(await rows()).toContain(again.connectionId);
    for (const o of [opened[1]!, again]) o.ws.close(1000);
    await waitFor(async () => (await rows()).length === 0, 5_000, "every row to go");
  });

  it("accepts a direct call with a valid service token (the control for the refusals below)", async () => {
    const res = await connectEvent("direct-ok", { authorization: `Bearer ${await token()}` });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await rows()).toEqual(["direct-ok"]);
    await stack.services.tables.pushConnections.deleteEntity(user, "direct-ok");
  });

  const sign = (connectionId: string) => `sha256=${createHmac("sha256", stack.webPubSub.accessKey).update(connectionId).digest("hex")}`;
  const unsigned = async () => {
    const [header, payload] = (await token()).split(".");
    const none = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    return [`${none}.${payload}.`, `${header}.${payload}.`];
  };
  it.each([
    ["with a token for another audience", async () => ({ authorization: `Bearer ${await token({ aud: `api://${audience}` })}` })],
    ["with a token of another identity", async () => ({ authorization: `Bearer ${await token({ oid: randomUUID() })}` })],
    ["with a token from another directory", async () => ({ authorization: `Bearer ${await token({ tid: randomUUID(), iss: `https://sts.windows.net/${randomUUID()}/` })}` })],
    ["with a token of this issuer but another tid", async () => ({ authorization: `Bearer ${await token({ tid: randomUUID() })}` })],
    ["with an expired token", async () => ({ authorization: `Bearer ${await token({ exp: Math.floor(Date.now() / 1000) - 600 })}` })],
    ["with a token signed by another key", async () => ({ authorization: `Bearer ${await token({}, strangerKey)}` })],
    ["with an unsigned token (alg none)", async () => ({ authorization: `Bearer ${(await unsigned())[0]}` })],
    ["with a token whose signature is cut off", async () => ({ authorization: `Bearer ${(await unsigned())[1]}` })],
    ["without a token but with a valid ce-signature", async () => ({ "ce-signature": sign("forged") })],
  ])("refuses a call %s: 401 problem+json, nothing written", async (_name, headers) => {
    const before = await rows();
    const res = await connectEvent("forged", await headers());
    expect(res.status, JSON.stringify(res.body)).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await rows()).toEqual(before);
  });

  it("answers the abuse-protection OPTIONS as before: consent for our service's host only", async () => {
    const consent = (origin: string) => fetch(events, { method: "OPTIONS", headers: { "webhook-request-origin": origin } });
    expect((await consent("127.0.0.1")).headers.get("webhook-allowed-origin")).toBe("127.0.0.1");
    expect((await consent("attacker.example")).headers.get("webhook-allowed-origin")).toBeNull();
  });
});

describe("the WEBCTI_PUSH_EVENTS_* settings", () => {
  it("are all three or none: a deployment with some would refuse every event or check none of them", () => {
    const base = { WEBCTI_TABLES_CONNECTION_STRING: "UseDevelopmentStorage=true", WEBCTI_WEBPUBSUB_CONNECTION_STRING: "Endpoint=http://localhost;AccessKey=a;Version=1.0;" };
    expect(() => readConfig({ ...base, WEBCTI_PUSH_EVENTS_TENANT_ID: tenant })).toThrow(/WEBCTI_PUSH_EVENTS_AUDIENCE: set all of/);
    expect(() => readConfig({ ...base, WEBCTI_PUSH_EVENTS_AUDIENCE: audience, WEBCTI_PUSH_EVENTS_CALLER_OID: serviceOid })).toThrow(/WEBCTI_PUSH_EVENTS_TENANT_ID/);
    expect(readConfig({ ...base, ...settings }).WEBCTI_PUSH_EVENTS_CALLER_OID).toBe(serviceOid);
  });
});
