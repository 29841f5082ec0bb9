import { odata } from "@azure/data-tables";
import { isNotFound, isPreconditionFailed } from "../errors.js";
import type { Services } from "../services.js";
import type { KpiSettings } from "../schemas/analytics.js";
import { pushToSupervisors } from "../realtime/agentPush.js";
import { getKpiSettings } from "./kpiSettingsStore.js";
import { projectConversation } from "./projectConversation.js";
import { aggregateQuarters } from "./recomputeAggregates.js";
import { intervalMark, isHeld, mark, pointerRowKey } from "./kpiStore.js";
import { inParallel } from "../inParallel.js";
import { afterPrefix, key } from "../storage/tables.js";
import { readShards } from "../storage/readShards.js";
import { readEntity } from "../storage/readEntity.js";
import { takeLease, type Lease } from "../storage/takeLease.js";
import { isBackingOff, recordFailure, type FailureFields } from "./projectionFailures.js";

/** Without `push` (the operator's rebuild command), supervisors are not told; their dashboards refresh on the next change. */
type ProjectionServices = Pick<Services, "tables" | "now"> & Partial<Pick<Services, "push">>;

export interface ProjectionLimits {
  /** At most this many markers of each kind per shard and run (the rest waits for the next run). */
  perShard?: number;
  /** How many conversations or intervals are worked on at once. */
  concurrency?: number;
  /** Pages of a rebuild scan per run (1000 rows each). */
  rebuildPages?: number;
}

export interface ProjectionRun {
  conversations: number;
  quarters: number;
  factsRowsRead: number;
  rebuildsMarked: number;
  /** Items whose work failed in this run: each is tried again after a backoff (projectionFailures.ts). */
  failed: number;
  /** Of those, the ones that failed too often and were parked for an operator. */
  parked: number;
  /** True when markers were left for the next run. */
  more: boolean;
  /** True when another run held the lease: this one did nothing. */
  busy: boolean;
  /** When busy: until when the other run holds the lease (it renews it while it runs). */
  heldUntil?: string;
}

interface Marker {
  partitionKey: string;
  rowKey: string;
  etag: string;
  token?: string;
  scope?: string;
  force?: boolean;
  attempts?: number;
}

/**
 * One run of the KPI projection (the `runKpiProjection` timer; docs/kpis.md "How figures are kept"):
 * 1. rebuild markers: a page of the tenant's conversations is marked for projection;
 * 2. conversation markers: each conversation is projected (its facts rows rewritten), and the quarter-hours
 *    it changed are marked;
 * 3. quarter markers: each quarter-hour's aggregates are recomputed from its facts rows (then its hour and
 *    day), and the tenant's supervisors are told which intervals changed.
 * A marker is deleted only if it was not marked again meanwhile (etag); if another run deleted it first,
 * ours re-marks it, so whatever was written last is recomputed once more from what is stored.
 */
export async function runKpiProjection(services: ProjectionServices, limits: ProjectionLimits = {}): Promise<ProjectionRun> {
  const { lease, heldUntil } = await takeProjectionLease(services);
  if (!lease) return { ...emptyRun(), more: true, busy: true, ...(heldUntil ? { heldUntil } : {}) };
  const stopRenewing = lease.keepRenewed(projectionLeaseMs / 3);
  let finished = false;
  try {
    const run = await projectOnce(services, limits, lease);
    finished = true;
    return run;
  } finally {
    stopRenewing();
    // The last finished run's time is the projection's lag as the health endpoint reports it.
    await lease.release(finished ? { lastRunAt: services.now().toISOString() } : {});
  }
}

async function projectOnce(services: ProjectionServices, limits: ProjectionLimits, lease: Lease): Promise<ProjectionRun> {
  const perShard = limits.perShard ?? 200;
  const concurrency = limits.concurrency ?? 8;
  const run = emptyRun();
  const settings = new Map<string, Promise<KpiSettings>>();
  const settingsOf = (tenantId: string) => {
    if (!settings.has(tenantId)) settings.set(tenantId, getKpiSettings(services.tables, tenantId));
    return settings.get(tenantId)!;
  };

  // Each item on its own: one that fails waits for a later run (backoff, then parked); the others go on.
  const isolated = (work: (marker: Marker) => Promise<void>) => async (marker: Marker) => {
    try {
      await work(marker);
    } catch (error) {
      run.failed += 1;
      if ((await recordFailure(services.tables.kpiDirty, marker, error, services.now())) === "parked") run.parked += 1;
    }
  };

  const rebuilds = await readMarkers(services, "r|", perShard);
  for (const marker of rebuilds.markers) await isolated(async () => void (run.rebuildsMarked += await continueRebuild(services, marker, limits.rebuildPages ?? 5)))(marker);

  await lease.renew();
  const conversations = await readMarkers(services, "c|", perShard);
  await inParallel(conversations.markers, concurrency, isolated(async (marker) => {
    const [, tenantId, providerId, ...rest] = marker.rowKey.split("|");
    const settings = await settingsOf(tenantId!);
    const projected = await projectConversation(services.tables, settings, tenantId!, providerId!, rest.join("|"), services.now(), marker.force === true);
    if (projected.quarters.length > 0) await mark(services.tables, projected.quarters.map((q) => intervalMark(tenantId!, providerId!, q)));
    await settle(services, marker);
    run.conversations += 1;
  }));

  await lease.renew();
  const quarters = await readMarkers(services, "i|", perShard);
  const keys = await aggregateEach(services, quarters.markers, concurrency, run, isolated);
  const changed = new Map<string, Map<string, Set<string>>>(); // tenant → provider → quarters
  for (const { tenantId, providerId, quarterStart } of keys) {
    const byProvider = changed.get(tenantId) ?? new Map<string, Set<string>>();
    changed.set(tenantId, byProvider.set(providerId, (byProvider.get(providerId) ?? new Set()).add(quarterStart)));
  }
  // Live dashboards: best effort (a supervisor who misses it sees the figures on the next change or refresh).
  const push = services.push;
  await Promise.all(
    [...changed].flatMap(([tenantId, byProvider]) =>
      [...byProvider].map(([providerId, starts]) =>
        push && pushToSupervisors(push, tenantId, { v: 1, kind: "kpis", providerId, intervalStarts: [...starts].sort() }).catch(() => undefined),
      ),
    ),
  );
  run.more = rebuilds.more || conversations.more || quarters.more;
  return run;
}

/** Runs the projection until no marker is left (the rebuild command, tests); returns the summed runs. */
export async function drainKpiProjection(services: ProjectionServices, limits: ProjectionLimits = {}): Promise<ProjectionRun> {
  const total = emptyRun();
  for (;;) {
    const run = await runKpiProjection(services, limits);
    if (run.busy) {
      await new Promise((resolve) => setTimeout(resolve, 200)); // the timer's run: wait for it, then go on
      continue;
    }
    total.conversations += run.conversations;
    total.quarters += run.quarters;
    total.factsRowsRead += run.factsRowsRead;
    total.rebuildsMarked += run.rebuildsMarked;
    total.failed += run.failed;
    total.parked += run.parked;
    // Items backing off are left to the timer: a drain does not wait minutes for their next try.
    if (run.failed > 0 && run.conversations === 0 && run.quarters === 0 && run.rebuildsMarked === 0) return total;
    if (!run.more && run.conversations === 0 && run.quarters === 0 && run.rebuildsMarked === 0) return total;
  }
}

function emptyRun(): ProjectionRun {
  return { conversations: 0, quarters: 0, factsRowsRead: 0, rebuildsMarked: 0, failed: 0, parked: 0, more: false, busy: false };
}

type QuarterKey = { tenantId: string; providerId: string; quarterStart: string };

/**
 * Recomputes the marked quarter-hours together (their hours and days once); when that fails, each on its
 * own, so only the failing ones wait. The markers go last, so a crash half-way redoes all of it. Answers
 * the quarter-hours recomputed.
 */
async function aggregateEach(
  services: ProjectionServices,
  markers: Marker[],
  concurrency: number,
  run: ProjectionRun,
  isolated: (work: (marker: Marker) => Promise<void>) => (marker: Marker) => Promise<void>,
): Promise<QuarterKey[]> {
  const keyOf = (marker: Marker): QuarterKey => {
    const [, tenantId, providerId, quarterStart] = marker.rowKey.split("|") as [string, string, string, string];
    return { tenantId, providerId, quarterStart };
  };
  try {
    run.factsRowsRead += await aggregateQuarters(services.tables, markers.map(keyOf), { concurrency });
    run.quarters += markers.length;
    await inParallel(markers, concurrency, (marker) => settle(services, marker));
    return markers.map(keyOf);
  } catch {
    const done: QuarterKey[] = [];
    await inParallel(markers, concurrency, isolated(async (marker) => {
      run.factsRowsRead += await aggregateQuarters(services.tables, [keyOf(marker)], { concurrency: 1 });
      run.quarters += 1;
      await settle(services, marker);
      done.push(keyOf(marker));
    }));
    return done;
  }
}

async function continueRebuild(services: ProjectionServices, marker: Marker, pages: number): Promise<number> {
  const tenantId = marker.rowKey.slice(2);
  const rowFilter = marker.scope === "all" ? odata` and RowKey ge 'event|' and RowKey lt 'event}'` : odata` and RowKey eq ${pointerRowKey}`;
  const iterator = services.tables.conversations
    .listEntities({ queryOptions: { filter: odata`PartitionKey ge ${key(tenantId, "")} and PartitionKey lt ${afterPrefix(key(tenantId, ""))}` + rowFilter, select: ["PartitionKey"] } })
    .byPage({ maxPageSize: 1000, ...(marker.token ? { continuationToken: marker.token } : {}) });
  let markedCount = 0;
  let token: string | undefined;
  for (let page = 0; page < pages; page += 1) {
    const next = await iterator.next();
    if (next.done) {
      token = undefined;
      break;
    }
    const ids = new Set(next.value.map((row) => key("c", row.partitionKey!)));
    // A rebuild from the events rewrites every row even where the pointer says nothing changed (rows lost).
    await mark(services.tables, ids, marker.scope === "all" ? { force: true } : {});
    markedCount += ids.size;
    token = next.value.continuationToken;
    if (!token) break;
  }
  if (token) {
    await services.tables.kpiDirty.updateEntity({ partitionKey: marker.partitionKey, rowKey: marker.rowKey, scope: marker.scope, token }, "Replace", {
      etag: marker.etag,
    }).catch((error: unknown) => {
      if (!isPreconditionFailed(error) && !isNotFound(error)) throw error;
    });
  } else {
    await settle(services, marker);
  }
  return markedCount;
}

async function readMarkers(services: ProjectionServices, prefix: string, perShard: number): Promise<{ markers: Marker[]; more: boolean }> {
  const { rows, more } = await readShards<{ token?: string; scope?: string; force?: boolean; heldUntil?: string } & FailureFields>(
    services.tables.kpiDirty,
    (shard) => odata`PartitionKey eq ${shard} and RowKey ge ${prefix} and RowKey lt ${afterPrefix(prefix)}`,
    perShard,
  );
  // A conversation held by a request still storing its events waits (kpiStore.ts, holdConversations).
  const now = services.now();
  const markers = rows.filter((row) => !isHeld(row, now) && !isBackingOff(row, now)).map((row) => ({
    partitionKey: row.partitionKey!,
    rowKey: row.rowKey!,
    etag: row.etag,
    ...(row.token ? { token: row.token } : {}),
    ...(row.scope ? { scope: row.scope } : {}),
    ...(row.force ? { force: true } : {}),
    ...(typeof row.attempts === "number" ? { attempts: row.attempts } : {}),
  }));
  return { markers, more };
}

/**
 * Deletes a marker that was not marked again since it was read. Marked again (412): it stays for the next
 * run. Already gone (404): another run did the same work at the same time and may have written before us
 * from older data, so mark it again: the next run recomputes from what is stored now.
 */
async function settle(services: ProjectionServices, marker: Marker): Promise<void> {
  try {
    await services.tables.kpiDirty.deleteEntity(marker.partitionKey, marker.rowKey, { etag: marker.etag });
  } catch (error) {
    if (isPreconditionFailed(error)) return;
    if (!isNotFound(error)) throw error;
    await services.tables.kpiDirty.upsertEntity({ partitionKey: marker.partitionKey, rowKey: marker.rowKey }, "Replace");
  }
}

/** One run at a time: a lease row beside the markers (its partition is not a shard's). */
export const projectionLeaseKey = { partitionKey: "lease", rowKey: "projection" };
/**
 * Short, and renewed every third of it while a run goes on: a run that dies (or whose storage went away, so
 * it could not release the lease) holds the others off for at most this long (issue 16, item 11).
 */
export const projectionLeaseMs = 15_000;

export async function takeProjectionLease(services: ProjectionServices): Promise<{ lease?: Lease; heldUntil?: string }> {
  const table = services.tables.kpiDirty;
  const row = await readEntity(table, projectionLeaseKey.partitionKey, projectionLeaseKey.rowKey, (r) => r);
  const lease = await takeLease(table, { ...projectionLeaseKey, ...row }, { field: "until", leaseMs: projectionLeaseMs, now: services.now });
  if (lease) return { lease };
  const until = row?.["until"];
  return typeof until === "string" && until ? { heldUntil: until } : {};
}

/** The projection's last finished run (the lease row's `lastRunAt`), read by the health endpoint. */
export async function lastProjectionRun(tables: Pick<Services["tables"], "kpiDirty">): Promise<string | undefined> {
  const row = await readEntity(tables.kpiDirty, projectionLeaseKey.partitionKey, projectionLeaseKey.rowKey, (r) => r);
  const at = row?.["lastRunAt"];
  return typeof at === "string" ? at : undefined;
}
