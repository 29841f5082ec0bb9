import type { Services } from "../services.js";
import type { DirectoryRecord, DirectoryRecordInput } from "../schemas/directory.js";
import type { RecordType } from "../schemas/ids.js";
import { getTenant } from "../tenancy/tenancyStore.js";
import { deleteRecord, getRecord, upsertRecord } from "./directoryStore.js";
import { WebCtiError } from "../errors.js";

/** Creates or replaces a contact or account, reading numbers in the tenant's default country. */
export async function saveRecord(
  services: Pick<Services, "tables" | "caches" | "now">,
  tenantId: string,
  type: RecordType,
  recordId: string,
  input: DirectoryRecordInput,
): Promise<DirectoryRecord> {
  const tenant = await getTenant(services, tenantId);
  if (type === "contact" && input.accountId && !(await getRecord(services.tables, tenantId, "account", input.accountId))) {
    throw new WebCtiError("invalid_request", `Account '${input.accountId}' does not exist.`, {
      errors: [{ pointer: "#/accountId", detail: "no such account" }],
    });
  }
  return upsertRecord(services.tables, tenantId, type, recordId, input, {
    defaultCountry: tenant.defaultCountry,
    now: services.now(),
  });
}

export async function readRecord(
  services: Pick<Services, "tables">,
  tenantId: string,
  type: RecordType,
  recordId: string,
): Promise<DirectoryRecord> {
  const record = await getRecord(services.tables, tenantId, type, recordId);
  if (!record) throw new WebCtiError("not_found", `No ${type} '${recordId}' in this tenant.`);
  return record;
}

export async function removeRecord(
  services: Pick<Services, "tables">,
  tenantId: string,
  type: RecordType,
  recordId: string,
): Promise<{ type: RecordType; id: string; deleted: true }> {
  if (!(await deleteRecord(services.tables, tenantId, type, recordId))) {
    throw new WebCtiError("not_found", `No ${type} '${recordId}' in this tenant.`);
  }
  return { type, id: recordId, deleted: true };
}
