import { createHash } from "node:crypto";

/** Tables indexed across every tenant (the webhook schedule, the KPI work markers) spread over this many partitions. */
export const shardCount = 16;

/** Every shard's PartitionKey, "00" to "15". */
export const shards: readonly string[] = Array.from({ length: shardCount }, (_, i) => String(i).padStart(2, "0"));

/** The shard of a key: a hash, so no tenant or time range heats one partition. */
export function shardOf(key: string): string {
  return shards[createHash("sha256").update(key).digest().readUInt32BE(0) % shardCount]!;
}
