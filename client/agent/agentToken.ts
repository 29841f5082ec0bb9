/**
 * What a CRM page on its own origin gives the client to sign the agent in: a WebCTI agent token its
 * backend got from the token exchange (POST /v1/integration/agent-tokens), or a Microsoft Entra ID access
 * token for WebCTI's API. A bare string is used until the service refuses it (401).
 */
export type GetToken = () => Promise<string | { token: string; expiresAt?: string }>;

/** A token is asked for again this long before its `expiresAt`, so no call goes out with one about to lapse. */
export const tokenRefreshLeadMs = 60_000;

export interface AgentTokenSource {
  /** The token to send now: the cached one, or a new one when it is near its expiry or was refused. */
  token(): Promise<string>;
  /** The service answered 401 to `token`: the next call asks `getToken` again. */
  refused(token: string): void;
}

/**
 * Caches the page's token and asks for a new one 60 s before it expires, or after a 401. Concurrent calls
 * share one `getToken` call; a call that fails is not cached, so the next API call asks again.
 */
export function createAgentTokenSource(getToken: GetToken, now: () => number = Date.now): AgentTokenSource {
  let current: { token: string; refreshAtMs: number } | undefined;
  let pending: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const answer = await getToken();
    const { token, expiresAt } = typeof answer === "string" ? { token: answer, expiresAt: undefined } : answer;
    if (typeof token !== "string" || !token) throw new TypeError("getToken() must resolve to a token: a non-empty string or { token, expiresAt? }.");
    const expiresAtMs = expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(expiresAt);
    // An expiresAt that does not parse is treated as expired: asked again on the next call, never reused blindly.
    current = { token, refreshAtMs: Number.isNaN(expiresAtMs) ? 0 : expiresAtMs - tokenRefreshLeadMs };
    return token;
  }

  return {
    token() {
      if (current && now() < current.refreshAtMs) return Promise.resolve(current.token);
      pending ??= fetchToken().finally(() => (pending = undefined));
      return pending;
    },
    refused(token) {
      if (current?.token === token) current = undefined;
    },
  };
}
