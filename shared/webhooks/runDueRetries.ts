import type { Services } from "../services.js";
import { inParallel } from "../inParallel.js";
import { takeLease } from "../storage/takeLease.js";
import { findEndpoint } from "./endpointStore.js";
import type { FailureReason } from "./schemas.js";
import { claimMs, readDeliveryRow } from "./deliveryRow.js";
import { deferAttempt, readDueAttempts, unscheduleRead, type ScheduledAttempt } from "./deliverySchedule.js";
import { describeError } from "../errors.js";
import { attemptDelivery, settleDelivery } from "./attemptDelivery.js";

type DeliveryServices = Pick<Services, "tables" | "now">;

export interface RetryRun {
  /** Schedule rows that were due. */
  due: number;
  attempted: number;
  delivered: number;
  failed: number;
  /** Rows whose work failed (reading or writing the delivery): each waits and is tried again later. */
  errors: number;
  /** Of those, the ones parked after 8 tries. */
  parked: number;
}

/**
 * The timer's work: every delivery whose next attempt is due gets it. A delivery is claimed with an
 * etag-conditional write before it is sent, so two runs (or a run and the first attempt) never send it
 * at the same time; a claim that is lost is skipped. At most `limitPerShard` rows of each shard per run.
 */
export async function runDueRetries(services: DeliveryServices, options: { limitPerShard?: number; concurrency?: number } = {}): Promise<RetryRun> {
  const due = await readDueAttempts(services, services.now(), options.limitPerShard ?? 25);
  const run: RetryRun = { due: due.length, attempted: 0, delivered: 0, failed: 0, errors: 0, parked: 0 };
  await inParallel(due, options.concurrency ?? 8, async (scheduled) => {
    let outcome: Awaited<ReturnType<typeof retryOne>>;
    try {
      outcome = await retryOne(services, scheduled);
    } catch (error) {
      // One row's failure holds up no other: it waits, then is tried again (deliverySchedule.ts, deferAttempt).
      run.errors++;
      if ((await deferAttempt(services, scheduled, describeError(error), services.now())) === "parked") run.parked++;
      return;
    }
    // A row moved later by an earlier failure: the attempt wrote the delivery's next row, this one is done.
    if (scheduled.errors) await unscheduleRead(services, scheduled);
    if (!outcome) return;
    run.attempted += outcome.attempted ? 1 : 0;
    if (outcome.status === "delivered") run.delivered++;
    if (outcome.status === "failed") run.failed++;
  });
  return run;
}

async function retryOne(services: DeliveryServices, scheduled: ScheduledAttempt): Promise<{ attempted: boolean; status: string } | undefined> {
  const row = await readDeliveryRow(services, scheduled.deliveryPartitionKey, scheduled.deliveryRowKey);
  // No delivery (its write failed after the schedule row's), or the delivery moved on: the row is stale.
  if (!row || row.status !== "pending" || row.nextAttemptAt !== scheduled.dueAt) {
    await unscheduleRead(services, scheduled);
    return undefined;
  }
  // Held while being sent right now; lost when another run claimed it first.
  const claim = await takeLease(services.tables.webhookDeliveries, { ...row, partitionKey: row.partitionKey!, rowKey: row.rowKey! }, {
    field: "claimedUntil",
    leaseMs: claimMs,
    now: services.now,
  });
  if (!claim) return undefined;
  const claimed = { ...row, partitionKey: row.partitionKey!, rowKey: row.rowKey!, etag: claim.etag };
  const endpoint = await findEndpoint(services, row.tenantId, row.providerId);
  if (!endpoint || !endpoint.endpoint.enabled) {
    const failureReason: FailureReason = !endpoint ? "endpoint_deleted" : endpoint.endpoint.disabledReason === "gone" ? "endpoint_gone" : "endpoint_disabled";
    const settled = await settleDelivery(services, claimed, {
      status: "failed",
      failureReason,
      nextAttemptAt: "",
      attemptCount: row.attemptCount,
      attempts: row.attempts,
    });
    return { attempted: false, status: settled.status };
  }
  const settled = await attemptDelivery(services, claimed, endpoint);
  return { attempted: true, status: settled.status };
}
