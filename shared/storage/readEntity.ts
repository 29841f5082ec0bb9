import type { TableClient, TableEntityResult } from "@azure/data-tables";
import { isNotFound } from "../errors.js";
import { parseRow } from "./parseRow.js";

/**
 * One point read: the row parsed by `parse` (see parseRow: a row that does not parse is `internal`), or
 * undefined when there is no such row. Pass `(row) => row` for a row whose columns the caller reads itself.
 */
export async function readEntity<T, R extends object = Record<string, unknown>>(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
  parse: (row: TableEntityResult<R>) => T,
): Promise<T | undefined> {
  let row: TableEntityResult<R>;
  try {
    row = await table.getEntity<R>(partitionKey, rowKey);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  return parseRow(table, row, parse);
}
