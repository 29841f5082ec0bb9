import { odata, type TableClient } from "@azure/data-tables";
import type { Services } from "../services.js";
import { WebCtiError } from "../errors.js";
import { key } from "../storage/tables.js";
import { deleteIfExists } from "../storage/deleteIfExists.js";
import { deletePresence } from "../presence/presenceStore.js";
import { listProviderKeys, revokePartnerKey } from "../auth/partnerKeys.js";
import { deleteScopedEndpoint } from "../webhooks/endpointStore.js";
import { listProviders } from "./tenancyStore.js";
import { unlinkAgent } from "./partnerUsers.js";

type RemovalServices = Pick<Services, "tables" | "caches">;

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

export async function removeAgent(services: RemovalServices, tenantId: string, agentId: string): Promise<AgentRemoval> {
  const { tables } = services;
  const ofAgent = odata`tenantId eq ${tenantId} and agentId eq ${agentId}`;
  const signInLinks = await deleteWhere(tables.principals, ofAgent);
  const agentTokens = await deleteWhere(tables.agentTokens, ofAgent);
  const providers = await listProviders(services, tenantId);
  const unlinked = await Promise.all(providers.map(({ providerId }) => unlinkAgent(services, { tenantId, providerId }, agentId)));
  await deletePresence(tables, tenantId, agentId);
  await deleteIfExists(tables.agents, tenantId, agentId);
  return { tenantId, agentId, signInLinks, agentTokens, partnerUserIds: unlinked.filter(Boolean).length, removed: true };
}

export interface ProviderRemoval {
  tenantId: string;
  providerId: string;
  keysRevoked: number;
  webhookEndpoint: boolean;
  partnerUserIds: number;
  removed: true;
}

export async function removeProvider(services: RemovalServices, tenantId: string, providerId: string): Promise<ProviderRemoval> {
  const { tables } = services;
  const live = (await listProviderKeys(tables, tenantId, providerId)).filter((k) => !k.revoked);
  for (const { keyId } of live) await revokePartnerKey(services, keyId);
  const webhookEndpoint = await deleteScopedEndpoint(services, tenantId, providerId).then(
    () => true,
    (error: unknown) => {
      if (error instanceof WebCtiError && error.code === "not_found") return false;
      throw error;
    },
  );
  const links = await deleteWhere(tables.partnerUsers, odata`PartitionKey eq ${key(tenantId, providerId)} and RowKey ge 'a|' and RowKey lt 'a}'`);
  await deleteWhere(tables.partnerUsers, odata`PartitionKey eq ${key(tenantId, providerId)}`);
  await deleteIfExists(tables.providers, tenantId, providerId);
  return { tenantId, providerId, keysRevoked: live.length, webhookEndpoint, partnerUserIds: links, removed: true };
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
