import type { TableEntityResult } from "@azure/data-tables";
import { readEntity } from "../storage/readEntity.js";
import type { Tables } from "../storage/tables.js";
import { CrmSettings, defaultCrmSettings } from "../schemas/crmSettings.js";

/** A tenant's CRM settings live beside the tenant (tenants table, RowKey "crm"); absent: the defaults. */
const crmRowKey = "crm";

export async function getCrmSettings(tables: Pick<Tables, "tenants">, tenantId: string): Promise<CrmSettings> {
  const settings = await readEntity(tables.tenants, tenantId, crmRowKey, (row: TableEntityResult<{ settings: string }>) =>
    CrmSettings.parse(JSON.parse(row.settings)),
  );
  return settings ?? defaultCrmSettings;
}

export async function putCrmSettings(tables: Pick<Tables, "tenants">, tenantId: string, settings: CrmSettings): Promise<CrmSettings> {
  await tables.tenants.upsertEntity({ partitionKey: tenantId, rowKey: crmRowKey, settings: JSON.stringify(settings) }, "Replace");
  return settings;
}
