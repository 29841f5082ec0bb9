import type { TableClient } from "@azure/data-tables";
import { isNotFound } from "../errors.js";

/** Deletes a row; one that is already gone (a retry, or another writer first) is no error. */
export async function deleteIfExists(table: TableClient, partitionKey: string, rowKey: string): Promise<void> {
  try {
    await table.deleteEntity(partitionKey, rowKey);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
