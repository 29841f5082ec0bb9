import { odata, type TableClient, type TableEntityResult } from "@azure/data-tables";
import { WebCtiError } from "../errors.js";
import { bearerCredential, credentialIdSource, credentialSecretSource, newCredentialSecret, secretMatches } from "./credentialSecret.js";
import { readEntity } from "../storage/readEntity.js";
import type { Services } from "../services.js";

/**
 * A tenant's integration key: the credential of the CRM's own backend. It reaches the tenant's
 * integration routes only (minting agent tokens, the CRM settings, the CRM's webhooks and activity feed),
 * never the partner or agent routes, and a partner key or agent credential never reaches them.
 *
 * Keys look like `wcik_<keyId>_<secret>` (another prefix than partner keys' `wcti_`, so a key sent to the
 * wrong kind of route is refused by its shape); its id and secret as every credential's (credentialSecret.ts).
 */
export interface IntegrationPrincipal {
  tenantId: string;
  keyId: string;
}

const keyPattern = new RegExp(`^wcik_(${credentialIdSource})_(${credentialSecretSource})$`);

export interface IssuedIntegrationKey {
  keyId: string;
  /** Shown once; never stored. */
  integrationKey: string;
}

export async function issueIntegrationKey(
  tables: { integrationKeys: TableClient },
  tenantId: string,
  now: Date,
): Promise<IssuedIntegrationKey> {
  const { id: keyId, secret, secretSha256 } = newCredentialSecret();
  await tables.integrationKeys.createEntity({
    partitionKey: keyId,
    rowKey: "",
    tenantId,
    secretSha256,
    createdAt: now.toISOString(),
    revoked: false,
  });
  return { keyId, integrationKey: `wcik_${keyId}_${secret}` };
}

export async function revokeIntegrationKey(services: Pick<Services, "tables" | "caches">, keyId: string, now: Date): Promise<void> {
  await services.tables.integrationKeys.updateEntity({ partitionKey: keyId, rowKey: "", revoked: true, revokedAt: now.toISOString() }, "Merge");
  services.caches.integrationKeys.delete(keyId);
}

export interface IntegrationKeySummary {
  keyId: string;
  createdAt: string;
  revoked: boolean;
}

/** A tenant's keys, oldest first (a scan of a small table keyed by key id: an operator command). */
export async function listIntegrationKeys(tables: { integrationKeys: TableClient }, tenantId: string): Promise<IntegrationKeySummary[]> {
  const rows = tables.integrationKeys.listEntities<{ createdAt: string; revoked?: boolean }>({
    queryOptions: { filter: odata`tenantId eq ${tenantId}`, select: ["PartitionKey", "createdAt", "revoked"] },
  });
  const keys: IntegrationKeySummary[] = [];
  for await (const row of rows) keys.push({ keyId: row.partitionKey!, createdAt: row.createdAt, revoked: row.revoked === true });
  return keys.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

interface KeyRow {
  tenantId: string;
  secretSha256: string;
  revoked?: boolean;
}

export interface CachedIntegrationKey {
  tenantId: string;
  secretSha256: string;
}

/** The key's row while it is not revoked (cached; a revocation elsewhere is seen within the cache's time). */
export function readIntegrationKey(services: Pick<Services, "tables" | "caches">, keyId: string): Promise<CachedIntegrationKey | undefined> {
  return services.caches.integrationKeys.getOrLoad(keyId, async () => {
    const row = await readEntity(services.tables.integrationKeys, keyId, "", (r: TableEntityResult<KeyRow>) => r);
    if (!row || row.revoked) return undefined;
    return { tenantId: row.tenantId, secretSha256: row.secretSha256 };
  });
}

/** Reads `Authorization: Bearer wcik_…` and returns the caller, or throws `unauthenticated`. */
export async function authenticateIntegration(
  services: Pick<Services, "tables" | "caches">,
  headers: { get(name: string): string | null },
): Promise<IntegrationPrincipal> {
  const presented = bearerCredential(headers);
  if (!presented) {
    throw new WebCtiError("unauthenticated", "Missing integration key: send `Authorization: Bearer <integration key>`.");
  }
  const match = keyPattern.exec(presented);
  if (!match) throw new WebCtiError("unauthenticated", "The integration key is malformed.");
  const [, keyId, secret] = match as unknown as [string, string, string];
  const stored = await readIntegrationKey(services, keyId);
  if (!stored || !secretMatches(stored.secretSha256, secret)) {
    throw new WebCtiError("unauthenticated", "The integration key is not valid or was revoked.");
  }
  return { tenantId: stored.tenantId, keyId };
}
