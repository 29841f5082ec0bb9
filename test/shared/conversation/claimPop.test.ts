import { TableClient } from "@azure/data-tables";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { claimPop, popMarkerRowKey } from "../../../shared/conversation/claimPop.js";
import { uniquePrefix } from "../../support/stack.js";

let table: TableClient;

beforeAll(async () => {
  table = TableClient.fromConnectionString(inject("tablesConnectionString"), `${uniquePrefix()}claims`, { allowInsecureConnection: true });
  await table.createTable();
});

describe("claimPop: one pop per conversation, trigger and agent", () => {
  it("gives the pop to exactly one of many events claiming at once; the others learn which", async () => {
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => claimPop(table, "t|p|call-1", "ringing", "agent-a", `evt-${i}`, `pop-${i}`)),
    );
    const winners = claims.filter((c) => c.inserted);
    expect(winners).toHaveLength(1);
    const [winner] = winners;
    for (const claim of claims) expect(claim).toMatchObject({ eventId: winner!.eventId, popId: winner!.popId });
    const row = await table.getEntity("t|p|call-1", popMarkerRowKey("ringing", "agent-a"));
    expect(row).toMatchObject({ eventId: winner!.eventId, popId: winner!.popId });
  });

  it("lets the winner's retry find its own claim, and keeps agents, triggers and conversations apart", async () => {
    const first = await claimPop(table, "t|p|call-2", "ringing", "agent-a", "evt-1", "pop-1");
    expect(first).toEqual({ eventId: "evt-1", popId: "pop-1", inserted: true });
    // A retry plans another id; the claim keeps the first one.
    expect(await claimPop(table, "t|p|call-2", "ringing", "agent-a", "evt-1", "pop-9")).toEqual({ eventId: "evt-1", popId: "pop-1", inserted: false });
    expect((await claimPop(table, "t|p|call-2", "ringing", "agent-b", "evt-2", "pop-2")).inserted).toBe(true);
    expect((await claimPop(table, "t|p|call-2", "answered", "agent-a", "evt-3", "pop-3")).inserted).toBe(true);
    expect((await claimPop(table, "t|p|call-3", "ringing", "agent-a", "evt-1", "pop-4")).inserted).toBe(true);
  });
});
