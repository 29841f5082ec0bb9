import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import type { TokenCredential } from "@azure/identity";
import { tablesAccess, type TablesConfig } from "../config.js";
import { createCallGuard, defaultCallTimeoutMs, type CallGuard } from "./callGuard.js";

/**
 * The tables. Their keys, what a row holds, who writes it and how long it is kept are in one place:
 * docs/architecture.md, "Tables and keys". Keys spread load: no table puts a whole tenant in one partition
 * except the small configuration tables (providers, agents), which are read once and cached.
 */
export const tableNames = [
  "tenants",
  "providers",
  "agents",
  "principals",
  "partnerKeys",
  "integrationKeys",
  "agentTokens",
  "crmIndex",
  "directory",
  "directoryIndex",
  "conversations",
  "screenPops",
  "activities",
  "activityIds",
  "activityFeed",
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
  "pushConnections",
  "partnerUsers",
] as const;
export type TableName = (typeof tableNames)[number];
export type Tables = Record<TableName, TableClient>;

/** The deadline and the "known down" state shared by every table client of a process (./callGuard.ts). */
export function createStorageGuard(config: Pick<TablesConfig, "WEBCTI_STORAGE_TIMEOUT_MS">): CallGuard {
  return createCallGuard({ service: "Table storage", code: "storage_unavailable", timeoutMs: config.WEBCTI_STORAGE_TIMEOUT_MS ?? defaultCallTimeoutMs });
}

/**
 * One `TableClient` per table, from a connection string (Azurite locally) or from the account's endpoint
 * with a token credential (the managed identity in Azure; role "Storage Table Data Contributor"). Every
 * call goes through `guard` (a deadline per call, a fast 503 while storage is known down).
 */
export function createTables(
  config: TablesConfig,
  clientOptions: TableServiceClientOptions = {},
  credential?: TokenCredential,
  guard: CallGuard = createStorageGuard(config),
): Tables {
  const access = tablesAccess(config);
  const options: TableServiceClientOptions = {
    ...clientOptions,
    additionalPolicies: [...(clientOptions.additionalPolicies ?? []), { policy: guard.policy, position: "perCall" }],
  };
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
