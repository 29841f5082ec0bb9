import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import type { TokenCredential } from "@azure/identity";
import { tablesAccess, type TablesConfig } from "../config.js";

/**
 * The tables and their keys. Keys spread load: no table puts a whole tenant in one partition except
 * the small configuration tables (providers, agents), which are read once and cached.
 *
 * | table          | PartitionKey                     | RowKey                 |
 * |----------------|----------------------------------|------------------------|
 * | tenants        | tenantId                         | ""                     |
 * | providers      | tenantId                         | providerId             |
 * | agents         | tenantId                         | agentId                |
 * | principals     | identityProvider|principalId     | ""                     |
 * | partnerKeys    | keyId                            | ""                     |
 * | directory      | tenantId|type|recordId           | ""                     |
 * | directoryIndex | tenantId|phone|e164              | type|recordId          |
 * | conversations  | tenantId|providerId|conversationId | event|eventId        |
 * | screenPops     | tenantId|agentId                 | seq                    |
 * | activities     | tenantId|type|recordId           | inverted time|activityId |
 * | activityIds    | tenantId|activityId              | ""                     |
 * | idempotency    | tenantId|provider|providerId|key *   | ""                     |
 * | presence       | tenantId|agentId                 | ""                     |
 * | webhookEndpoints | tenantId|providerId            | ""                     |
 * | webhookDeliveries | tenantId|providerId           | inverted ms|deliveryId |
 * | webhookSchedule | shard 00-15 (hash of the id)    | dueAt ISO|deliveryId   |
 * | kpiDirty       | shard 00-15 (hash of the key)    | c|conversation key, i|interval key, r|tenantId |
 * | kpiFacts       | tenantId|providerId|15-min start | conversationId (+ "~aggregated") |
 * | kpiFeed        | tenantId|providerId|yyyy-mm      | projectedAt ISO|conversationId |
 * | kpiQuarterHours, kpiHours, kpiDays | tenantId|providerId|channel|yyyy-mm | dim|intervalStart|value |
 *
 * (*) or tenantId|agent|agentId|key for agents' keys; the Idempotency-Key is percent-encoded
 * (shared/idempotency/idempotencyStore.ts).
 *
 * Webhook deliveries: one partition per provider of a tenant (its log, newest first, is one partition
 * read; the id carries its time, so one delivery is a point read). The schedule is a due-time index over
 * every tenant, spread over 16 partitions by a hash of the delivery id, so no tenant can heat one, and the
 * retry timer reads only what is due (16 small range queries). shared/webhooks/deliveryRow.ts and
 * deliverySchedule.ts have the rest.
 *
 * KPIs (shared/analytics/kpiStore.ts): work markers spread over 16 shards; per-conversation facts by
 * provider and quarter-hour (what one interval's recompute reads); pre-aggregated rows by provider, channel
 * and month, one table per interval size, so a 30-day query is one or two partition range reads.
 */
export const tableNames = [
  "tenants",
  "providers",
  "agents",
  "principals",
  "partnerKeys",
  "directory",
  "directoryIndex",
  "conversations",
  "screenPops",
  "activities",
  "activityIds",
  "idempotency",
  "presence",
  "webhookEndpoints",
  "webhookDeliveries",
  "webhookSchedule",
  "kpiDirty",
  "kpiFacts",
  "kpiFeed",
  "kpiQuarterHours",
  "kpiHours",
  "kpiDays",
] as const;
export type TableName = (typeof tableNames)[number];
export type Tables = Record<TableName, TableClient>;

/**
 * One `TableClient` per table, from a connection string (Azurite locally) or from the account's endpoint
 * with a token credential (the managed identity in Azure; role "Storage Table Data Contributor").
 */
export function createTables(config: TablesConfig, options: TableServiceClientOptions = {}, credential?: TokenCredential): Tables {
  const access = tablesAccess(config);
  const client = (table: string): TableClient => {
    if (access.kind === "identity") {
      if (!credential) throw new Error("WEBCTI_TABLES_ENDPOINT is set: a token credential (managed identity) is needed");
      return new TableClient(access.endpoint, table, credential, options);
    }
    const allowInsecureConnection = /UseDevelopmentStorage=true|(?:TableEndpoint|DefaultEndpointsProtocol)=http[:;]/i.test(
      access.connectionString,
    );
    return TableClient.fromConnectionString(access.connectionString, table, { allowInsecureConnection, ...options });
  };
  const entries = tableNames.map((name) => [name, client(`${config.WEBCTI_TABLE_PREFIX}${name}`)]);
  return Object.fromEntries(entries) as Tables;
}

/** Creates missing tables; idempotent, run once per process before the first request is served. */
export async function ensureTables(tables: Tables): Promise<void> {
  await Promise.all(Object.values(tables).map((t) => t.createTable()));
}

/** Joins key parts; ids are validated to exclude "|" so the join cannot be ambiguous. */
/** The first string after every string that starts with `prefix` (a range query's `lt` bound). */
export function afterPrefix(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export function key(...parts: string[]): string {
  return parts.join("|");
}
