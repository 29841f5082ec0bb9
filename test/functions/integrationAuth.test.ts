/**
 * Signing an agent in from the CRM's side, through HTTP: the CRM backend's integration key mints agent
 * tokens, and an agent page presents either such a token or a Microsoft Entra ID access token (checked
 * here against a JWKS served by the test, with real signatures). Every refusal is 401 problem+json and
 * changes nothing.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from "jose";
import { call, startTestStack, type ApiResponse } from "../support/stack.js";
import { demo } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issueIntegrationKey, revokeIntegrationKey } from "../../shared/auth/integrationKeys.js";
import { mintAgentToken, purgeExpiredAgentTokens } from "../../shared/auth/agentTokens.js";
import { linkPrincipal } from "../../shared/auth/agentPrincipal.js";
import { putAgent, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { tableNames } from "../../shared/storage/tables.js";

const other = { tenantId: "fabrikam-int", agentId: "fab-agent" };
const audience = "api://webcti-test";
const oids = { demo: "11111111-0000-4000-8000-000000000001", other: "11111111-0000-4000-8000-000000000002", stranger: "11111111-0000-4000-8000-000000000003" };

let stack: Stack;
let api: (path: string) => string;
let jwks: Server;
let issuer: string;
let signingKey: CryptoKey;
let strangerKey: CryptoKey;
let intKey: string;
let otherIntKey: string;

beforeAll(async () => {
  ({ stack } = await startTestStack({ timers: false }));
  api = (path) => `${stack.apiUrl}${path}`;
  const s = stack.services;
  const pair = await generateKeyPair("RS256");
  signingKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  jwks = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  ({ privateKey: strangerKey } = await generateKeyPair("RS256"));
  const base = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`;
  issuer = `${base}/entra-test/v2.0`;

  await putTenant(s, { tenantId: other.tenantId, name: "Fabrikam (integration)" });
  await putAgent(s, { tenantId: other.tenantId, agentId: other.agentId, displayName: "Fred" });
  await linkPrincipal(s, { identityProvider: "aad", principalId: oids.demo }, { tenantId: demo.tenantId, agentId: demo.agentId });
  await linkPrincipal(s, { identityProvider: "aad", principalId: oids.other }, { tenantId: other.tenantId, agentId: other.agentId });
  intKey = (await issueIntegrationKey(s.tables, demo.tenantId, new Date())).integrationKey;
  otherIntKey = (await issueIntegrationKey(s.tables, other.tenantId, new Date())).integrationKey;
  const settings = await call(api("/v1/integration/settings"), {
    method: "PUT",
    key: intKey,
    json: { origins: ["https://crm.contoso.example"], entra: { issuer, audience, jwksUri: `${base}/keys` } },
  });
  expect(settings.status, JSON.stringify(settings.body)).toBe(200);
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => jwks?.close(resolve));
});

/** Every row of every table, by key and etag. */
async function snapshot(): Promise<string[]> {
  const rows: string[] = [];
  for (const name of tableNames) {
    for await (const row of stack.services.tables[name].listEntities({ queryOptions: { select: ["PartitionKey", "RowKey"] } })) {
      rows.push(`${name} ${row.partitionKey} ${row.rowKey} ${row.etag}`);
    }
  }
  return rows.sort();
}

function expectUnauthenticated(res: ApiResponse) {
  expect(res.status, JSON.stringify(res.body)).toBe(401);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ code: "unauthenticated", status: 401 });
  expect(res.headers.get("www-authenticate")).toBe('Bearer realm="webcti"');
}

/** A presence change with the bearer: a write, so a refusal that changed something would show. */
async function refusedWrite(bearer: string): Promise<ApiResponse> {
  const before = await snapshot();
  const res = await call(api("/v1/agent/presence"), { method: "PUT", key: bearer, json: { status: "away" } });
  expect(await snapshot()).toEqual(before);
  return res;
}

const mint = (key: string, json: unknown) => call(api("/v1/integration/agent-tokens"), { key, json });

describe("agent tokens (POST /api/v1/integration/agent-tokens)", () => {
  it("mints a token the agent routes accept, negotiate included", async () => {
    const res = await mint(intKey, { agentId: demo.agentId });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ tokenType: "Bearer", tenantId: demo.tenantId, agentId: demo.agentId });
    const ttl = Date.parse(res.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(890_000);
    expect(ttl).toBeLessThanOrEqual(900_000);
    const me = await call(api("/v1/agent/me"), { key: res.body.token });
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(me.body).toMatchObject({ tenantId: demo.tenantId, agentId: demo.agentId });
    expect((await call(api("/v1/agent/negotiate"), { method: "POST", key: res.body.token })).status).toBe(200);
    expect((await call(api("/v1/agent/presence"), { method: "PUT", key: res.body.token, json: { status: "available" } })).status).toBe(200);
  });

  it.each([
    ["a ttl under 60 s", { agentId: demo.agentId, ttlSeconds: 59 }, "#/ttlSeconds"],
    ["a ttl over an hour", { agentId: demo.agentId, ttlSeconds: 3601 }, "#/ttlSeconds"],
    ["no agent", { ttlSeconds: 600 }, "#/agentId"],
  ])("refuses %s with 400", async (_name, json, pointer) => {
    const res = await mint(intKey, json);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
  });

  it("answers 404 for an agent the tenant does not have, another tenant's included", async () => {
    const before = await snapshot();
    for (const agentId of ["nobody", other.agentId]) {
      const res = await mint(intKey, { agentId });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: "not_found" });
    }
    expect(await snapshot()).toEqual(before);
  });

  it("refuses an expired token, a forged one and a partner-style key with 401, changing nothing", async () => {
    const past = { ...stack.services, now: () => new Date(Date.now() - 120_000) };
    const expired = await mintAgentToken(past, { tenantId: demo.tenantId, keyId: intKey.split("_")[1]! }, { agentId: demo.agentId, ttlSeconds: 60 });
    const valid = (await mint(intKey, { agentId: demo.agentId })).body.token as string;
    expectUnauthenticated(await refusedWrite(expired.token));
    expectUnauthenticated(await refusedWrite(valid.replace(/_[^_]+$/, `_${"A".repeat(43)}`)));
    expectUnauthenticated(await refusedWrite(intKey));
    expectUnauthenticated(await refusedWrite("wcat_not-a-token"));
  });

  it("stops a revoked integration key and every token it minted", async () => {
    const issued = await issueIntegrationKey(stack.services.tables, demo.tenantId, new Date());
    const token = (await mint(issued.integrationKey, { agentId: demo.agentId, ttlSeconds: 600 })).body.token as string;
    expect((await call(api("/v1/agent/me"), { key: token })).status).toBe(200);
    await revokeIntegrationKey(stack.services, issued.keyId, new Date());
    const before = await snapshot();
    expectUnauthenticated(await mint(issued.integrationKey, { agentId: demo.agentId }));
    expect(await snapshot()).toEqual(before);
    expectUnauthenticated(await refusedWrite(token));
  });

  it("keeps another tenant's integration key to its own agents and settings", async () => {
    const res = await mint(otherIntKey, { agentId: other.agentId });
    expect(res.status).toBe(201);
    expect((await call(api("/v1/agent/me"), { key: res.body.token })).body).toMatchObject({ tenantId: other.tenantId, agentId: other.agentId });
    const settings = await call(api("/v1/integration/settings"), { key: otherIntKey });
    expect(settings.body).toMatchObject({ origins: [], records: "directory" });
  });

  it("deletes the rows of tokens that expired before the current hour", async () => {
    const lastWeek = { ...stack.services, now: () => new Date(Date.now() - 3 * 3_600_000) };
    await mintAgentToken(lastWeek, { tenantId: demo.tenantId, keyId: intKey.split("_")[1]! }, { agentId: demo.agentId, ttlSeconds: 60 });
    expect(await purgeExpiredAgentTokens(stack.services)).toBeGreaterThanOrEqual(1);
    expect(await purgeExpiredAgentTokens(stack.services)).toBe(0);
  });
});

describe("Entra ID access tokens on the agent routes", () => {
  const entraToken = (claims: { oid?: string; iss?: string; aud?: string; exp?: number | string }, key: CryptoKey = signingKey) =>
    new SignJWT({ ...(claims.oid ? { oid: claims.oid } : {}), tid: "entra-test" })
      .setProtectedHeader({ alg: "RS256", kid: "test-key" })
      .setIssuer(claims.iss ?? issuer)
      .setAudience(claims.aud ?? audience)
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? "10m")
      .sign(key);

  it("accepts a token of the tenant's authority whose user is one of its agents", async () => {
    const me = await call(api("/v1/agent/me"), { key: await entraToken({ oid: oids.demo }) });
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(me.body).toMatchObject({ tenantId: demo.tenantId, agentId: demo.agentId });
  });

  it.each([
    ["expired", () => entraToken({ oid: oids.demo, exp: Math.floor(Date.now() / 1000) - 300 })],
    ["for another audience", () => entraToken({ oid: oids.demo, aud: "api://someone-else" })],
    ["from an issuer no tenant configured", () => entraToken({ oid: oids.demo, iss: "https://login.microsoftonline.com/other/v2.0" })],
    ["signed by another key", () => entraToken({ oid: oids.demo }, strangerKey)],
    ["of a user who is an agent of another tenant", () => entraToken({ oid: oids.other })],
    ["without an oid", () => entraToken({})],
    ["that is not a JWT at all", async () => "eyJhbGciOi.not-a-jwt.x"],
  ])("refuses a token %s with 401, changing nothing", async (_name, token) => {
    expectUnauthenticated(await refusedWrite(await token()));
  });

  it("refuses a valid token whose user is no agent with 403", async () => {
    const res = await call(api("/v1/agent/me"), { key: await entraToken({ oid: oids.stranger }) });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: "forbidden" });
  });

  it("stops accepting the issuer once the tenant's settings drop it", async () => {
    const token = await entraToken({ oid: oids.demo });
    const settings = (await call(api("/v1/integration/settings"), { key: intKey })).body;
    expect((await call(api("/v1/integration/settings"), { method: "PUT", key: intKey, json: { ...settings, entra: undefined } })).status).toBe(200);
    expectUnauthenticated(await call(api("/v1/agent/me"), { key: token }));
    expect((await call(api("/v1/integration/settings"), { method: "PUT", key: intKey, json: settings })).status).toBe(200);
    expect((await call(api("/v1/agent/me"), { key: token })).status).toBe(200);
  });
});

describe("CRM settings (GET/PUT /api/v1/integration/settings)", () => {
  it("answers what was put, and refuses settings that are not valid with 400", async () => {
    const got = await call(api("/v1/integration/settings"), { key: intKey });
    expect(got.body).toMatchObject({ origins: ["https://crm.contoso.example"], records: "directory", entra: { issuer, audience } });
    const before = await snapshot();
    const bad = await call(api("/v1/integration/settings"), { method: "PUT", key: intKey, json: { origins: ["https://crm.contoso.example/path"] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: "#/origins/0" })]));
    expect(await snapshot()).toEqual(before);
  });
});
