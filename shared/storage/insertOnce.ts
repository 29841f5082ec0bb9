import type { TableClient, TransactionAction } from "@azure/data-tables";
import { isEntityAlreadyExists } from "../errors.js";

/** A row keyed by the sender's id, with the SHA-256 of what was sent, so a resend is told from a reuse. */
export type OnceRow = { partitionKey: string; rowKey: string; bodySha256: string } & Record<string, unknown>;

export type OnceOutcome = "stored" | "alreadyStored" | "idReused";

/**
 * Inserts rows that must be stored once each (at-least-once senders): the rows of one partition go in one
 * entity-group transaction (up to 100); when it meets a row stored before (a resend), the group falls back
 * to row-by-row inserts, and a row whose id exists is `alreadyStored` (same content) or `idReused` (other
 * content, never overwritten). Rows repeated within the call are written once and share the first's outcome.
 */
export async function insertOnce(table: TableClient, rows: readonly OnceRow[]): Promise<OnceOutcome[]> {
  const outcomes: OnceOutcome[] = new Array(rows.length);
  const firstOf = new Map<string, number>();
  const groups = new Map<string, number[]>();
  rows.forEach((row, index) => {
    const id = `${row.partitionKey}\n${row.rowKey}`;
    if (firstOf.has(id)) return;
    firstOf.set(id, index);
    groups.set(row.partitionKey, [...(groups.get(row.partitionKey) ?? []), index]);
  });

  const one = async (index: number) => {
    const row = rows[index]!;
    try {
      await table.createEntity(row);
      outcomes[index] = "stored";
    } catch (error) {
      if (!isEntityAlreadyExists(error)) throw error;
      const stored = await table.getEntity<{ bodySha256: string }>(row.partitionKey, row.rowKey);
      outcomes[index] = stored.bodySha256 === row.bodySha256 ? "alreadyStored" : "idReused";
    }
  };
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      for (let start = 0; start < indexes.length; start += 100) {
        const chunk = indexes.slice(start, start + 100);
        if (chunk.length === 1) {
          await one(chunk[0]!);
          continue;
        }
        try {
          await table.submitTransaction(chunk.map((i): TransactionAction => ["create", rows[i]!]));
          for (const i of chunk) outcomes[i] = "stored";
        } catch (error) {
          if (!isEntityAlreadyExists(error)) throw error;
          await Promise.all(chunk.map(one));
        }
      }
    }),
  );
  rows.forEach((row, index) => {
    const first = firstOf.get(`${row.partitionKey}\n${row.rowKey}`)!;
    if (first === index) return;
    outcomes[index] = rows[first]!.bodySha256 === row.bodySha256 ? outcomes[first]! : "idReused";
  });
  return outcomes;
}
