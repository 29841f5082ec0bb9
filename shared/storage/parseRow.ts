import type { TableClient } from "@azure/data-tables";
import { ZodError } from "zod";
import { WebCtiError, failedPaths } from "../errors.js";

/** The keys of a row as read (the SDK types them optional). */
export interface RowKeys {
  partitionKey?: string | undefined;
  rowKey?: string | undefined;
}

/**
 * The cause of an `internal` error for a row that does not parse: where it is and which fields failed,
 * for the log. Never the values: rows hold personal data, and zod issues and JSON errors echo what they
 * read, so neither is kept.
 */
export class UnreadableRowError extends Error {
  override readonly name = "UnreadableRowError";
  readonly table: string;
  readonly partitionKey: string | undefined;
  readonly rowKey: string | undefined;
  readonly fields: string;

  constructor(table: string, keys: RowKeys, fields: string) {
    super(`A row of table '${table}' (PartitionKey '${keys.partitionKey}', RowKey '${keys.rowKey}') does not parse: ${fields}`);
    this.table = table;
    this.partitionKey = keys.partitionKey;
    this.rowKey = keys.rowKey;
    this.fields = fields;
  }
}

/**
 * Validates a row read back from a table (rows written by older versions exist). A row that does not parse
 * is our fault, not the caller's: it becomes `internal`, which tells the caller nothing, and the edge logs
 * its cause (an UnreadableRowError).
 */
export function parseRow<R extends RowKeys, T>(table: Pick<TableClient, "tableName">, row: R, parse: (row: R) => T): T {
  try {
    return parse(row);
  } catch (error) {
    if (error instanceof WebCtiError) throw error;
    throw new WebCtiError("internal", "An unexpected error occurred.", {
      cause: new UnreadableRowError(table.tableName, { partitionKey: row.partitionKey, rowKey: row.rowKey }, failingFields(error)),
    });
  }
}

function failingFields(error: unknown): string {
  if (error instanceof ZodError) return failedPaths(error);
  if (error instanceof SyntaxError) return "a JSON column is not JSON";
  return error instanceof Error ? error.name : "unknown error";
}
