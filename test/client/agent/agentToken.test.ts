import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgentTokenSource, tokenRefreshLeadMs } from "../../../client/agent/agentToken.js";
import { AgentApi, AgentApiError } from "../../../client/agent/agentApi.js";
import { startTestStack } from "../../support/stack.js";
import { signInCookie } from "../../support/agentSession.js";
import type { Stack } from "../../../local/stack.js";

const at = (ms: number) => new Date(ms).toISOString();

describe("the page's token (getToken)", () => {
  it("is reused until 60 s before it expires, then asked for again", async () => {
    let clock = Date.parse("2030-01-01T00:00:00Z");
    const asked: number[] = [];
    const tokens = createAgentTokenSource(async () => {
      asked.push(clock);
      return { token: `t${asked.length}`, expiresAt: at(clock + 15 * 60_000) };
    }, () => clock);
    expect(await tokens.token()).toBe("t1");
    clock += 15 * 60_000 - tokenRefreshLeadMs - 1;
    expect(await tokens.token()).toBe("t1");
    clock += 1;
    expect(await tokens.token()).toBe("t2");
    expect(asked).toHaveLength(2);
  });

  it("shares one getToken call among concurrent calls, and does not cache a failure", async () => {
    let calls = 0;
    let failNext = true;
    const tokens = createAgentTokenSource(async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 10));
      if (failNext) {
        failNext = false;
        throw new Error("CRM session ended");
      }
      return "plain-token";
    });
    await expect(Promise.all([tokens.token(), tokens.token()])).rejects.toThrow("CRM session ended");
    expect(calls).toBe(1);
    expect(await Promise.all([tokens.token(), tokens.token()])).toEqual(["plain-token", "plain-token"]);
    expect(calls).toBe(2);
    // A string has no expiry: kept until refused.
    expect(await tokens.token()).toBe("plain-token");
    expect(calls).toBe(2);
    tokens.refused("plain-token");
    await tokens.token();
    expect(calls).toBe(3);
  });

  it("rejects an empty token and does not reuse one whose expiresAt does not parse", async () => {
    let answer: unknown = "";
    let calls = 0;
    const tokens = createAgentTokenSource(async () => (calls++, answer as string));
    await expect(tokens.token()).rejects.toThrow(TypeError);
    answer = { token: "x", expiresAt: "soon" };
    await tokens.token();
    await tokens.token();
    expect(calls).toBe(3);
  });
});

describe("AgentApi with getToken", () => {
  let stack: Stack;
  let cookie: string;
  beforeAll(async () => {
    ({ stack } = await startTestStack());
    cookie = await signInCookie(stack.url);
  });
  afterAll(() => stack?.close());

  /**
   * The transport: records what the client sent, then lets the real stack answer. A token named
   * "revoked" goes without any credential (the stack answers its own 401); any other stands for the
   * agent's session, so these tests do not depend on the token exchange.
   */
  function transport() {
    const sent: Array<{ url: string; credentials: RequestCredentials | undefined; authorization: string | null; cookie: string | null }> = [];
    const fetchImpl: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      sent.push({ url: String(input), credentials: init?.credentials, authorization: headers.get("authorization"), cookie: headers.get("cookie") });
      const bearer = headers.get("authorization");
      headers.delete("authorization");
      if (bearer !== "Bearer revoked") headers.set("cookie", cookie);
      return fetch(input, { ...init, headers });
    };
    return { sent, fetchImpl };
  }

  it("sends the token as a Bearer with credentials omitted to an absolute API URL", async () => {
    const { sent, fetchImpl } = transport();
    const api = new AgentApi({ apiBase: `${stack.apiUrl}/`, fetch: fetchImpl, getToken: async () => ({ token: "agent-token", expiresAt: at(Date.now() + 900_000) }) });
    const me = await api.me();
    expect(me.agentId).toBeTruthy();
    await api.negotiate();
    expect(sent).toEqual([
      { url: `${stack.apiUrl}/v1/agent/me`, credentials: "omit", authorization: "Bearer agent-token", cookie: null },
      { url: `${stack.apiUrl}/v1/agent/negotiate`, credentials: "omit", authorization: "Bearer agent-token", cookie: null },
    ]);
  });

  it("asks for a new token once after a 401, and gives up after a second", async () => {
    const { sent, fetchImpl } = transport();
    const answers = ["revoked", "fresh"];
    const api = new AgentApi({ apiBase: stack.apiUrl, fetch: fetchImpl, getToken: async () => answers.shift() ?? "revoked" });
    await api.me();
    expect(sent.map((s) => s.authorization)).toEqual(["Bearer revoked", "Bearer fresh"]);
    await api.me();
    expect(sent).toHaveLength(3);

    const refused = new AgentApi({ apiBase: stack.apiUrl, fetch: fetchImpl, getToken: async () => "revoked" });
    const error = await refused.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentApiError);
    expect(error).toMatchObject({ status: 401 });
    expect(sent.slice(3).map((s) => s.authorization)).toEqual(["Bearer revoked", "Bearer revoked"]);
  });

  it("keeps the same-origin cookie flow without getToken", async () => {
    const { sent, fetchImpl } = transport();
    await new AgentApi({ apiBase: stack.apiUrl, fetch: fetchImpl }).me();
    expect(sent[0]).toMatchObject({ credentials: "same-origin", authorization: null });
  });

  it("reports a getToken that fails as a retryable network error, without calling the API", async () => {
    const { sent, fetchImpl } = transport();
    const api = new AgentApi({ apiBase: stack.apiUrl, fetch: fetchImpl, getToken: () => Promise.reject(new Error("CRM backend down")) });
    const error = await api.me().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "network", retryable: true });
    expect((error as Error).message).toContain("CRM backend down");
    expect(sent).toHaveLength(0);
  });
});
