import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack } from "../../support/stack.js";
import type { Stack } from "../../../local/stack.js";
import { recomputeQuarter } from "../../../shared/analytics/recomputeAggregates.js";
import { aggregatedRowKey, factsPartition, factsRow, groupRowPrefix } from "../../../shared/analytics/kpiStore.js";
import { groupId } from "../../../shared/analytics/sumFactsRows.js";

/** A quarter-hour's groups are kept one row each (`~group|…`), replacing the `~aggregated` list, which is read once. */
const quarter = "2026-11-02T09:00:00.000Z";
let stack: Stack;
beforeAll(async () => {
  ({ stack } = await startTestStack({ timers: false }));
});
afterAll(() => stack?.close());

async function rows(table: "kpiFacts" | "kpiQuarterHours", partitionKey: string) {
  const found: Array<Record<string, unknown>> = [];
  for await (const row of stack.services.tables[table].listEntities({ queryOptions: { filter: `PartitionKey eq '${partitionKey}'` } })) found.push(row);
  return found;
}

describe("recomputeQuarter's group rows", () => {
  it("writes a group that lost its conversations as zero once, from the old list or a group row, and forgets it", async () => {
    const tables = stack.services.tables;
    const pk = factsPartition("grp", "p", quarter);
    const conversation = (queue: string) => factsRow("grp", "p", quarter, "c1", { channel: "voice", queue, agentId: "a1", partnerEvents: { x: 1 } });
    await tables.kpiFacts.upsertEntity(conversation("a"));
    await tables.kpiFacts.upsertEntity({ partitionKey: pk, rowKey: aggregatedRowKey, groups: JSON.stringify([groupId("voice", "queue", "old")]) });
    const queueRows = async () =>
      Object.fromEntries(
        (await rows("kpiQuarterHours", "grp|p|voice|2026-11"))
          .filter((row) => row["dimension"] === "queue")
          .map((row) => [row["value"], (JSON.parse(String(row["aggregate"])) as { partnerEvents: Record<string, number> }).partnerEvents]),
      );
    const groupRows = async () => (await rows("kpiFacts", pk)).filter((row) => String(row["rowKey"]).startsWith(groupRowPrefix)).map((row) => row["group"]).sort();

    await recomputeQuarter(tables, "grp", "p", quarter);
    expect(await queueRows()).toEqual({ a: { x: 1 }, old: {} });
    expect(await groupRows()).toEqual([groupId("voice", "agent", "a1"), groupId("voice", "all", ""), groupId("voice", "queue", "a")].sort());
    expect((await rows("kpiFacts", pk)).some((row) => row["rowKey"] === aggregatedRowKey)).toBe(false);

    await tables.kpiFacts.upsertEntity(conversation("b"), "Replace");
    await recomputeQuarter(tables, "grp", "p", quarter);
    expect(await queueRows()).toEqual({ a: {}, b: { x: 1 }, old: {} });
    expect(await groupRows()).toEqual([groupId("voice", "agent", "a1"), groupId("voice", "all", ""), groupId("voice", "queue", "b")].sort());
  });
});
