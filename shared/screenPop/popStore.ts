import { odata, type TableClient, type TableEntityResult } from "@azure/data-tables";
import { WebCtiError, isEntityAlreadyExists, isPreconditionFailed } from "../errors.js";
import { readEntity } from "../storage/readEntity.js";
import { parseRow } from "../storage/parseRow.js";
import { key } from "../storage/tables.js";
import { ScreenPop, type PopStatus } from "../schemas/screenPop.js";
import { popIdPattern } from "../schemas/patterns.js";
import { linkToTraceparent } from "../telemetry/tracing.js";
import { maxPopTtlSeconds } from "../schemas/screenPopPolicy.js";
import { pendingPopsPerPage } from "../schemas/patterns.js";

/**
 * Screen pops live in one partition per agent (a few pops a minute at most: never hot), ordered by
 * `seq`. The pop id names the agent and the seq, so reading a pop is one point read.
 */
type PopTables = { screenPops: TableClient };

let lastMs = 0;
let counter = 0;

/**
 * A 20-digit decimal that sorts as text: 14 digits of epoch milliseconds, 3 of a per-process counter
 * (strictly increasing within the process), 3 random (so two instances writing in the same millisecond
 * rarely collide; a collision is an insert conflict and a new seq is drawn).
 */
export function nextSeq(now: Date): string {
  const ms = Math.max(now.getTime(), lastMs);
  if (ms === lastMs) counter += 1;
  else counter = 0;
  lastMs = ms;
  if (counter > 999) {
    lastMs += 1;
    counter = 0;
  }
  const random = Math.floor(Math.random() * 1000);
  return `${String(lastMs).padStart(14, "0")}${String(counter).padStart(3, "0")}${String(random).padStart(3, "0")}`;
}

export function popIdFor(seq: string, agentId: string): string {
  return `${seq}.${agentId}`;
}

export function parsePopId(popId: string): { seq: string; agentId: string } {
  const match = popIdPattern.exec(popId);
  if (!match) {
    throw new WebCtiError("not_found", `Screen pop '${popId}' does not exist.`);
  }
  return { seq: match[1] as string, agentId: match[2] as string };
}

type StoredPop = Omit<ScreenPop, "status" | "deliveredAt">;

interface PopRow {
  pop: string;
  status: PopStatus;
  expiresAt: string;
  deliveredAt?: string;
  /** The trace of the event that made the pop (telemetry only; never returned by the API). */
  traceparent?: string;
}

function fromRow(row: PopRow, now: Date): ScreenPop {
  const stored = JSON.parse(row.pop) as StoredPop;
  const status: PopStatus = row.status === "queued" && row.expiresAt <= now.toISOString() ? "expired" : row.status;
  return ScreenPop.parse({ ...stored, status, ...(row.deliveredAt ? { deliveredAt: row.deliveredAt } : {}) });
}

/**
 * Stores a new pop; returns false when a pop with this id already exists (a retried event). `traceparent`
 * (when traced) lets the ack link to the event's trace even when the browser did not send it back.
 */
export async function insertPop(tables: PopTables, tenantId: string, pop: StoredPop, traceparent?: string): Promise<boolean> {
  try {
    await tables.screenPops.createEntity({
      partitionKey: key(tenantId, pop.agentId),
      rowKey: pop.seq,
      pop: JSON.stringify(pop),
      status: "queued",
      expiresAt: pop.expiresAt,
      ...(traceparent ? { traceparent } : {}),
    });
    return true;
  } catch (error) {
    if (isEntityAlreadyExists(error)) return false;
    throw error;
  }
}

export async function findPop(tables: PopTables, tenantId: string, popId: string, now: Date) {
  const { seq, agentId } = parsePopId(popId);
  return readEntity(tables.screenPops, key(tenantId, agentId), seq, (row: TableEntityResult<PopRow>) => ({
    pop: fromRow(row, now),
    etag: row.etag,
    traceparent: row.traceparent,
  }));
}

/** A provider's pop: another provider of the tenant gets `not_found`, as for a pop that does not exist. */
export async function getPop(tables: PopTables, caller: { tenantId: string; providerId: string }, popId: string, now: Date): Promise<ScreenPop> {
  const found = await findPop(tables, caller.tenantId, popId, now);
  if (!found || found.pop.providerId !== caller.providerId) throw new WebCtiError("not_found", `Screen pop '${popId}' does not exist.`);
  return found.pop;
}

/** The agent's pops after `since` that are still waiting for the browser, oldest first. */
export async function listPendingPops(
  tables: PopTables,
  tenantId: string,
  agentId: string,
  since: string,
  now: Date,
  limit = pendingPopsPerPage,
): Promise<ScreenPop[]> {
  const pops: ScreenPop[] = [];
  // A pop still pending was created at most the longest TTL ago (seqs start with their creation time), so
  // the scan of the agent's partition starts there, whatever `since` says (instances' clocks: a margin).
  const oldestPending = `${String(now.getTime() - (maxPopTtlSeconds + 300) * 1000).padStart(14, "0")}000000`;
  const from = since > oldestPending ? since : oldestPending;
  const rows = tables.screenPops.listEntities<PopRow>({
    queryOptions: {
      filter: odata`PartitionKey eq ${key(tenantId, agentId)} and RowKey gt ${from} and status eq 'queued' and expiresAt gt ${now.toISOString()}`,
    },
  });
  for await (const row of rows) {
    pops.push(parseRow(tables.screenPops, row, () => fromRow(row, now)));
    if (pops.length >= limit) break;
  }
  return pops;
}

/**
 * Marks a pop delivered. Idempotent: acknowledging it again returns it unchanged. A pop that expired
 * before the browser acknowledged it stays expired (409), so the partner's view never flips back.
 */
export async function acknowledgePop(
  tables: PopTables,
  tenantId: string,
  agentId: string,
  popId: string,
  now: Date,
): Promise<ScreenPop> {
  const { agentId: owner } = parsePopId(popId);
  if (owner !== agentId) throw new WebCtiError("not_found", `Screen pop '${popId}' does not exist.`);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const found = await findPop(tables, tenantId, popId, now);
    if (!found) throw new WebCtiError("not_found", `Screen pop '${popId}' does not exist.`);
    const { pop, etag } = found;
    if (attempt === 0) linkToTraceparent(found.traceparent);
    if (pop.status === "delivered") return pop;
    if (pop.status === "expired") throw new WebCtiError("conflict", `Screen pop '${popId}' expired before it was delivered.`);
    const deliveredAt = now.toISOString();
    try {
      await tables.screenPops.updateEntity(
        { partitionKey: key(tenantId, agentId), rowKey: pop.seq, status: "delivered", deliveredAt },
        "Merge",
        { etag },
      );
      return { ...pop, status: "delivered", deliveredAt };
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
    }
  }
  throw new WebCtiError("conflict", `Screen pop '${popId}' is being updated concurrently; retry.`);
}
