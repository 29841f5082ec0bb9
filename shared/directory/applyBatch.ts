import type { Services } from "../services.js";
import type { z } from "zod";
import type { DirectoryRecord } from "../schemas/directory.js";
import type { DirectoryBatchInput, DirectoryBatchResponse, DirectoryBatchResult } from "../schemas/directoryBatch.js";
import { WebCtiError, type ErrorItem } from "../errors.js";
import { getTenant } from "../tenancy/tenancyStore.js";
import { deleteRecord, getRecord, prepareRecord, writeRecord } from "./directoryStore.js";

type Operations = z.infer<typeof DirectoryBatchInput>["operations"];

/**
 * A partner's directory sync: up to 100 upserts and deletes, applied in order. Every operation is
 * checked first (numbers readable, accounts named by contacts existing in storage or created earlier in
 * the batch and not deleted since), so bad input writes nothing; the errors point into the batch
 * (`#/operations/3/record/phones/0`). Applying is not atomic: if storage fails half-way, the earlier
 * operations stay applied; every operation is idempotent, so sending the whole batch again is safe.
 */
export async function applyDirectoryBatch(
  services: Pick<Services, "tables" | "caches" | "now">,
  tenantId: string,
  operations: Operations,
): Promise<DirectoryBatchResponse> {
  const tenant = await getTenant(services, tenantId);
  const now = services.now();
  const prepared: Array<DirectoryRecord | undefined> = [];
  const errors: ErrorItem[] = [];
  /** Accounts as the batch leaves them so far: true once upserted, false once deleted. */
  const accounts = new Map<string, boolean>();
  const accountExists = async (id: string) => {
    if (!accounts.has(id)) accounts.set(id, (await getRecord(services.tables, tenantId, "account", id)) !== undefined);
    return accounts.get(id)!;
  };

  for (const [index, operation] of operations.entries()) {
    const at = `#/operations/${index}`;
    if (operation.op === "delete") {
      prepared.push(undefined);
      if (operation.type === "account") accounts.set(operation.id, false);
      continue;
    }
    try {
      const record = prepareRecord(operation.type, operation.id, operation.record, { defaultCountry: tenant.defaultCountry, now });
      if (record.type === "contact" && record.accountId && !(await accountExists(record.accountId))) {
        errors.push({ pointer: `${at}/record/accountId`, detail: `no account '${record.accountId}' (in the directory or earlier in the batch)` });
      }
      if (record.type === "account") accounts.set(record.id, true);
      prepared.push(record);
    } catch (error) {
      if (!(error instanceof WebCtiError) || error.code !== "invalid_request") throw error;
      for (const item of error.errors ?? [{ pointer: "#", detail: error.message }]) {
        errors.push({ ...item, pointer: `${at}/record${(item.pointer ?? "#").slice(1)}` });
      }
      prepared.push(undefined);
    }
  }
  if (errors.length > 0) {
    throw new WebCtiError("invalid_request", "The batch is not valid; no operation was applied.", { errors });
  }

  const results: DirectoryBatchResult[] = [];
  for (const [index, operation] of operations.entries()) {
    const { op, type, id } = operation;
    const record = prepared[index];
    if (record) {
      const written = await writeRecord(services.tables, tenantId, record);
      results.push({ index, op, type, id, status: written.created ? "created" : "updated", record: written.record });
    } else {
      const deleted = await deleteRecord(services.tables, tenantId, type, id);
      results.push({ index, op, type, id, status: deleted ? "deleted" : "notFound" });
    }
  }
  return { results };
}
