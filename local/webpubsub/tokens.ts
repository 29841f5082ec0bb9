import { createHmac, timingSafeEqual } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { SignJWT, jwtVerify, type JWTPayload } from "jose";

/**
 * JWTs as the service uses them, all HS256 with the access key (its UTF-8
 * bytes, which is how the SDK's `jsonwebtoken` uses a string secret):
 * - REST calls: the server SDK signs `aud` = the full request URL, query
 *   string included (see webPubSubCredentialPolicy in @azure/web-pubsub).
 * - Client connections: `getClientAccessToken` signs
 *   `aud` = `http(s)://<host>/client/hubs/<hub>` (http scheme, no query).
 * Hosts are compared so a token minted for one endpoint cannot be replayed
 * against another; the scheme is ignored because client tokens name the http
 * endpoint while the socket uses ws.
 */
export class TokenService {
  private readonly secret: Uint8Array;

  constructor(accessKey: string) {
    this.secret = new TextEncoder().encode(accessKey);
  }

  /**
   * The verified claims, or undefined for a bad signature, expiry or audience.
   * Verification runs on every REST call, so it uses a synchronous node:crypto
   * HMAC (a few µs) rather than jose's WebCrypto path (~200 µs per token).
   */
  verify(token: string, audienceMatches: (aud: URL) => boolean): JWTPayload | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) {
      return undefined;
    }
    const [header, payload, signature] = parts as [string, string, string];
    // Compare the canonical encodings, so a non-canonical base64url variant of a valid signature is refused.
    const expected = Buffer.from(createHmac("sha256", this.secret).update(`${header}.${payload}`).digest("base64url"));
    const actual = Buffer.from(signature);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      return undefined;
    }
    const claims = parseJson(header, payload);
    if (claims === undefined) {
      return undefined;
    }
    const now = Date.now() / 1000;
    if (typeof claims.exp !== "number" || claims.exp <= now) {
      return undefined;
    }
    if (claims.nbf !== undefined && (typeof claims.nbf !== "number" || claims.nbf > now)) {
      return undefined;
    }
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const ok = audiences.some((aud) => {
      const url = typeof aud === "string" ? safeUrl(aud) : undefined;
      return url !== undefined && audienceMatches(url);
    });
    return ok ? claims : undefined;
  }

  /** Signs a client access token the way the service's generateToken does. */
  async signClientToken(options: {
    audience: string;
    userId?: string;
    roles?: string[];
    groups?: string[];
    minutesToExpire: number;
  }): Promise<string> {
    const claims: JWTPayload = {};
    if (options.roles !== undefined && options.roles.length > 0) {
      claims.role = options.roles;
    }
    if (options.groups !== undefined && options.groups.length > 0) {
      claims["webpubsub.group"] = options.groups;
    }
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuedAt()
      .setAudience(options.audience)
      .setExpirationTime(`${Math.max(1, Math.floor(options.minutesToExpire))}m`);
    if (options.userId !== undefined && options.userId !== "") {
      jwt.setSubject(options.userId);
    }
    return jwt.sign(this.secret);
  }
}

/** REST audience: same host, path and query as the request (a query-less aud is also accepted). */
export function restAudienceMatcher(requestUrl: URL): (aud: URL) => boolean {
  return (aud) =>
    aud.host.toLowerCase() === requestUrl.host.toLowerCase() &&
    aud.pathname === requestUrl.pathname &&
    (aud.search === "" || aud.search === requestUrl.search);
}

/** Client audience: same host and path; hub names are case-insensitive. */
export function clientAudienceMatcher(host: string, path: string): (aud: URL) => boolean {
  const want = trimSlash(path).toLowerCase();
  return (aud) =>
    aud.host.toLowerCase() === host.toLowerCase() && trimSlash(aud.pathname).toLowerCase() === want;
}

function trimSlash(path: string): string {
  return path.endsWith("/") ? path.slice(0, -1) : path;
}

/** Decodes the claims, insisting on an HS256 header (no "none", no algorithm confusion). */
function parseJson(header: string, payload: string): JWTPayload | undefined {
  try {
    const h = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { alg?: unknown };
    if (h.alg !== "HS256") {
      return undefined;
    }
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return typeof claims === "object" && claims !== null && !Array.isArray(claims) ? (claims as JWTPayload) : undefined;
  } catch {
    return undefined;
  }
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** The audience of a Microsoft Entra ID access token for Azure Web PubSub's data plane. */
export const entraWebPubSubAudience = "https://webpubsub.azure.com";

/**
 * Test mode only: verifies a bearer token shaped like the one Microsoft Entra ID issues to a managed
 * identity for Web PubSub (RS256, `aud` https://webpubsub.azure.com, an Entra issuer, the identity's
 * `oid`), signed by the test's own key instead of Entra's. Azure then checks the identity's role
 * assignment (Web PubSub Service Owner); this service does not emulate roles.
 */
export function entraTestVerifier(publicKey: KeyObject): (token: string) => Promise<JWTPayload | undefined> {
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, publicKey, { algorithms: ["RS256"], audience: entraWebPubSubAudience });
      const issuerOk = typeof payload.iss === "string" && /^https:\/\/(sts\.windows\.net|login\.microsoftonline\.com)\//.test(payload.iss);
      return issuerOk && typeof payload.oid === "string" ? payload : undefined;
    } catch {
      return undefined;
    }
  };
}
