import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { decodeJwt } from "jose";
import WebSocket from "ws";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { waitFor } from "./webpubsub/support.js";
import type { Stack } from "../../local/stack.js";
import { demo } from "../../local/seedDemo.js";
import { readConfig } from "../../shared/config.js";
import { agentUserId } from "../../shared/realtime/agentPush.js";
import { AgentApi } from "../../client/agent/agentApi.js";
import { createAgentConnection, type AgentConnection } from "../../client/agent/agentConnection.js";

/**
 * The negotiated Web PubSub URL (issue 16, item 7): it only opens a connection, so it lives 5 minutes by
 * default; once expired the local Web PubSub service refuses it, while a client connected before keeps
 * receiving and, when its connection is closed, negotiates a fresh URL. The clock (Date only, still
 * running) is moved past the expiry: the service and the token signer in this process read it.
 */
let stack: Stack;
let cookie: string;
let connection: AgentConnection | undefined;

const negotiate = () => call<{ url: string; userId: string; expiresAt: string }>(`${stack.apiUrl}/v1/agent/negotiate`, { method: "POST", headers: { cookie } });

/** Opens a socket on the URL: resolves with the upgrade's HTTP status (101 when it opened). */
function openStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, "json.reliable.webpubsub.azure.v1");
    ws.once("open", () => {
      ws.terminate();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
    ws.once("error", (error) => reject(error));
  });
}

beforeAll(async () => {
  ({ stack } = await startTestStack({ timers: false }));
  cookie = await signInCookie(stack.url);
});
afterEach(() => {
  connection?.stop();
  connection = undefined;
  vi.useRealTimers();
});
afterAll(() => stack?.close());

describe("the negotiated Web PubSub URL", () => {
  it("lives 5 minutes by default (WEBCTI_CLIENT_TOKEN_MINUTES)", async () => {
    expect(readConfig({ WEBCTI_TABLES_CONNECTION_STRING: "x", WEBCTI_WEBPUBSUB_CONNECTION_STRING: "y" }).WEBCTI_CLIENT_TOKEN_MINUTES).toBe(5);
    const res = await negotiate();
    expect(res.status).toBe(200);
    const claims = decodeJwt(new URL(res.body.url).searchParams.get("access_token")!);
    expect(claims.exp! - claims.iat!).toBe(5 * 60);
    expect(Math.abs(Date.parse(res.body.expiresAt) - claims.exp! * 1000)).toBeLessThan(2000);
    expect(await openStatus(res.body.url)).toBe(101);
  });

  it("opens no connection once expired; a client connected before keeps receiving and reconnects with a fresh URL", async () => {
    vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
    const negotiated: string[] = [];
    const received: unknown[] = [];
    let connected = 0;
    const api = new AgentApi({
      apiBase: stack.apiUrl,
      headers: { cookie },
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (String(input).endsWith("/v1/agent/negotiate")) negotiated.push(((await response.clone().json()) as { url: string }).url);
        return response;
      },
    });
    const noop = () => undefined;
    connection = createAgentConnection({
      api,
      onNegotiated: noop,
      onConnecting: noop,
      onConnected: () => void (connected += 1),
      onReconnecting: noop,
      onResumed: noop,
      onMessage: (data) => void received.push(data),
      onRestartFailed: noop,
    });
    await connection.start();
    expect([negotiated.length, connected]).toEqual([1, 1]);
    const userId = agentUserId(demo.tenantId, demo.agentId);

    vi.setSystemTime(Date.now() + 5 * 60_000 + 5_000);
    // The URL the client connected with no longer opens a connection...
    expect(await openStatus(negotiated[0]!)).toBe(401);
    // ...but the connection it opened still receives.
    await stack.services.push.sendToUser(userId, { probe: 1 });
    await waitFor(() => received.some((m) => (m as { probe?: number }).probe === 1));
    // The service closes it: the client negotiates again and connects with the new URL.
    await stack.services.push.closeUserConnections(userId);
    await waitFor(() => connected === 2, 15_000);
    expect(negotiated).toHaveLength(2);
    expect(negotiated[1]).not.toBe(negotiated[0]);
    await stack.services.push.sendToUser(userId, { probe: 2 });
    await waitFor(() => received.some((m) => (m as { probe?: number }).probe === 2));
  });
});
