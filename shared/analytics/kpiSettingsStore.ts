import type { TableEntityResult } from "@azure/data-tables";
import { readEntity } from "../storage/readEntity.js";
import type { Tables } from "../storage/tables.js";
import { KpiSettings, defaultKpiSettings } from "../schemas/analytics.js";
import { requestRebuild } from "./kpiStore.js";

/** A tenant's KPI settings live beside the tenant (tenants table, RowKey "kpiSettings"); absent: the defaults. */
const settingsRowKey = "kpiSettings";

export async function getKpiSettings(tables: Pick<Tables, "tenants">, tenantId: string): Promise<KpiSettings> {
  const settings = await readEntity(tables.tenants, tenantId, settingsRowKey, (row: TableEntityResult<{ settings: string }>) =>
    KpiSettings.parse(JSON.parse(row.settings)),
  );
  return settings ?? defaultKpiSettings;
}

/**
 * Stores the settings; when they differ from the stored ones, every conversation that counts somewhere is
 * projected again with them (docs/kpis.md, "Tenant settings": past intervals follow).
 */
export async function putKpiSettings(tables: Tables, tenantId: string, settings: KpiSettings): Promise<{ settings: KpiSettings; rebuilding: boolean }> {
  const before = await getKpiSettings(tables, tenantId);
  const same = before.shortAbandonSeconds === settings.shortAbandonSeconds && before.serviceLevelSeconds === settings.serviceLevelSeconds;
  await tables.tenants.upsertEntity({ partitionKey: tenantId, rowKey: settingsRowKey, settings: JSON.stringify(settings) }, "Replace");
  if (!same) await requestRebuild(tables, tenantId, "projected");
  return { settings, rebuilding: !same };
}
