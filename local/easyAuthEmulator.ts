import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Plays App Service Authentication for the local stack, so the agent API reads the same
 * `x-ms-client-principal` headers here as in Azure:
 *   GET /.auth/login/demo?user=<id>&name=<display>&post_login_redirect_uri=/   signs in (demo identity provider)
 *   GET /.auth/me                                                              who is signed in (Easy Auth's shape)
 *   GET /.auth/logout?post_logout_redirect_uri=/                               signs out
 * The session cookie is HMAC-signed with a per-stack secret. Like Easy Auth, it removes any
 * x-ms-client-principal header a browser sends, so a page cannot impersonate an agent.
 */
export const demoIdentityProvider = "demo";
const cookieName = "AppServiceAuthSession";

interface Session {
  userId: string;
  name: string;
}

export interface EasyAuthEmulator {
  /** Handles /.auth/*; returns false for any other path. */
  handle(request: IncomingMessage, response: ServerResponse, url: URL): boolean;
  /** Headers the platform would forward to the function for this request. */
  principalHeaders(request: IncomingMessage): Record<string, string>;
}

export function createEasyAuthEmulator(secret: Buffer = randomBytes(32)): EasyAuthEmulator {
  const sign = (payload: string) => createHmac("sha256", secret).update(payload).digest("base64url");

  function readSession(request: IncomingMessage): Session | undefined {
    const cookie = request.headers.cookie?.split(/;\s*/).find((c) => c.startsWith(`${cookieName}=`));
    if (!cookie) return undefined;
    const [payload, signature] = cookie.slice(cookieName.length + 1).split(".");
    if (!payload || !signature) return undefined;
    const expected = Buffer.from(sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Session;
    } catch {
      return undefined;
    }
  }

  function redirect(response: ServerResponse, to: string | null, cookie: string) {
    response.writeHead(302, { location: sameSitePath(to), "set-cookie": cookie, "cache-control": "no-store" }).end();
  }

  return {
    handle(request, response, url) {
      if (!url.pathname.startsWith("/.auth/")) return false;
      if (url.pathname === "/.auth/login/demo") {
        const userId = url.searchParams.get("user");
        if (!userId) {
          response.writeHead(400, { "content-type": "text/plain" }).end("Give ?user=<principal id>");
          return true;
        }
        const payload = Buffer.from(JSON.stringify({ userId, name: url.searchParams.get("name") ?? userId })).toString("base64url");
        redirect(response, url.searchParams.get("post_login_redirect_uri"), `${cookieName}=${payload}.${sign(payload)}; Path=/; HttpOnly; SameSite=Lax`);
      } else if (url.pathname === "/.auth/logout") {
        redirect(response, url.searchParams.get("post_logout_redirect_uri"), `${cookieName}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`);
      } else if (url.pathname === "/.auth/me") {
        const session = readSession(request);
        const body = session
          ? [{ provider_name: demoIdentityProvider, user_id: session.userId, user_claims: claimsOf(session) }]
          : [];
        response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
      } else {
        response.writeHead(404, { "content-type": "text/plain" }).end("Unknown /.auth route");
      }
      return true;
    },
    principalHeaders(request): Record<string, string> {
      const session = readSession(request);
      if (!session) return {};
      const principal = { auth_typ: demoIdentityProvider, name_typ: "name", role_typ: "roles", claims: claimsOf(session) };
      return {
        "x-ms-client-principal": Buffer.from(JSON.stringify(principal)).toString("base64"),
        "x-ms-client-principal-id": asHeaderValue(session.userId),
        "x-ms-client-principal-name": asHeaderValue(session.name),
        "x-ms-client-principal-idp": demoIdentityProvider,
      };
    },
  };
}

function claimsOf(session: Session) {
  return [
    { typ: "sub", val: session.userId },
    { typ: "name", val: session.name },
  ];
}

/**
 * A redirect target on this site, read the way a browser reads a Location header ("/\\host" and
 * "/\t/host" are other hosts to a browser); anything else goes to "/".
 */
function sameSitePath(to: string | null): string {
  if (!to) return "/";
  const base = "http://webcti.invalid";
  let target: URL;
  try {
    target = new URL(to, base);
  } catch {
    return "/";
  }
  // "/.//host" resolves to the path "//host", which a browser reads as another host again.
  if (target.origin !== base || !to.startsWith("/") || target.pathname.startsWith("//")) return "/";
  return `${target.pathname}${target.search}${target.hash}`;
}

/** Header values are bytes: a name outside Latin-1 travels as its UTF-8 bytes, as it would over the wire. */
function asHeaderValue(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}
