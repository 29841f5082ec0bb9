import { odata, type TableClient } from "@azure/data-tables";
import { WebCtiError, isEntityAlreadyExists, isNotFound, isPreconditionFailed } from "../errors.js";
import { readEntity } from "../storage/readEntity.js";
import { parseRow } from "../storage/parseRow.js";
import { deleteIfExists } from "../storage/deleteIfExists.js";
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
  return (await readRecordRow(tables, tenantId, type, id))?.record;
}

async function readRecordRow(
  tables: DirectoryTables,
  tenantId: string,
  type: RecordType,
  id: string,
): Promise<{ record: DirectoryRecord; etag: string } | undefined> {
  return readEntity<{ record: DirectoryRecord; etag: string }, { record: string }>(tables.directory, recordPk(tenantId, type, id), "", (row) => ({
    record: DirectoryRecord.parse(JSON.parse(row.record)),
    etag: row.etag,
  }));
}

/** Checks and normalizes a record's input without writing anything (a batch checks every operation first). */
export function prepareRecord(
  type: RecordType,
  id: string,
  input: DirectoryRecordInput,
  options: { defaultCountry: string; now: Date },
): DirectoryRecord {
  const normalized = normalizeInput(input, options.defaultCountry);
  return DirectoryRecord.parse({
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
}

/** Concurrent writers of one record retry this often before giving up with `conflict`. */
const maxAttempts = 8;

/**
 * Creates or replaces a record; see {@link writeRecord} for how its index rows follow it.
 */
export async function upsertRecord(
  tables: DirectoryTables,
  tenantId: string,
  type: RecordType,
  id: string,
  input: DirectoryRecordInput,
  options: { defaultCountry: string; now: Date },
): Promise<DirectoryRecord> {
  return (await writeRecord(tables, tenantId, prepareRecord(type, id, input, options))).record;
}

/**
 * Writes a prepared record and makes the index agree with it. Index rows follow the record:
 *
 * 1. The record row is replaced only if it is still the version just read (ETag), so of two writers of
 *    one record the second re-reads the first's version and cleans up after it, whatever the timing.
 * 2. Then the new numbers' index rows are written, then every row the old or new version had is
 *    reconciled with the record as it is now ({@link reconcileIndex}).
 *
 * A crash between 1 and 2 leaves a record that its new number does not find yet; sending the same
 * write again finishes it (an upsert always rewrites and reconciles its rows).
 */
export async function writeRecord(
  tables: DirectoryTables,
  tenantId: string,
  record: DirectoryRecord,
): Promise<{ record: DirectoryRecord; created: boolean }> {
  const { type, id } = record;
  const entity = { partitionKey: recordPk(tenantId, type, id), rowKey: "", record: JSON.stringify(record) };
  for (let attempt = 1; ; attempt += 1) {
    const previous = await readRecordRow(tables, tenantId, type, id);
    try {
      if (previous) await tables.directory.updateEntity(entity, "Replace", { etag: previous.etag });
      else await tables.directory.createEntity(entity);
    } catch (error) {
      if (!lostRace(error) || attempt >= maxAttempts) throw busy(error, type, id);
      continue;
    }
    const rowKey = key(type, id);
    const fresh = indexKeys(tenantId, record);
    await Promise.all(
      fresh.map((pk) => tables.directoryIndex.upsertEntity({ partitionKey: pk, rowKey, name: record.name }, "Replace")),
    );
    await reconcileIndex(tables, tenantId, type, id, [...(previous ? indexKeys(tenantId, previous.record) : []), ...fresh]);
    return { record, created: !previous };
  }
}

/**
 * Deletes a record: the index rows of the version read, then that version (if it is still the current
 * one; if another writer changed it meanwhile, again with the new version). A crash in between leaves a
 * record its numbers do not find, and sending the delete again finishes it; the other order would leave
 * index rows pointing at nothing, which no retry could find again. A writer that loses to the delete
 * removes the rows it wrote itself (its reconciliation finds no record).
 */
export async function deleteRecord(tables: DirectoryTables, tenantId: string, type: RecordType, id: string): Promise<boolean> {
  const rowKey = key(type, id);
  for (let attempt = 1; ; attempt += 1) {
    const previous = await readRecordRow(tables, tenantId, type, id);
    if (!previous) return false;
    await Promise.all(indexKeys(tenantId, previous.record).map((pk) => deleteIfExists(tables.directoryIndex, pk, rowKey)));
    try {
      await tables.directory.deleteEntity(recordPk(tenantId, type, id), "", { etag: previous.etag });
      return true;
    } catch (error) {
      if (!lostRace(error) || attempt >= maxAttempts) throw busy(error, type, id);
    }
  }
}

/**
 * Makes the index rows under `keys` that point at one record agree with the record as it is now:
 * rows of numbers it no longer has are deleted, rows whose name is stale are rewritten. Every change is
 * conditional on the row's ETag, read before the record: a writer writes its rows after its record, so
 * a row written for a newer version either changed the ETag (the change here fails, harmlessly) or was
 * written before the record was read here (and the record read shows that version).
 */
async function reconcileIndex(tables: DirectoryTables, tenantId: string, type: RecordType, id: string, keys: string[]) {
  const rowKey = key(type, id);
  const rows = (
    await Promise.all(
      [...new Set(keys)].map(async (pk) => {
        return readEntity<{ pk: string; name: string; etag: string }, { name: string }>(tables.directoryIndex, pk, rowKey, (row) => ({
          pk,
          name: row.name,
          etag: row.etag,
        }));
      }),
    )
  ).filter((row) => row !== undefined);
  if (rows.length === 0) return;
  const current = await getRecord(tables, tenantId, type, id);
  const wanted = new Set(current ? indexKeys(tenantId, current) : []);
  await Promise.all(
    rows.map(async (row) => {
      try {
        if (!wanted.has(row.pk)) {
          await tables.directoryIndex.deleteEntity(row.pk, rowKey, { etag: row.etag });
        } else if (current && row.name !== current.name) {
          await tables.directoryIndex.updateEntity(
            { partitionKey: row.pk, rowKey, name: current.name },
            "Replace",
            { etag: row.etag },
          );
        }
      } catch (error) {
        if (!lostRace(error)) throw error;
      }
    }),
  );
}

/** Another writer changed, created or deleted the row since it was read. */
function lostRace(error: unknown): boolean {
  return isPreconditionFailed(error) || isEntityAlreadyExists(error) || isNotFound(error);
}

function busy(error: unknown, type: RecordType, id: string): unknown {
  return lostRace(error)
    ? new WebCtiError("conflict", `The ${type} '${id}' is being changed by other requests at the same time; retry.`, { cause: error })
    : error;
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
    records.push(parseRow(tables.directory, row, () => DirectoryRecord.parse(JSON.parse(row.record))));
    if (records.length >= limit) break;
  }
  return records;
}
