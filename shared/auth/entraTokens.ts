import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from "jose";
import { WebCtiError } from "../errors.js";
import type { Services } from "../services.js";
import { readCrmSettings, tenantsListing } from "../tenancy/crmSettingsStore.js";
import type { CrmSettings } from "../schemas/crmSettings.js";
import { findLinkedAgent, type AgentIdentity } from "./agentPrincipal.js";

/**
 * Microsoft Entra ID access tokens presented by a CRM page (`Authorization: Bearer <JWT>`), validated
 * by jose against the authority a tenant configured (`crm.entra`): the signature with the issuer's keys
 * (JWKS, fetched and cached by jose), the issuer, the audience, and the token's times. The token names
 * its issuer, not a WebCTI tenant: the crmIndex finds the tenants that configured that issuer, and the
 * token's `oid` must be linked (principals table, idp `aad`) to an agent of the very tenant whose
 * settings accepted it; a user of another tenant is refused.
 */
type EntraServices = Pick<Services, "tables" | "caches" | "now">;
type EntraSignIn = NonNullable<CrmSettings["entra"]>;

const unauthenticated = (message: string, cause?: unknown) => new WebCtiError("unauthenticated", message, cause ? { cause } : {});

export function looksLikeJwt(bearer: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(bearer);
}

export async function authenticateEntraToken(services: EntraServices, bearer: string): Promise<AgentIdentity> {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(bearer);
  } catch (cause) {
    throw unauthenticated("The bearer token is neither an agent token nor a readable JWT.", cause);
  }
  if (typeof claims.iss !== "string") throw unauthenticated("The access token names no issuer.");
  const tenants = await tenantsListing(services, "issuer", claims.iss);
  if (tenants.length === 0) throw unauthenticated("No tenant accepts access tokens from this issuer.");
  let lastError: unknown;
  for (const tenantId of tenants) {
    const { entra } = await readCrmSettings(services, tenantId);
    if (!entra || entra.issuer !== claims.iss) continue; // the index is a superset of the settings
    let payload: JWTPayload;
    try {
      payload = await verifyWith(entra, bearer, services.now());
    } catch (error) {
      lastError = error;
      continue;
    }
    const oid = typeof payload.oid === "string" ? payload.oid : undefined;
    if (!oid) throw unauthenticated("The access token carries no `oid` (object id) claim.");
    const agent = await findLinkedAgent(services, { identityProvider: "aad", principalId: oid });
    if (!agent) throw new WebCtiError("forbidden", "The token's user is not an agent of any tenant.");
    if (agent.tenantId !== tenantId) throw unauthenticated("The access token's user is an agent of another tenant than the one that accepts its issuer.");
    return agent;
  }
  throw unauthenticated(`The access token is not valid: ${describeJwtFailure(lastError)}`, lastError);
}

async function verifyWith(entra: EntraSignIn, token: string, now: Date): Promise<JWTPayload> {
  const keys = await keySetOf(entra);
  const { payload } = await jwtVerify(token, keys, {
    issuer: entra.issuer,
    audience: entra.audience,
    algorithms: ["RS256", "RS384", "RS512", "PS256", "ES256"],
    currentDate: now,
    clockTolerance: 60,
    requiredClaims: ["exp"],
  });
  return payload;
}

/** One jose key set per JWKS address, kept for the process (jose caches the keys and refetches on an unknown `kid`). */
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
/** The issuers' discovered `jwks_uri`, for settings that give none. */
const discovered = new Map<string, Promise<string>>();

async function keySetOf(entra: EntraSignIn): Promise<ReturnType<typeof createRemoteJWKSet>> {
  return jwksAt(entra.jwksUri ?? (await discoverJwksUri(entra.issuer)));
}

/** One jose key set per JWKS address for the process (jose caches the keys and refetches on an unknown `kid`). */
export function jwksAt(uri: string): ReturnType<typeof createRemoteJWKSet> {
  let keys = keySets.get(uri);
  if (!keys) keySets.set(uri, (keys = createRemoteJWKSet(new URL(uri), { timeoutDuration: 3000, cooldownDuration: 30_000 })));
  return keys;
}

function discoverJwksUri(issuer: string): Promise<string> {
  let found = discovered.get(issuer);
  if (!found) {
    found = (async () => {
      const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
      const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      const { jwks_uri: jwksUri } = (await response.json()) as { jwks_uri?: unknown };
      if (typeof jwksUri !== "string") throw new Error(`${url} names no jwks_uri`);
      return jwksUri;
    })();
    found.catch(() => discovered.delete(issuer));
    discovered.set(issuer, found);
  }
  return found;
}

/** Why jose refused a token, in words for a problem's detail; `keysOf` names whose keys were tried. */
export function describeJwtFailure(error: unknown, keysOf = "the issuer's"): string {
  const code = (error as { code?: string } | undefined)?.code;
  if (code === "ERR_JWT_EXPIRED") return "it has expired.";
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") return `${(error as Error).message}.`;
  if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" || code === "ERR_JWKS_NO_MATCHING_KEY") return `its signature does not verify with ${keysOf} keys.`;
  if (code === "ERR_JOSE_ALG_NOT_ALLOWED" || code === "ERR_JWS_INVALID" || code === "ERR_JWT_INVALID") return "it is not a signed JWT.";
  return "it could not be verified.";
}
