import { createHash } from "node:crypto";
import { maxKeyChars } from "../storage/keyPart.js";
import type { TableEntityResult } from "@azure/data-tables";
import { readEntity } from "../storage/readEntity.js";
import { deleteIfExists } from "../storage/deleteIfExists.js";
import type { Tables } from "../storage/tables.js";
import type { Caches } from "../services.js";
import { CrmSettings, defaultCrmSettings } from "../schemas/crmSettings.js";

/** A tenant's CRM settings live beside the tenant (tenants table, RowKey "crm"); absent: the defaults. */
const crmRowKey = "crm";

export async function getCrmSettings(tables: Pick<Tables, "tenants">, tenantId: string): Promise<CrmSettings> {
  const settings = await readEntity(tables.tenants, tenantId, crmRowKey, (row: TableEntityResult<{ settings: string }>) =>
    CrmSettings.parse(JSON.parse(row.settings)),
  );
  return settings ?? defaultCrmSettings;
}

/** The same, through the per-process cache (read on every cross-origin request). */
export async function readCrmSettings(services: { tables: Pick<Tables, "tenants">; caches: Pick<Caches, "crmSettings"> }, tenantId: string): Promise<CrmSettings> {
  return (await services.caches.crmSettings.getOrLoad(tenantId, () => getCrmSettings(services.tables, tenantId))) ?? defaultCrmSettings;
}

/**
 * What the crmIndex table answers without knowing the tenant: which tenants list a web origin (a CORS
 * preflight carries no credential) or an Entra issuer (an Entra access token names its issuer, not our
 * tenant). PartitionKey `origin|<value>` or `issuer|<value>` (the value base64url-encoded: origins and
 * issuer URLs hold "/" and ":"), RowKey the tenant id.
 */
export type CrmIndexKind = "origin" | "issuer";

/**
 * The value base64url-encoded; when that makes a key longer than Table storage takes (a 500-character
 * issuer: 674), `=` and its SHA-256 in hex instead (base64url never holds "=", so the two never meet).
 */
function indexKey(kind: CrmIndexKind, value: string): string {
  const key = `${kind}|${Buffer.from(value, "utf8").toString("base64url")}`;
  return key.length <= maxKeyChars ? key : `${kind}|=${createHash("sha256").update(value, "utf8").digest("hex")}`;
}

function indexEntries(settings: CrmSettings): Array<[CrmIndexKind, string]> {
  return [
    ...settings.origins.map((origin): [CrmIndexKind, string] => ["origin", origin]),
    ...(settings.entra ? [["issuer", settings.entra.issuer] as [CrmIndexKind, string]] : []),
  ];
}

/**
 * Stores the settings and keeps the index true to them. New index rows are written before the settings
 * and stale ones removed after, so at every moment the index lists at least what the settings do (a
 * reader checks the tenant's own settings before it trusts an index row).
 */
export async function putCrmSettings(
  tables: Pick<Tables, "tenants" | "crmIndex">,
  tenantId: string,
  settings: CrmSettings,
  caches?: Pick<Caches, "crmSettings" | "crmIndex">,
): Promise<CrmSettings> {
  const before = await getCrmSettings(tables, tenantId);
  const now = indexEntries(settings);
  const stale = indexEntries(before).filter(([kind, value]) => !now.some(([k, v]) => k === kind && v === value));
  await Promise.all(now.map(([kind, value]) => tables.crmIndex.upsertEntity({ partitionKey: indexKey(kind, value), rowKey: tenantId, value }, "Replace")));
  await tables.tenants.upsertEntity({ partitionKey: tenantId, rowKey: crmRowKey, settings: JSON.stringify(settings) }, "Replace");
  await Promise.all(stale.map(([kind, value]) => deleteIfExists(tables.crmIndex, indexKey(kind, value), tenantId)));
  caches?.crmSettings.delete(tenantId);
  for (const [kind, value] of [...now, ...stale]) caches?.crmIndex.delete(indexKey(kind, value));
  caches?.crmIndex.delete(allOriginsKey);
  return settings;
}

/** The tenants whose CRM settings list this origin or issuer (cached; usually none or one). */
export async function tenantsListing(
  services: { tables: Pick<Tables, "crmIndex">; caches: Pick<Caches, "crmIndex"> },
  kind: CrmIndexKind,
  value: string,
): Promise<string[]> {
  const pk = indexKey(kind, value);
  const found = await services.caches.crmIndex.getOrLoad(pk, async () => {
    const tenants: string[] = [];
    const rows = services.tables.crmIndex.listEntities({ queryOptions: { filter: `PartitionKey eq '${pk}'`, select: ["RowKey"] } });
    for await (const row of rows) {
      tenants.push(row.rowKey!);
      if (tenants.length >= 100) break;
    }
    return tenants;
  });
  return found ?? [];
}

const allOriginsKey = "origin|*";

/** Every origin some tenant lists (the HTML pages' frame-ancestors): a scan of the origin index. */
export async function listedOrigins(services: { tables: Pick<Tables, "crmIndex">; caches: Pick<Caches, "crmIndex"> }): Promise<string[]> {
  const found = await services.caches.crmIndex.getOrLoad(allOriginsKey, async () => {
    const origins = new Set<string>();
    const rows = services.tables.crmIndex.listEntities<{ value: string }>({
      queryOptions: { filter: "PartitionKey ge 'origin|' and PartitionKey lt 'origin}'", select: ["value"] },
    });
    for await (const row of rows) origins.add(row.value);
    return [...origins].sort();
  });
  return found ?? [];
}
