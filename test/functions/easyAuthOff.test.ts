/**
 * Agent routes in Azure with App Service Authentication off (issue 16, item 8): nothing strips a forged
 * `x-ms-client-principal` then, so a session is refused with 500 problem+json saying the deployment is
 * misconfigured (logged once), while agent tokens, partner keys and a deployment with Easy Auth on work.
 * The stack is told it runs in Azure the way App Service tells the app: WEBSITE_SITE_NAME (and
 * WEBSITE_AUTH_ENABLED when Easy Auth is on); the local host plays Easy Auth's sign-in.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { demo, type DemoSeed } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issueIntegrationKey } from "../../shared/auth/integrationKeys.js";

/** A stack started with these App Service settings in its environment (restored afterwards). */
async function stackWith(settings: Record<string, string | undefined>): Promise<{ stack: Stack; seed: DemoSeed }> {
  const saved = Object.fromEntries(Object.keys(settings).map((name) => [name, process.env[name]]));
  const assign = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  assign(settings);
  try {
    return await startTestStack({ timers: false });
  } finally {
    assign(saved);
  }
}

const refusalLog = /App Service Authentication is off/;

let off: Stack;
let offSeed: DemoSeed;
let on: Stack;
const logged: string[] = [];

beforeAll(async () => {
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
  ({ stack: off, seed: offSeed } = await stackWith({ WEBSITE_SITE_NAME: "func-webcti-test", WEBSITE_AUTH_ENABLED: undefined }));
  ({ stack: on } = await stackWith({ WEBSITE_SITE_NAME: "func-webcti-test", WEBSITE_AUTH_ENABLED: "True" }));
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await off?.close();
  await on?.close();
});

describe("in Azure with App Service Authentication off", () => {
  it("refuses signed-in sessions with 500 problem+json that says the deployment is misconfigured, and logs it once", async () => {
    const cookie = await signInCookie(off.url);
    const before = logged.filter((line) => refusalLog.test(line) && line.includes("WEBSITE_AUTH_ENABLED")).length;
    for (const path of ["/v1/agent/me", "/v1/agent/presence"]) {
      const res = await call(`${off.apiUrl}${path}`, { headers: { cookie } });
      expect(res.status, path).toBe(500);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.body).toMatchObject({ code: "internal", status: 500, instance: `/api${path}` });
      expect(res.body.detail).toMatch(/misconfigured: App Service Authentication is off/);
    }
    const anonymous = await call(`${off.apiUrl}/v1/agent/me`);
    expect(anonymous.status).toBe(500);
    // Three refusals, one log line of the instance (the edge adds its usual line per failed request).
    expect(logged.filter((line) => refusalLog.test(line) && line.includes("WEBSITE_AUTH_ENABLED")).length - before).toBe(1);
  });

  it("a refused write stores nothing", async () => {
    const cookie = await signInCookie(off.url);
    const read = () => call(`${off.apiUrl}/v1/agents/${demo.agentId}/presence`, { key: offSeed.apiKey });
    const before = await read();
    expect(before.status).toBe(200);
    const put = await call(`${off.apiUrl}/v1/agent/presence`, {
      method: "PUT",
      headers: { cookie, origin: off.url },
      json: { status: before.body.status === "busy" ? "available" : "busy" },
    });
    expect(put.status).toBe(500);
    expect((await read()).body).toEqual(before.body);
  });

  it("still accepts agent tokens (Authorization: Bearer) and partner keys", async () => {
    const key = (await issueIntegrationKey(off.services.tables, demo.tenantId, new Date())).integrationKey;
    const minted = await call(`${off.apiUrl}/v1/integration/agent-tokens`, { key, json: { agentId: demo.agentId } });
    expect(minted.status).toBe(201);
    const me = await call(`${off.apiUrl}/v1/agent/me`, { key: minted.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ tenantId: demo.tenantId, agentId: demo.agentId });
    const partner = await call(`${off.apiUrl}/v1/directory/lookup?phone=${encodeURIComponent(demo.numbers.oneContact)}`, { key: offSeed.apiKey });
    expect(partner.status).toBe(200);
  });
});

describe("in Azure with App Service Authentication on (WEBSITE_AUTH_ENABLED=True)", () => {
  it("serves signed-in sessions", async () => {
    const cookie = await signInCookie(on.url);
    const me = await call(`${on.apiUrl}/v1/agent/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ tenantId: demo.tenantId, agentId: demo.agentId });
  });
});
