import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { odata } from "@azure/data-tables";
import { call, startTestStack } from "../support/stack.js";
import { demo, type DemoSeed } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { getRecord } from "../../shared/directory/directoryStore.js";
import type { RecordType } from "../../shared/schemas/ids.js";

let stack: Stack;
let seed: DemoSeed;
let otherKey: string;

// The route requires an Idempotency-Key: a fresh one per request here (resends are tested apart).
const batch = (operations: unknown[], key = seed.apiKey) =>
  call(`${stack.apiUrl}/v1/directory/batch`, { json: { operations }, key, headers: { "idempotency-key": randomUUID() } });
const lookup = async (query: string, key = seed.apiKey) =>
  (await call(`${stack.apiUrl}/v1/directory/lookup?${query}`, { key })).body.matches as Array<{ type: string; id: string; name: string }>;
const put = (collection: string, id: string, json: unknown, key = seed.apiKey) =>
  call(`${stack.apiUrl}/v1/directory/${collection}/${id}`, { method: "PUT", key, json });
const remove = (collection: string, id: string, key = seed.apiKey) =>
  call(`${stack.apiUrl}/v1/directory/${collection}/${id}`, { method: "DELETE", key });

async function countRows(): Promise<{ directory: number; directoryIndex: number }> {
  let directory = 0;
  let directoryIndex = 0;
  for await (const _ of stack.services.tables.directory.listEntities()) directory++;
  for await (const _ of stack.services.tables.directoryIndex.listEntities()) directoryIndex++;
  return { directory, directoryIndex };
}

/** The index rows that point at one record, as "phone|+1…" / "email|…" keys with the name they carry. */
async function indexOf(tenantId: string, type: RecordType, id: string): Promise<Record<string, string>> {
  const rows = stack.services.tables.directoryIndex.listEntities<{ name: string }>({
    queryOptions: { filter: odata`PartitionKey ge ${`${tenantId}|`} and PartitionKey lt ${`${tenantId}|~`} and RowKey eq ${`${type}|${id}`}` },
  });
  const found: Record<string, string> = {};
  for await (const row of rows) found[String(row.partitionKey).slice(tenantId.length + 1)] = row.name;
  return found;
}

/** What the index should hold for the record as stored: one row per number and address, with its name. */
async function expectedIndex(tenantId: string, type: RecordType, id: string): Promise<Record<string, string>> {
  const record = await getRecord(stack.services.tables, tenantId, type, id);
  if (!record) return {};
  return Object.fromEntries([
    ...record.phones.map((p) => [`phone|${p.e164}`, record.name]),
    ...record.emails.map((e) => [`email|${e}`, record.name]),
  ]);
}

async function expectIndexAgrees(type: RecordType, id: string, tenantId = demo.tenantId) {
  expect(await indexOf(tenantId, type, id)).toEqual(await expectedIndex(tenantId, type, id));
}

beforeAll(async () => {
  ({ stack, seed } = await startTestStack());
  await putTenant(stack.services, { tenantId: "tailspin", name: "Tailspin" });
  await putProvider(stack.services, { tenantId: "tailspin", providerId: "p", label: "P" });
  otherKey = (await issuePartnerKey(stack.services.tables, "tailspin", "p", new Date())).apiKey;
});
afterAll(() => stack?.close());

describe("directory batch sync", () => {
  it("applies upserts and deletes in order, with one result each, and the index follows", async () => {
    const res = await batch([
      { op: "upsert", type: "account", id: "acc-sync", record: { name: "Sync Corp", phones: ["+1 206 555 0300"] } },
      { op: "upsert", type: "contact", id: "c-sync-1", record: { name: "Sam Sync", phones: ["(206) 555-0301"], emails: ["Sam@Sync.example"], accountId: "acc-sync" } },
      { op: "upsert", type: "contact", id: "c-sync-2", record: { name: "Sue Sync", phones: ["+1 206 555 0302"] } },
      { op: "delete", type: "contact", id: "c-sync-2" },
      { op: "delete", type: "contact", id: "c-never-there" },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { index: number; op: string; id: string; status: string }) => [r.index, r.op, r.id, r.status])).toEqual([
      [0, "upsert", "acc-sync", "created"],
      [1, "upsert", "c-sync-1", "created"],
      [2, "upsert", "c-sync-2", "created"],
      [3, "delete", "c-sync-2", "deleted"],
      [4, "delete", "c-never-there", "notFound"],
    ]);
    expect(res.body.results[1].record).toMatchObject({ id: "c-sync-1", phones: [{ e164: "+12065550301" }], emails: ["sam@sync.example"] });
    expect(await lookup("phone=2065550301")).toEqual([{ type: "contact", id: "c-sync-1", name: "Sam Sync" }]);
    expect(await lookup("email=SAM%40sync.example")).toEqual([{ type: "contact", id: "c-sync-1", name: "Sam Sync" }]);
    expect(await lookup("phone=2065550302")).toEqual([]);
    for (const [type, id] of [["account", "acc-sync"], ["contact", "c-sync-1"], ["contact", "c-sync-2"]] as const) await expectIndexAgrees(type, id);
    expect(await indexOf(demo.tenantId, "contact", "c-sync-2")).toEqual({});
  });

  it("requires an Idempotency-Key, and replays the first answer to a resend with it", async () => {
    const operations = [
      { op: "upsert", type: "contact", id: "c-key-1", record: { name: "Kim Key", phones: ["+1 206 555 0311"] } },
      { op: "delete", type: "contact", id: "c-key-1" },
    ];
    const before = await countRows();
    const missing = await call(`${stack.apiUrl}/v1/directory/batch`, { json: { operations }, key: seed.apiKey });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ header: "Idempotency-Key" })]);
    expect(await countRows()).toEqual(before);

    const headers = { "idempotency-key": randomUUID() };
    const first = await call(`${stack.apiUrl}/v1/directory/batch`, { json: { operations }, key: seed.apiKey, headers });
    const resent = await call(`${stack.apiUrl}/v1/directory/batch`, { json: { operations }, key: seed.apiKey, headers });
    expect(first.body.results.map((r: { status: string }) => r.status)).toEqual(["created", "deleted"]);
    expect(resent.status).toBe(200);
    expect(resent.headers.get("idempotent-replayed")).toBe("true");
    expect(resent.body).toEqual(first.body);
  });

  it("moves index rows when a number, an address or the name changes, and only the last version counts", async () => {
    const res = await batch([
      { op: "upsert", type: "contact", id: "c-sync-1", record: { name: "Sam Sync", phones: ["+1 206 555 0310"], emails: ["sam@new.example"] } },
      { op: "upsert", type: "contact", id: "c-sync-1", record: { name: "Samuel Sync", phones: ["+1 206 555 0311", "+1 206 555 0310"], emails: [] } },
    ]);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(["updated", "updated"]);
    expect(await lookup("phone=2065550301")).toEqual([]);
    expect(await lookup("email=sam%40sync.example")).toEqual([]);
    expect(await lookup("email=sam%40new.example")).toEqual([]);
    expect(await lookup("phone=2065550310")).toEqual([{ type: "contact", id: "c-sync-1", name: "Samuel Sync" }]);
    expect(await lookup("phone=2065550311")).toEqual([{ type: "contact", id: "c-sync-1", name: "Samuel Sync" }]);
    await expectIndexAgrees("contact", "c-sync-1");
  });

  it("keeps the index in agreement when writers of one record race", async () => {
    const numbers = Array.from({ length: 8 }, (_, i) => `+1 206 555 04${String(i).padStart(2, "0")}`);
    const answers = await Promise.all([
      ...numbers.map((n, i) => put("contacts", "c-race", { name: `Racer ${i}`, phones: [n], emails: [`racer${i}@race.example`] })),
      remove("contacts", "c-race"),
      batch([{ op: "upsert", type: "contact", id: "c-race", record: { name: "Batch racer", phones: ["+1 206 555 0499"] } }]),
    ]);
    for (const answer of answers) expect([200, 404]).toContain(answer.status);
    await expectIndexAgrees("contact", "c-race");
    const record = await getRecord(stack.services.tables, demo.tenantId, "contact", "c-race");
    for (const n of [...numbers, "+1 206 555 0499"]) {
      const matches = await lookup(`phone=${encodeURIComponent(n)}`);
      const owns = record?.phones.some((p) => p.raw === n) ?? false;
      expect(matches.length, n).toBe(owns ? 1 : 0);
    }
  });

  it("lets a contact name an account created earlier in the batch, not one deleted earlier in it", async () => {
    const ok = await batch([
      { op: "upsert", type: "account", id: "acc-new", record: { name: "New Account" } },
      { op: "upsert", type: "contact", id: "c-new", record: { name: "New Contact", accountId: "acc-new" } },
    ]);
    expect(ok.status).toBe(200);
    const before = await countRows();
    const bad = await batch([
      { op: "delete", type: "account", id: "acc-new" },
      { op: "upsert", type: "contact", id: "c-new-2", record: { name: "Orphan", accountId: "acc-new" } },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ pointer: "#/operations/1/record/accountId" })]);
    expect(await countRows()).toEqual(before);
    expect(await getRecord(stack.services.tables, demo.tenantId, "account", "acc-new")).toBeDefined();
  });

  describe("one bad operation rejects the whole batch, and nothing is written", () => {
    const good = { op: "upsert", type: "contact", id: "c-batch-ok", record: { name: "Fine", phones: ["+1 206 555 0500"] } };
    const cases: Array<[string, () => unknown[], string[]]> = [
      [
        "an unreadable phone number",
        () => [good, good, { op: "delete", type: "contact", id: "c-alice" }, { op: "upsert", type: "contact", id: "c-x", record: { name: "X", phones: ["call me maybe"] } }],
        ["#/operations/3/record/phones/0"],
      ],
      [
        "several problems, all reported",
        () => [
          { op: "upsert", type: "contact", id: "c-y", record: { phones: ["+1 206 555 0501"] } },
          good,
          { op: "upsert", type: "contact", id: "c-z", record: { name: "Z", phones: ["+1 206 555 0502", "nope"], emails: ["bad"] } },
        ],
        ["#/operations/0/record/name", "#/operations/2/record/emails/0"],
      ],
      ["an unknown operation", () => [good, { op: "merge", type: "contact", id: "c-alice" }], ["#/operations/1/op"]],
      ["an unknown record type", () => [{ op: "delete", type: "lead", id: "c-alice" }], ["#/operations/0/type"]],
      ["a bad record id", () => [{ op: "delete", type: "contact", id: "bad|id" }], ["#/operations/0/id"]],
      ["an account that does not exist", () => [good, { ...good, id: "c-acc", record: { name: "A", accountId: "acc-nope" } }], ["#/operations/1/record/accountId"]],
      ["an empty batch", () => [], ["#/operations"]],
      ["more than 100 operations", () => Array.from({ length: 101 }, () => good), ["#/operations"]],
    ];
    it.each(cases)("%s", async (_name, operations, pointers) => {
      const before = await countRows();
      const res = await batch(operations());
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      const got = (res.body.errors as Array<{ pointer: string }>).map((e) => e.pointer);
      for (const pointer of pointers) expect(got).toContain(pointer);
      expect(await countRows()).toEqual(before);
      expect(await lookup(`phone=${encodeURIComponent(demo.numbers.oneContact)}`)).toHaveLength(1);
    });

    it("needs a partner key", async () => {
      const res = await call(`${stack.apiUrl}/v1/directory/batch`, { json: { operations: [good] } });
      expect(res.status).toBe(401);
      expect(await getRecord(stack.services.tables, demo.tenantId, "contact", "c-batch-ok")).toBeUndefined();
    });
  });

  it("keeps tenants apart: another tenant's batch and deletes touch only its own records", async () => {
    const theirs = await batch(
      [
        { op: "delete", type: "contact", id: "c-alice" },
        { op: "upsert", type: "contact", id: "c-sync-1", record: { name: "Their Sam", phones: ["+1 206 555 0310"] } },
      ],
      otherKey,
    );
    expect(theirs.status).toBe(200);
    expect(theirs.body.results.map((r: { status: string }) => r.status)).toEqual(["notFound", "created"]);
    expect((await remove("contacts", "c-alice", otherKey)).status).toBe(404);
    expect(await lookup(`phone=${encodeURIComponent(demo.numbers.oneContact)}`)).toEqual([{ type: "contact", id: "c-alice", name: "Alice Johnson" }]);
    expect(await lookup("phone=2065550310")).toEqual([{ type: "contact", id: "c-sync-1", name: "Samuel Sync" }]);
    expect(await lookup("phone=2065550310", otherKey)).toEqual([{ type: "contact", id: "c-sync-1", name: "Their Sam" }]);
    await expectIndexAgrees("contact", "c-sync-1");
    await expectIndexAgrees("contact", "c-sync-1", "tailspin");
  });

  it("deletes one record with DELETE, its numbers stop matching, and a second delete is 404", async () => {
    await put("contacts", "c-gone", { name: "Gone Soon", phones: ["+1 206 555 0600"], emails: ["gone@soon.example"] });
    expect(await lookup("phone=2065550600")).toHaveLength(1);
    const res = await remove("contacts", "c-gone");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ type: "contact", id: "c-gone", deleted: true });
    expect(await lookup("phone=2065550600")).toEqual([]);
    expect(await lookup("email=gone%40soon.example")).toEqual([]);
    expect(await indexOf(demo.tenantId, "contact", "c-gone")).toEqual({});
    const again = await remove("contacts", "c-gone");
    expect(again.status).toBe(404);
    expect(again.headers.get("content-type")).toBe("application/problem+json");
    expect((await call(`${stack.apiUrl}/v1/directory/contacts/c-alice`, { method: "DELETE" })).status).toBe(401);
  });
});
