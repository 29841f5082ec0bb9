import { odata, type TableClient } from "@azure/data-tables";
import type { Tables } from "../storage/tables.js";
import { key } from "../storage/tables.js";
import { deleteIfExists } from "../storage/deleteIfExists.js";

/**
 * What `npm run ops -- agent remove` / `provider remove` take away (issue 18, item 6): whatever lets the agent
 * sign in or be named, or lets the provider call in; never the history (conversations, activities, pops,
 * KPI figures stay, as the retention rules keep them). The agent's or provider's own row goes last, so a
 * removal that stopped half-way is finished by running it again.
 */
export interface AgentRemoval {
  tenantId: string;
  agentId: string;
  signInLinks: number;
  agentTokens: number;
  partnerUserIds: number;
  removed: true;
}

export async function removeAgent(tables: Tables, tenantId: string, agentId: string): Promise<AgentRemoval> {
  const ofAgent = odata`tenantId eq ${tenantId} and agentId eq ${agentId}`;
  const signInLinks = await deleteWhere(tables.principals, ofAgent);
  const agentTokens = await deleteWhere(tables.agentTokens, ofAgent);
  let partnerUserIds = 0;
  for await (const provider of tables.providers.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${tenantId}`, select: ["RowKey"] } })) {
    const partition = key(tenantId, provider.rowKey!);
    const link = await tables.partnerUsers.getEntity<{ partnerUserId?: string }>(partition, `a|${agentId}`).catch(() => undefined);
    if (!link) continue;
    if (link.partnerUserId) await deleteIfExists(tables.partnerUsers, partition, `u|${link.partnerUserId}`);
    await deleteIfExists(tables.partnerUsers, partition, `a|${agentId}`);
    partnerUserIds += 1;
  }
  await deleteIfExists(tables.presence, key(tenantId, agentId), ""); // presenceStore.ts's key
  await deleteIfExists(tables.agents, tenantId, agentId);
  return { tenantId, agentId, signInLinks, agentTokens, partnerUserIds, removed: true };
}

export interface ProviderRemoval {
  tenantId: string;
  providerId: string;
  keysRevoked: number;
  webhookEndpoint: boolean;
  partnerUserIds: number;
  removed: true;
}

export async function removeProvider(tables: Tables, tenantId: string, providerId: string): Promise<ProviderRemoval> {
  let keysRevoked = 0;
  const keys = tables.partnerKeys.listEntities<{ revoked?: boolean }>({ queryOptions: { filter: odata`tenantId eq ${tenantId} and providerId eq ${providerId}` } });
  for await (const row of keys) {
    if (row.revoked === true) continue;
    await tables.partnerKeys.updateEntity({ partitionKey: row.partitionKey!, rowKey: row.rowKey!, revoked: true }, "Merge");
    keysRevoked += 1;
  }
  const endpoint = key(tenantId, providerId); // endpointStore.ts's key
  const webhookEndpoint = await tables.webhookEndpoints.getEntity(endpoint, "").then(() => true, () => false);
  if (webhookEndpoint) await deleteIfExists(tables.webhookEndpoints, endpoint, "");
  const partnerUserIds = (await deleteWhere(tables.partnerUsers, odata`PartitionKey eq ${key(tenantId, providerId)}`)) / 2;
  await deleteIfExists(tables.providers, tenantId, providerId);
  return { tenantId, providerId, keysRevoked, webhookEndpoint, partnerUserIds: Math.floor(partnerUserIds), removed: true };
}

/** Deletes every row the filter matches (small configuration tables: a scan is fine for an operator command). */
async function deleteWhere(table: TableClient, filter: string): Promise<number> {
  let deleted = 0;
  for await (const row of table.listEntities({ queryOptions: { filter, select: ["PartitionKey", "RowKey"] } })) {
    await deleteIfExists(table, row.partitionKey!, row.rowKey!);
    deleted += 1;
  }
  return deleted;
}
