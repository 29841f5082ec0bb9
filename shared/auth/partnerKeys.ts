import { WebCtiError } from "../errors.js";
import { bearerCredential, credentialIdSource, credentialSecretSource, newCredentialSecret, secretMatches } from "./credentialSecret.js";
import { readEntity } from "../storage/readEntity.js";
import type { Services } from "../services.js";
import { odata, type TableClient, type TableEntityResult } from "@azure/data-tables";

/** Who is calling the partner API: one provider's integration in one tenant. */
export interface PartnerPrincipal {
  tenantId: string;
  providerId: string;
  keyId: string;
}

/** Keys look like `wcti_<keyId>_<secret>` (credentialSecret.ts). */
const keyPattern = new RegExp(`^wcti_(${credentialIdSource})_(${credentialSecretSource})$`);

export interface IssuedPartnerKey {
  keyId: string;
  /** Shown once; never stored. */
  apiKey: string;
}

export async function issuePartnerKey(
  tables: { partnerKeys: TableClient },
  tenantId: string,
  providerId: string,
  now: Date,
): Promise<IssuedPartnerKey> {
  const { id: keyId, secret, secretSha256 } = newCredentialSecret();
  await tables.partnerKeys.createEntity({
    partitionKey: keyId,
    rowKey: "",
    tenantId,
    providerId,
    secretSha256,
    createdAt: now.toISOString(),
    revoked: false,
  });
  return { keyId, apiKey: `wcti_${keyId}_${secret}` };
}

export async function revokePartnerKey(services: Pick<Services, "tables" | "caches">, keyId: string): Promise<void> {
  await services.tables.partnerKeys.updateEntity({ partitionKey: keyId, rowKey: "", revoked: true }, "Merge");
  services.caches.partnerKeys.delete(keyId);
}

interface KeyRow {
  tenantId: string;
  providerId: string;
  secretSha256: string;
  revoked?: boolean;
}

/** Reads `Authorization: Bearer <key>` (the one documented scheme) and returns the caller, or throws `unauthenticated`. */
export async function authenticatePartner(
  services: Pick<Services, "tables" | "caches">,
  headers: { get(name: string): string | null },
): Promise<PartnerPrincipal> {
  const presented = bearerCredential(headers);
  if (!presented) {
    throw new WebCtiError("unauthenticated", "Missing partner API key: send `Authorization: Bearer <key>`.");
  }
  const match = keyPattern.exec(presented);
  if (!match) throw new WebCtiError("unauthenticated", "The partner API key is malformed.");
  const [, keyId, secret] = match as unknown as [string, string, string];
  const row = await services.caches.partnerKeys.getOrLoad(keyId, async () => {
    const entity = await readEntity(services.tables.partnerKeys, keyId, "", (r: TableEntityResult<KeyRow>) => r);
    if (!entity || entity.revoked) return undefined;
    return { tenantId: entity.tenantId, providerId: entity.providerId, keyId, secretSha256: entity.secretSha256 } as PartnerPrincipal & { secretSha256: string };
  });
  const stored = row as (PartnerPrincipal & { secretSha256: string }) | undefined;
  if (!stored || !secretMatches(stored.secretSha256, secret)) {
    throw new WebCtiError("unauthenticated", "The partner API key is not valid or was revoked.");
  }
  return { tenantId: stored.tenantId, providerId: stored.providerId, keyId };
}

/**
 * A provider's keys (ids, creation time, revoked or not; never secrets), oldest first. partnerKeys is keyed
 * by key id (one point read per request), so this is a scan: fine for the operator's commands on a small table.
 */
export async function listProviderKeys(tables: { partnerKeys: TableClient }, tenantId: string, providerId: string) {
  const rows = tables.partnerKeys.listEntities<{ createdAt: string; revoked?: boolean }>({
    queryOptions: { filter: odata`tenantId eq ${tenantId} and providerId eq ${providerId}`, select: ["PartitionKey", "createdAt", "revoked"] },
  });
  const keys: Array<{ keyId: string; createdAt: string; revoked: boolean }> = [];
  for await (const row of rows) keys.push({ keyId: row.partitionKey!, createdAt: row.createdAt, revoked: row.revoked === true });
  return keys.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}
