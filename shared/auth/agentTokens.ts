import type { TableEntityResult } from "@azure/data-tables";
import { WebCtiError } from "../errors.js";
import { credentialIdSource, credentialSecretSource, newCredentialSecret, secretMatches } from "./credentialSecret.js";
import { readEntity } from "../storage/readEntity.js";
import { deleteIfExists } from "../storage/deleteIfExists.js";
import type { Services } from "../services.js";
import { getAgent } from "../tenancy/tenancyStore.js";
import type { AgentToken, AgentTokenRequest } from "../schemas/integration.js";
import { readIntegrationKey, type IntegrationPrincipal } from "./integrationKeys.js";
import type { AgentIdentity } from "./agentPrincipal.js";

/**
 * Agent tokens: what the CRM's backend mints with its integration key so an agent page on another
 * origin signs in without third-party cookies. Opaque and stored, not signed (JWTs):
 * - App Service Authentication sits in front of the API in Azure and validates JWT-shaped bearer tokens
 *   itself; an opaque token passes it untouched, as partner keys do.
 * - Nothing to sign with, so no signing key to keep, rotate or leak; a token is checked like a partner
 *   key (one cached point read, its secret's hash compared in constant time: credentialSecret.ts).
 * - It stops working at once with the integration key that minted it (a revoked key's tokens are refused).
 * The cost is one small row per token. Rows sit in one partition per hour of expiry, so the tokens that
 * expired are deleted a partition at a time (`purgeExpiredAgentTokens`, an hourly timer).
 *
 * A token reads `wcat_<expiry hour: yyyymmddhh>_<token id>_<secret>`: the hour is the row's partition.
 */
const tokenPattern = new RegExp(`^wcat_(\\d{10})_(${credentialIdSource})_(${credentialSecretSource})$`);

export interface StoredAgentToken extends AgentIdentity {
  keyId: string;
  expiresAt: string;
  secretSha256: string;
}

/** "2026110113" for any time in 13:00–13:59 UTC on 1 Nov 2026. */
export function expiryHour(at: Date): string {
  return at.toISOString().slice(0, 13).replace(/[-T]/g, "");
}

/** Mints a token for one of the caller's tenant's agents; an agent the tenant does not have is `not_found`. */
export async function mintAgentToken(
  services: Pick<Services, "tables" | "caches" | "now">,
  caller: IntegrationPrincipal,
  request: AgentTokenRequest,
): Promise<AgentToken> {
  await getAgent(services, caller.tenantId, request.agentId);
  const expiresAt = new Date(services.now().getTime() + request.ttlSeconds * 1000);
  const { id: tokenId, secret, secretSha256 } = newCredentialSecret();
  const hour = expiryHour(expiresAt);
  await services.tables.agentTokens.createEntity({
    partitionKey: hour,
    rowKey: tokenId,
    tenantId: caller.tenantId,
    agentId: request.agentId,
    keyId: caller.keyId,
    expiresAt: expiresAt.toISOString(),
    secretSha256,
  });
  return {
    token: `wcat_${hour}_${tokenId}_${secret}`,
    tokenType: "Bearer",
    expiresAt: expiresAt.toISOString(),
    tenantId: caller.tenantId,
    agentId: request.agentId,
  };
}

export function isAgentToken(bearer: string): boolean {
  return bearer.startsWith("wcat_");
}

/** The agent an agent token names, or `unauthenticated`: malformed, unknown, expired, or its integration key revoked. */
export async function authenticateAgentToken(
  services: Pick<Services, "tables" | "caches" | "now">,
  bearer: string,
): Promise<AgentIdentity> {
  const match = tokenPattern.exec(bearer);
  if (!match) throw new WebCtiError("unauthenticated", "The agent token is malformed.");
  const [, hour, tokenId, secret] = match as unknown as [string, string, string, string];
  const stored = await services.caches.agentTokens.getOrLoad(`${hour}|${tokenId}`, () =>
    readEntity(services.tables.agentTokens, hour, tokenId, (row: TableEntityResult<StoredAgentToken>) => ({
      tenantId: row.tenantId,
      agentId: row.agentId,
      keyId: row.keyId,
      expiresAt: row.expiresAt,
      secretSha256: row.secretSha256,
    })),
  );
  if (!stored || !secretMatches(stored.secretSha256, secret)) {
    throw new WebCtiError("unauthenticated", "The agent token is not valid.");
  }
  if (Date.parse(stored.expiresAt) <= services.now().getTime()) {
    throw new WebCtiError("unauthenticated", "The agent token has expired: ask the CRM's backend for a new one.");
  }
  const key = await readIntegrationKey(services, stored.keyId);
  if (!key || key.tenantId !== stored.tenantId) {
    throw new WebCtiError("unauthenticated", "The integration key that minted this agent token was revoked.");
  }
  return { tenantId: stored.tenantId, agentId: stored.agentId };
}

/**
 * Deletes the rows of tokens that expired before the current hour began, looking back `hours` hours
 * (the timer runs hourly, so a day's look-back covers a long outage). Returns how many it deleted.
 */
export async function purgeExpiredAgentTokens(services: Pick<Services, "tables" | "now">, hours = 24): Promise<number> {
  const now = services.now().getTime();
  let deleted = 0;
  for (let back = 1; back <= hours; back++) {
    const hour = expiryHour(new Date(now - back * 3_600_000));
    const rows = services.tables.agentTokens.listEntities({ queryOptions: { filter: `PartitionKey eq '${hour}'`, select: ["RowKey"] } });
    for await (const row of rows) {
      await deleteIfExists(services.tables.agentTokens, hour, row.rowKey!);
      deleted++;
    }
  }
  return deleted;
}
