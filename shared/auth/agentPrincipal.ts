import type { TableEntityResult } from "@azure/data-tables";
import { z } from "zod";
import { WebCtiError } from "../errors.js";
import { bearerCredential } from "./credentialSecret.js";
import { readEntity } from "../storage/readEntity.js";
import type { Services } from "../services.js";
import { easyAuthMissing, type Config } from "../config.js";
import { authenticateAgentToken, isAgentToken } from "./agentTokens.js";
import { authenticateEntraToken, looksLikeJwt } from "./entraTokens.js";

/**
 * Agents sign in through App Service Authentication (Easy Auth). The platform validates the session and
 * forwards the user as the `x-ms-client-principal` header (base64 JSON), stripping any copy a browser
 * sends. The local functions host plays that role with a demo sign-in, so this code is the same in both.
 */
export const ClientPrincipal = z.object({
  auth_typ: z.string().min(1),
  name_typ: z.string().optional(),
  role_typ: z.string().optional(),
  claims: z.array(z.object({ typ: z.string(), val: z.string() })).default([]),
});
export type ClientPrincipal = z.infer<typeof ClientPrincipal>;

/** The stable id of the signed-in user, preferring the Entra object id, as Easy Auth's principal-id header does. */
const idClaims = [
  "http://schemas.microsoft.com/identity/claims/objectidentifier",
  "oid",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
  "sub",
];

export interface SignedInUser {
  identityProvider: string;
  principalId: string;
}

export function readSignedInUser(headers: { get(name: string): string | null }): SignedInUser {
  const encoded = headers.get("x-ms-client-principal");
  if (!encoded) throw new WebCtiError("unauthenticated", "Sign in first: no authenticated agent on this request.");
  let principal: ClientPrincipal;
  try {
    principal = ClientPrincipal.parse(JSON.parse(Buffer.from(encoded, "base64").toString("utf8")));
  } catch (cause) {
    throw new WebCtiError("unauthenticated", "The client principal header is malformed.", { cause });
  }
  const principalId =
    headers.get("x-ms-client-principal-id") ??
    idClaims.map((typ) => principal.claims.find((c) => c.typ === typ)?.val).find((v) => v);
  if (!principalId) throw new WebCtiError("unauthenticated", "The client principal carries no user id.");
  return { identityProvider: principal.auth_typ, principalId };
}

/** Maps a signed-in user to the one agent (in one tenant) they are; stored in the principals table. */
export interface AgentIdentity {
  tenantId: string;
  agentId: string;
}

export function principalKey(user: SignedInUser): string {
  return `${user.identityProvider}|${user.principalId}`.replace(/[/\\#?\u0000-\u001f\u007f]/g, "_");
}

export async function linkPrincipal(
  services: Pick<Services, "tables">,
  user: SignedInUser,
  identity: AgentIdentity,
): Promise<void> {
  await services.tables.principals.upsertEntity({ partitionKey: principalKey(user), rowKey: "", ...identity }, "Replace");
}

/** The agent a signed-in user is linked to, if any (cached). */
export async function findLinkedAgent(services: Pick<Services, "tables" | "caches">, user: SignedInUser): Promise<AgentIdentity | undefined> {
  const pk = principalKey(user);
  return services.caches.principals.getOrLoad(pk, () =>
    readEntity(services.tables.principals, pk, "", (row: TableEntityResult<AgentIdentity>) => ({ tenantId: row.tenantId, agentId: row.agentId })),
  );
}

/** How an agent request is authenticated: a bearer token, or the Easy Auth session (cookie). */
export function agentCredential(headers: { get(name: string): string | null }): "bearer" | "session" {
  return /^Bearer\s/i.test(headers.get("authorization") ?? "") ? "bearer" : "session";
}

let misconfigurationLogged = false;

/**
 * In Azure, only App Service Authentication strips a forged `x-ms-client-principal` header; with it off
 * (`WEBSITE_AUTH_ENABLED` not "True" where `WEBSITE_SITE_NAME` says the app runs in Azure), a session
 * request is refused with 500 rather than trusted, and the instance logs why once.
 */
export function refuseSessionWithoutEasyAuth(config: Pick<Config, "WEBSITE_SITE_NAME" | "WEBSITE_AUTH_ENABLED">): void {
  if (!easyAuthMissing(config)) return;
  const message =
    "This deployment is misconfigured: App Service Authentication is off, so agent sign-in cannot be trusted. " +
    "Agent routes refuse signed-in sessions until it is turned on (docs/operations.md).";
  if (!misconfigurationLogged) {
    misconfigurationLogged = true;
    console.error(JSON.stringify({ message: "agent sessions refused: App Service Authentication is off (WEBSITE_AUTH_ENABLED)", site: config.WEBSITE_SITE_NAME }));
  }
  throw new WebCtiError("internal", message);
}

/**
 * The agent of a request: with `Authorization: Bearer`, a WebCTI agent token (minted by the tenant's CRM
 * backend) or a Microsoft Entra ID access token (the tenant's `crm.entra`); without, the Easy Auth session.
 * A bearer request never falls back to the session: a bad token is a 401 even when a cookie came along.
 * A session is refused (500) in Azure when App Service Authentication is off (refuseSessionWithoutEasyAuth).
 */
export async function authenticateAgent(
  services: Pick<Services, "tables" | "caches" | "now" | "config">,
  headers: { get(name: string): string | null },
): Promise<AgentIdentity> {
  if (agentCredential(headers) === "bearer") {
    const bearer = bearerCredential(headers) ?? "";
    if (isAgentToken(bearer)) return authenticateAgentToken(services, bearer);
    if (looksLikeJwt(bearer)) return authenticateEntraToken(services, bearer);
    throw new WebCtiError("unauthenticated", "The bearer token is not an agent token or an Entra ID access token.");
  }
  refuseSessionWithoutEasyAuth(services.config);
  const identity = await findLinkedAgent(services, readSignedInUser(headers));
  if (!identity) throw new WebCtiError("forbidden", "The signed-in user is not an agent of any tenant.");
  return identity;
}
