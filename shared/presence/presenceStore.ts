import { deleteIfExists } from "../storage/deleteIfExists.js";
import type { TableClient } from "@azure/data-tables";
import { WebCtiError, isEntityAlreadyExists, isPreconditionFailed } from "../errors.js";
import { readEntity } from "../storage/readEntity.js";
import { key } from "../storage/tables.js";
import { Presence, PresenceSource, type PresenceStatus } from "../schemas/presence.js";

/**
 * One row per agent (PartitionKey tenant|agentId, RowKey ""), replaced on each accepted update.
 *
 * Partners send updates at least once and possibly out of order, and the agent sets their own status
 * from the desktop at the same time, so every write is conditional: read the row and its etag, decide,
 * then insert (no row yet) or replace (same etag). A writer that loses the race reads again and decides
 * again. Whatever the arrival order, the row ends with the update whose `changedAt` is the newest;
 * updates in the same millisecond are ordered by their canonical form (see `isNewer`).
 */
type PresenceTables = { presence: TableClient };

interface PresenceRow {
  status: string;
  reason?: string;
  changedAt: string;
  sourceKind: string;
  providerId?: string;
}

export interface PresenceUpdate {
  status: PresenceStatus;
  reason?: string | undefined;
  /** Any RFC 3339 time; stored in UTC with millisecond precision. */
  changedAt: string;
  source: PresenceSource;
}

export interface SetPresenceResult {
  /** The stored presence after the call: the update, or the newer state that made it stale. */
  presence: Presence;
  /** Status or reason differ from what was stored before (this is when `presence.changed` is sent). */
  changed: boolean;
  /**
   * The update is the stored state now: written by this call, or an exact resend of it. False when a
   * newer update was already stored (the caller gets that one back).
   */
  applied: boolean;
}

/** How many times a writer re-reads after losing an etag race before giving up (each loss means progress). */
const maxAttempts = 10;

/** The presence of an agent nobody set yet. */
export function defaultPresence(agentId: string): Presence {
  return { agentId, status: "offline" };
}

export async function getPresence(tables: PresenceTables, tenantId: string, agentId: string): Promise<Presence> {
  return (await readPresence(tables, tenantId, agentId))?.presence ?? defaultPresence(agentId);
}

/** Stores the update unless a newer one is stored; concurrent callers converge on the newest. */
export async function setPresence(
  tables: PresenceTables,
  tenantId: string,
  agentId: string,
  update: PresenceUpdate,
): Promise<SetPresenceResult> {
  const next = Presence.parse({
    agentId,
    status: update.status,
    ...(update.reason !== undefined ? { reason: update.reason } : {}),
    changedAt: new Date(update.changedAt).toISOString(),
    source: update.source,
  });
  const entity = { partitionKey: key(tenantId, agentId), rowKey: "", ...toRow(next) };
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const stored = await readPresence(tables, tenantId, agentId);
    if (stored && !isNewer(next, stored.presence)) {
      return { presence: stored.presence, changed: false, applied: sameState(next, stored.presence) };
    }
    const before = stored?.presence ?? defaultPresence(agentId);
    const changed = before.status !== next.status || before.reason !== next.reason;
    try {
      if (stored) await tables.presence.updateEntity(entity, "Replace", { etag: stored.etag });
      else await tables.presence.createEntity(entity);
      return { presence: next, changed, applied: true };
    } catch (error) {
      if (!isPreconditionFailed(error) && !isEntityAlreadyExists(error)) throw error;
      // Another writer got there first: read what it wrote and decide again.
    }
  }
  throw new WebCtiError("conflict", "The agent's presence is being changed by many writers at once; retry.");
}

/**
 * True when `a` should replace `b`: a newer `changedAt`, or the same millisecond and a greater canonical
 * form (status, reason, source), so every writer picks the same winner whatever order they arrive in.
 * Equal states are not newer: a resend writes nothing.
 */
export function isNewer(a: Presence, b: Presence): boolean {
  const ta = a.changedAt ? Date.parse(a.changedAt) : -Infinity;
  const tb = b.changedAt ? Date.parse(b.changedAt) : -Infinity;
  if (ta !== tb) return ta > tb;
  return canonical(a) > canonical(b);
}

function canonical(p: Presence): string {
  return JSON.stringify([p.status, p.reason ?? "", p.source?.kind ?? "", p.source?.kind === "partner" ? p.source.providerId : ""]);
}

function sameState(a: Presence, b: Presence): boolean {
  return a.changedAt === b.changedAt && canonical(a) === canonical(b);
}

/** Forgets an agent's presence (the agent is being removed). */
export async function deletePresence(tables: PresenceTables, tenantId: string, agentId: string): Promise<void> {
  await deleteIfExists(tables.presence, key(tenantId, agentId), "");
}

async function readPresence(tables: PresenceTables, tenantId: string, agentId: string) {
  return readEntity<{ presence: Presence; etag: string }, PresenceRow>(tables.presence, key(tenantId, agentId), "", (row) => ({
    presence: fromRow(agentId, row),
    etag: row.etag,
  }));
}

function toRow(p: Presence): PresenceRow {
  return {
    status: p.status,
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
    changedAt: p.changedAt!,
    sourceKind: p.source!.kind,
    ...(p.source?.kind === "partner" ? { providerId: p.source.providerId } : {}),
  };
}

function fromRow(agentId: string, row: PresenceRow): Presence {
  return Presence.parse({
    agentId,
    status: row.status,
    ...(row.reason ? { reason: row.reason } : {}),
    changedAt: row.changedAt,
    source: row.sourceKind === "partner" ? { kind: "partner", providerId: row.providerId } : { kind: row.sourceKind },
  });
}
