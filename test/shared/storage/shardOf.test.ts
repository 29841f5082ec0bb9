import { describe, expect, it } from "vitest";
import { shardOf, shards } from "../../../shared/storage/shardOf.js";

describe("shardOf", () => {
  // Stored rows are keyed by these: a change of the hash would strand every marker and schedule row.
  it.each([
    ["msg_0abc", "12"],
    ["c|fabrikam|demo|conv-1", "15"],
    ["i|t|p|2026-11-02T09:00:00.000Z", "09"],
    ["r|fabrikam", "05"],
  ])("%s is in shard %s", (key, shard) => {
    expect(shardOf(key)).toBe(shard);
  });

  it("names 16 shards, 00 to 15", () => {
    expect(shards).toHaveLength(16);
    expect([shards[0], shards[15]]).toEqual(["00", "15"]);
  });
});
