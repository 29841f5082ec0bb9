import { TableClient } from "@azure/data-tables";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { takeLease } from "../../../shared/storage/takeLease.js";
import { readEntity } from "../../../shared/storage/readEntity.js";
import { uniquePrefix } from "../../support/stack.js";

let table: TableClient;
let now = new Date("2026-11-02T09:00:00.000Z");
const options = { field: "until", leaseMs: 60_000, now: () => now };
const read = (rowKey: string) => readEntity(table, "lease", rowKey, (row) => row);

beforeAll(async () => {
  table = TableClient.fromConnectionString(inject("tablesConnectionString"), `${uniquePrefix()}leases`, { allowInsecureConnection: true });
  await table.createTable();
});

describe("takeLease", () => {
  it("of two takers of the same row as read, one wins", async () => {
    const keys = { partitionKey: "lease", rowKey: "race" };
    const taken = await Promise.all([takeLease(table, keys, options), takeLease(table, keys, options)]);
    expect(taken.filter(Boolean)).toHaveLength(1);
  });

  it("a held row is not taken until its time has passed; a crashed holder's row is taken then", async () => {
    now = new Date("2026-11-02T09:00:00.000Z");
    const first = await takeLease(table, { partitionKey: "lease", rowKey: "held" }, options);
    expect(first).toBeDefined();
    expect(await takeLease(table, (await read("held"))!, options)).toBeUndefined();
    now = new Date("2026-11-02T09:01:00.001Z");
    const second = await takeLease(table, (await read("held"))!, options);
    expect(second).toBeDefined();
    await expect(first!.renew()).rejects.toMatchObject({ statusCode: 412 }); // lost: its run ends
  });

  it("renew extends it; release gives it back at once", async () => {
    now = new Date("2026-11-02T10:00:00.000Z");
    const lease = (await takeLease(table, { partitionKey: "lease", rowKey: "renewed" }, options))!;
    now = new Date("2026-11-02T10:00:50.000Z");
    await lease.renew();
    expect((await read("renewed"))!["until"]).toBe("2026-11-02T10:01:50.000Z");
    await lease.release();
    expect(await takeLease(table, (await read("renewed"))!, options)).toBeDefined();
  });
});
