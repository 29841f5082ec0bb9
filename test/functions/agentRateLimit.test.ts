import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import type { Stack } from "../../local/stack.js";
import { demo, type DemoSeed } from "../../local/seedDemo.js";
import { linkPrincipal } from "../../shared/auth/agentPrincipal.js";
import { putAgent } from "../../shared/tenancy/tenancyStore.js";
import { issueIntegrationKey } from "../../shared/auth/integrationKeys.js";
import { demoIdentityProvider } from "../../local/easyAuthEmulator.js";
import { readConfig } from "../../shared/config.js";

/**
 * The agent routes' rate limit (issue 16, item 7): one bucket per signed-in agent, whatever the
 * credential. This file's stack allows a burst of 3, then one request every 2 s (set through the
 * deployment's settings, read when the stack starts).
 */
const limited = { WEBCTI_AGENT_RATE_BURST: "3", WEBCTI_AGENT_RATE_PER_SECOND: "0.5" };

let stack: Stack;
let seed: DemoSeed;
let n = 0;

/** A new agent of the demo tenant, signed in as its own user: a fresh bucket. */
async function newAgentCookie(): Promise<string> {
  n += 1;
  const agentId = `rate-agent-${n}`;
  await putAgent(stack.services, { tenantId: demo.tenantId, agentId, displayName: `Rate agent ${n}` });
  await linkPrincipal(stack.services, { identityProvider: demoIdentityProvider, principalId: `rate-user-${n}` }, { tenantId: demo.tenantId, agentId });
  return signInCookie(stack.url, `rate-user-${n}`);
}

const me = (cookie: string) => call(`${stack.apiUrl}/v1/agent/me`, { headers: { cookie } });

beforeAll(async () => {
  const saved = Object.fromEntries(Object.keys(limited).map((k) => [k, process.env[k]]));
  Object.assign(process.env, limited);
  try {
    ({ stack, seed } = await startTestStack());
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});
afterAll(() => stack?.close());

describe("agent route rate limits", () => {
  it("allows the burst, then answers 429 rate_limited with Retry-After and the agent policy; nothing ran", async () => {
    const cookie = await newAgentCookie();
    const allowed = [await me(cookie), await me(cookie), await me(cookie)];
    for (const res of allowed) expect(res.status).toBe(200);
    expect(allowed.map((r) => r.headers.get("ratelimit"))).toEqual(['"agent";r=2;t=2', '"agent";r=1;t=4', '"agent";r=0;t=6']);
    expect(allowed[0]!.headers.get("ratelimit-policy")).toBe('"agent";q=3;w=6');
    const refused = await me(cookie);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.body).toMatchObject({ code: "rate_limited", status: 429 });
    expect(refused.body.detail).toMatch(/^This agent may send 0.5 requests per second \(burst 3\)/);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("ratelimit")).toMatch(/^"agent";r=0;t=\d+$/);
    // A refused write stores nothing: the record was never saved.
    const write = await call(`${stack.apiUrl}/v1/agent/directory/contacts/c-rate-${n}`, { method: "PUT", json: { name: "Not stored" }, headers: { cookie } });
    expect(write.status).toBe(429);
    const read = await call(`${stack.apiUrl}/v1/agent/directory/contacts/c-rate-${n}`, { headers: { cookie: await signInCookie(stack.url) } });
    expect(read.status).toBe(404);
  });

  it("keeps one bucket per agent: another agent of the same tenant is unaffected", async () => {
    const spent = await newAgentCookie();
    for (let i = 0; i < 3; i++) await me(spent);
    expect((await me(spent)).status).toBe(429);
    const other = await newAgentCookie();
    expect((await me(other)).status).toBe(200);
    expect((await me(await signInCookie(stack.url))).status).toBe(200);
  });

  it("is one bucket per agent whatever the credential: an agent token shares the session's", async () => {
    const cookie = await newAgentCookie();
    const { integrationKey } = await issueIntegrationKey(stack.services.tables, demo.tenantId, new Date());
    const minted = await call(`${stack.apiUrl}/v1/integration/agent-tokens`, { key: integrationKey, json: { agentId: `rate-agent-${n}` } });
    expect(minted.status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await me(cookie)).status).toBe(200);
    const byToken = await call(`${stack.apiUrl}/v1/agent/me`, { key: minted.body.token });
    expect(byToken.status).toBe(429);
  });

  it("refills: after Retry-After seconds the agent may call again", async () => {
    const cookie = await newAgentCookie();
    for (let i = 0; i < 3; i++) await me(cookie);
    const refused = await me(cookie);
    expect(refused.status).toBe(429);
    await new Promise((r) => setTimeout(r, Number(refused.headers.get("retry-after")) * 1000 + 50));
    expect((await me(cookie)).status).toBe(200);
    expect((await me(cookie)).status).toBe(429);
  });

  it("does not let requests that fail authentication or come from a foreign origin drain an agent's bucket", async () => {
    const cookie = await newAgentCookie();
    const forged = { cookie, origin: "http://evil.example", "sec-fetch-site": "cross-site" };
    for (let i = 0; i < 5; i++) {
      const res = await call(`${stack.apiUrl}/v1/agent/negotiate`, { method: "POST", headers: forged });
      expect(res.status).toBe(403);
    }
    for (let i = 0; i < 5; i++) expect((await call(`${stack.apiUrl}/v1/agent/me`, { key: "not-a-token" })).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await me(cookie)).status).toBe(200);
  });

  it("defaults to 20 requests per second, bursts of 100", () => {
    const config = readConfig({ WEBCTI_TABLES_CONNECTION_STRING: "x", WEBCTI_WEBPUBSUB_CONNECTION_STRING: "y" });
    expect([config.WEBCTI_AGENT_RATE_PER_SECOND, config.WEBCTI_AGENT_RATE_BURST]).toEqual([20, 100]);
    expect(seed).toBeDefined();
  });
});
