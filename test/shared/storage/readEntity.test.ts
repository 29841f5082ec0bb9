import { TableClient } from "@azure/data-tables";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { WebCtiError } from "../../../shared/errors.js";
import { readEntity } from "../../../shared/storage/readEntity.js";
import { UnreadableRowError, parseRow } from "../../../shared/storage/parseRow.js";
import { uniquePrefix } from "../../support/stack.js";

const Row = z.object({ name: z.string(), country: z.string().regex(/^[A-Z]{2}$/), tags: z.array(z.string()) });
const parse = (row: Record<string, unknown>) => Row.parse({ ...row, tags: JSON.parse(String(row["tags"])) });

let table: TableClient;

beforeAll(async () => {
  table = TableClient.fromConnectionString(inject("tablesConnectionString"), `${uniquePrefix()}rows`, { allowInsecureConnection: true });
  await table.createTable();
  await table.createEntity({ partitionKey: "t1", rowKey: "good", name: "Ada", country: "GB", tags: '["a"]' });
  await table.createEntity({ partitionKey: "t1", rowKey: "bad", name: "Ada", country: "Secret Land", tags: '["a"]' });
  await table.createEntity({ partitionKey: "t1", rowKey: "notJson", name: "Ada", country: "GB", tags: "secret-tag[" });
});

async function refusal(read: Promise<unknown>): Promise<WebCtiError> {
  const error = await read.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WebCtiError);
  return error as WebCtiError;
}

describe("readEntity", () => {
  it("returns the parsed row, and undefined when there is none", async () => {
    expect(await readEntity(table, "t1", "good", parse)).toEqual({ name: "Ada", country: "GB", tags: ["a"] });
    expect(await readEntity(table, "t1", "missing", parse)).toBeUndefined();
  });

  it("a row that does not parse is internal; its cause names table, keys and field, never the values", async () => {
    const error = await refusal(readEntity(table, "t1", "bad", parse));
    expect(error.code).toBe("internal");
    expect(error.message).toBe("An unexpected error occurred.");
    expect(error.errors).toBeUndefined();
    const cause = error.cause as UnreadableRowError;
    expect(cause).toBeInstanceOf(UnreadableRowError);
    expect(cause).toMatchObject({ table: table.tableName, partitionKey: "t1", rowKey: "bad", fields: "country (invalid_format)" });
    expect(cause.message).toBe(`A row of table '${table.tableName}' (PartitionKey 't1', RowKey 'bad') does not parse: country (invalid_format)`);
    expect(String(cause.stack)).not.toContain("Secret Land");
  });

  it("a JSON column that is not JSON is internal too, without the text that failed", async () => {
    const error = await refusal(readEntity(table, "t1", "notJson", parse));
    expect(error.code).toBe("internal");
    const cause = error.cause as UnreadableRowError;
    expect(cause).toMatchObject({ rowKey: "notJson", fields: "a JSON column is not JSON" });
    expect(String(cause.stack)).not.toContain("secret-tag");
  });
});

describe("parseRow", () => {
  it("checks rows of a list query the same way", async () => {
    const rows = [];
    for await (const row of table.listEntities<Record<string, unknown>>()) rows.push(row);
    const parsed = rows.filter((row) => row.rowKey === "good").map((row) => parseRow(table, row, parse));
    expect(parsed).toEqual([{ name: "Ada", country: "GB", tags: ["a"] }]);
    const bad = rows.find((row) => row.rowKey === "bad")!;
    expect(() => parseRow(table, bad, parse)).toThrow(expect.objectContaining({ code: "internal", cause: expect.objectContaining({ rowKey: "bad" }) }));
  });

  it("lets a coded error of the parser through unchanged", () => {
    const coded = new WebCtiError("not_found", "gone");
    expect(() => parseRow(table, { partitionKey: "p", rowKey: "r" }, () => { throw coded; })).toThrow(coded);
  });
});
