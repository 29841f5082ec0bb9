import { odata, type TableClient } from "@azure/data-tables";
import { WebCtiError, isNotFound } from "../errors.js";
import { key } from "../storage/tables.js";
import {
  DirectoryRecord,
  DirectoryRecordInput,
  type PhoneNumber,
  type RecordMatch,
} from "../schemas/directory.js";
import type { RecordType } from "../schemas/ids.js";
import { normalizePhone } from "./normalizePhone.js";

/**
 * The customer directory: contacts and accounts, each one row in its own partition (point reads, no hot
 * partition), plus an index row per phone number and e-mail address so a caller is found with one
 * partition query. Index rows carry the record's name so a pop can show matches without more reads.
 */
interface DirectoryTables {
  directory: TableClient;
  directoryIndex: TableClient;
}

function recordPk(tenantId: string, type: RecordType, id: string) {
  return key(tenantId, type, id);
}
function phonePk(tenantId: string, e164: string) {
  return key(tenantId, "phone", e164);
}
function emailPk(tenantId: string, email: string) {
  return key(tenantId, "email", email.toLowerCase());
}

function normalizeInput(input: DirectoryRecordInput, defaultCountry: string) {
  const parsed = DirectoryRecordInput.parse(input);
  const phones: PhoneNumber[] = parsed.phones.map((phone, index) => {
    const raw = typeof phone === "string" ? phone : phone.number;
    const label = typeof phone === "string" ? undefined : phone.label;
    const normalized = normalizePhone(raw, defaultCountry);
    if (!normalized) {
      throw new WebCtiError("invalid_request", "A phone number is not valid.", {
        errors: [{ pointer: `#/phones/${index}`, detail: `'${raw}' is not a phone number` }],
      });
    }
    return { raw, ...normalized, ...(label ? { label } : {}) };
  });
  return { ...parsed, phones };
}

function indexKeys(tenantId: string, record: Pick<DirectoryRecord, "phones" | "emails">): string[] {
  return [
    ...new Set([
      ...record.phones.map((p) => phonePk(tenantId, p.e164)),
      ...record.emails.map((e) => emailPk(tenantId, e)),
    ]),
  ];
}

export async function getRecord(
  tables: DirectoryTables,
  tenantId: string,
  type: RecordType,
  id: string,
): Promise<DirectoryRecord | undefined> {
  try {
    const row = await tables.directory.getEntity<{ record: string }>(recordPk(tenantId, type, id), "");
    return DirectoryRecord.parse(JSON.parse(row.record));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Creates or replaces a record. Index rows for the new numbers are written before the record and stale
 * ones deleted after it, so a crash in between can leave an extra index row (sending the same upsert
 * again removes it) but never a record that its own number does not find.
 */
export async function upsertRecord(
  tables: DirectoryTables,
  tenantId: string,
  type: RecordType,
  id: string,
  input: DirectoryRecordInput,
  options: { defaultCountry: string; now: Date },
): Promise<DirectoryRecord> {
  const normalized = normalizeInput(input, options.defaultCountry);
  const record: DirectoryRecord = DirectoryRecord.parse({
    type,
    id,
    name: normalized.name,
    phones: normalized.phones,
    emails: normalized.emails.map((e) => e.toLowerCase()),
    ...(normalized.accountId ? { accountId: normalized.accountId } : {}),
    ...(normalized.title ? { title: normalized.title } : {}),
    ...(normalized.notes ? { notes: normalized.notes } : {}),
    updatedAt: options.now.toISOString(),
  });
  const previous = await getRecord(tables, tenantId, type, id);
  const rowKey = key(type, id);
  const fresh = indexKeys(tenantId, record);
  await Promise.all(
    fresh.map((pk) => tables.directoryIndex.upsertEntity({ partitionKey: pk, rowKey, name: record.name }, "Replace")),
  );
  await tables.directory.upsertEntity(
    { partitionKey: recordPk(tenantId, type, id), rowKey: "", record: JSON.stringify(record) },
    "Replace",
  );
  const stale = previous ? indexKeys(tenantId, previous).filter((pk) => !fresh.includes(pk)) : [];
  await Promise.all(stale.map((pk) => deleteIfExists(tables.directoryIndex, pk, rowKey)));
  return record;
}

/**
 * Deletes a record. Its index rows go first: a crash in between leaves a record its numbers do not find,
 * and sending the delete again finishes it (the record still says which rows to remove); the other order
 * would leave index rows pointing at nothing, which no retry could find again.
 */
export async function deleteRecord(tables: DirectoryTables, tenantId: string, type: RecordType, id: string): Promise<boolean> {
  const previous = await getRecord(tables, tenantId, type, id);
  if (!previous) return false;
  const rowKey = key(type, id);
  await Promise.all(indexKeys(tenantId, previous).map((pk) => deleteIfExists(tables.directoryIndex, pk, rowKey)));
  await deleteIfExists(tables.directory, recordPk(tenantId, type, id), "");
  return true;
}

async function deleteIfExists(table: TableClient, pk: string, rk: string) {
  try {
    await table.deleteEntity(pk, rk);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

async function queryIndex(tables: DirectoryTables, pk: string): Promise<RecordMatch[]> {
  const matches: RecordMatch[] = [];
  const rows = tables.directoryIndex.listEntities<{ name: string }>({
    queryOptions: { filter: odata`PartitionKey eq ${pk}`, select: ["RowKey", "name"] },
  });
  for await (const row of rows) {
    const [type, id] = String(row.rowKey).split("|") as [RecordType, string];
    matches.push({ type, id, name: row.name });
  }
  return matches;
}

/** Contacts and accounts whose number is `e164` (extension ignored), contacts first. */
export async function findByPhone(tables: DirectoryTables, tenantId: string, e164: string): Promise<RecordMatch[]> {
  return sortMatches(await queryIndex(tables, phonePk(tenantId, e164)));
}

export async function findByEmail(tables: DirectoryTables, tenantId: string, email: string): Promise<RecordMatch[]> {
  return sortMatches(await queryIndex(tables, emailPk(tenantId, email)));
}

function sortMatches(matches: RecordMatch[]): RecordMatch[] {
  return matches.sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === "contact" ? -1 : 1));
}

/** Every record of one type, by id; a range over the type's partitions (used by list pages). */
export async function listRecords(
  tables: DirectoryTables,
  tenantId: string,
  type: RecordType,
  limit = 500,
): Promise<DirectoryRecord[]> {
  const from = key(tenantId, type, "");
  const to = key(tenantId, type, "~");
  const records: DirectoryRecord[] = [];
  const rows = tables.directory.listEntities<{ record: string }>({
    queryOptions: { filter: odata`PartitionKey ge ${from} and PartitionKey lt ${to}` },
  });
  for await (const row of rows) {
    records.push(DirectoryRecord.parse(JSON.parse(row.record)));
    if (records.length >= limit) break;
  }
  return records;
}
