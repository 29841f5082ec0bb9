import type { TableClient, TableEntityResult } from "@azure/data-tables";
import { shards } from "./shardOf.js";

/**
 * Reads up to `perShard` rows of each shard at once (the first page of each), with `filter` naming the
 * shard's range; `more` says some shard had rows left for the next read.
 */
export async function readShards<R extends object>(
  table: TableClient,
  filter: (shard: string) => string,
  perShard: number,
): Promise<{ rows: TableEntityResult<R>[]; more: boolean }> {
  let more = false;
  const perPartition = await Promise.all(
    shards.map(async (shard) => {
      const pages = table.listEntities<R>({ queryOptions: { filter: filter(shard) } }).byPage({ maxPageSize: perShard });
      const first = await pages.next();
      if (first.done) return [];
      if (first.value.continuationToken) more = true;
      return [...first.value];
    }),
  );
  return { rows: perPartition.flat(), more };
}
