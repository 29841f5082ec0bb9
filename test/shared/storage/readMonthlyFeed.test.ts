import { TableClient } from "@azure/data-tables";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { feedEpochMonth, maxMonthsPerRead, readMonthlyFeed, type MonthlyFeed } from "../../../shared/storage/readMonthlyFeed.js";
import { encodeOpaque } from "../../../shared/storage/cursor.js";
import { WebCtiError } from "../../../shared/errors.js";
import { uniquePrefix } from "../../support/stack.js";

/**
 * The monthly feeds (facts export, activity feed) are read a month partition at a time: one read is
 * bounded whatever `since` or a forged cursor says (an old `since` once cost a query per month since 1900).
 */
let table: TableClient;
let queries = 0;

beforeAll(async () => {
  table = TableClient.fromConnectionString(inject("tablesConnectionString"), `${uniquePrefix()}feed`, { allowInsecureConnection: true });
  await table.createTable();
  await table.createEntity({ partitionKey: "t|2026-03", rowKey: "2026-03-05T10:00:00.000Z|a", item: '"march"' });
  await table.createEntity({ partitionKey: "t|2028-02", rowKey: "2028-02-01T10:00:00.000Z|b", item: '"february 2028"' });
});

function feed(): MonthlyFeed<string> {
  // The real table, with every query counted.
  const counted = new Proxy(table, {
    get(target, name, receiver) {
      if (name === "listEntities") return (...args: Parameters<TableClient["listEntities"]>) => (queries++, target.listEntities(...args));
      return Reflect.get(target, name, receiver);
    },
  });
  return { table: counted, partition: (month) => `t|${month}`, column: "item", parse: (json) => JSON.parse(json) as string, cursorVersion: 7, settleMs: 5_000, defaultSinceDays: 35 };
}

describe("readMonthlyFeed", () => {
  it("starts an old since at the feeds' first month, and reads at most 12 months per call, then continues by cursor", async () => {
    const now = new Date("2029-06-15T00:00:00.000Z");
    queries = 0;
    const first = await readMonthlyFeed(feed(), { since: "1901-01-01T00:00:00Z", limit: 100 }, now);
    expect(first.items).toEqual(["march"]);
    expect(queries).toBe(maxMonthsPerRead);
    // 2027 holds nothing: an empty answer whose cursor moved on a year.
    const second = await readMonthlyFeed(feed(), { cursor: first.cursor, limit: 100 }, now);
    expect(second.items).toEqual([]);
    expect(second.cursor).not.toBe(first.cursor);
    const third = await readMonthlyFeed(feed(), { cursor: second.cursor, limit: 100 }, now);
    expect(third.items).toEqual(["february 2028"]);
    queries = 0;
    const fourth = await readMonthlyFeed(feed(), { cursor: third.cursor, limit: 100 }, now);
    expect(fourth.items).toEqual([]);
    expect(queries).toBe(6); // January to June 2029, then it stops at the present
    const fifth = await readMonthlyFeed(feed(), { cursor: fourth.cursor, limit: 100 }, now);
    expect(fifth).toEqual({ items: [], cursor: fourth.cursor });
  });

  it.each([
    ["month 00 of year 0000", { v: 7, m: "0000-00", a: "" }],
    ["a month before the feeds' first", { v: 7, m: "1999-12", a: "" }],
    ["month 13", { v: 7, m: "2027-13", a: "" }],
    ["another feed's cursor", { v: 2, m: feedEpochMonth, a: "" }],
  ])("refuses a forged cursor (%s) with 400 before any query", async (_name, position) => {
    queries = 0;
    await expect(readMonthlyFeed(feed(), { cursor: encodeOpaque(position), limit: 10 }, new Date())).rejects.toBeInstanceOf(WebCtiError);
    expect(queries).toBe(0);
  });
});
