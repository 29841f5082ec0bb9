import type { Services } from "../services.js";
import { isPreconditionFailed } from "../errors.js";
import { disableGoneEndpoint, type StoredEndpoint } from "./endpointStore.js";
import { signatureHeaders } from "./signing.js";
import { DeliveryAttempt, type FailureReason } from "./schemas.js";
import { readDeliveryRow, type ClaimedRow, type DeliveryRow } from "./deliveryRow.js";
import { scheduleAttempt, unscheduleAttempt } from "./deliverySchedule.js";

type AttemptServices = Pick<Services, "tables" | "now">;

/**
 * When to retry after a failed attempt (Standard Webhooks' recommended schedule): 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h, 10 h after the first, second, … attempt. The eighth failed attempt fails the delivery.
 */
export const retryDelaysMs = [5e3, 5 * 60e3, 30 * 60e3, 2 * 3600e3, 5 * 3600e3, 10 * 3600e3, 10 * 3600e3] as const;
export const maxAttempts = retryDelaysMs.length + 1;
/** One attempt waits this long for the endpoint's answer. */
export const attemptTimeoutMs = 5_000;

interface SendResult {
  status: number | null;
  error: string | null;
}

async function send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "WebCTI-Webhooks/1", ...headers },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(attemptTimeoutMs),
    });
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status, error: null };
  } catch (thrown) {
    const error = thrown as Error & { cause?: { code?: string; message?: string } };
    if (error.name === "TimeoutError" || error.name === "AbortError") return { status: null, error: `no answer within ${attemptTimeoutMs} ms` };
    return { status: null, error: (error.cause?.code ?? error.cause?.message ?? error.message).slice(0, 200) };
  }
}

/**
 * One attempt of a delivery this process has claimed (the row's etag is the claim): send, log the
 * attempt, then record the outcome with the same etag and move the schedule row.
 */
export async function attemptDelivery(services: AttemptServices, row: ClaimedRow, endpoint: StoredEndpoint): Promise<DeliveryRow> {
  const started = services.now();
  const clock = performance.now();
  const body = row.payload;
  const { url } = endpoint.endpoint;
  const result = await send(url, signatureHeaders(endpoint.secrets, row.deliveryId, started, body), body);
  const attemptNumber = row.attemptCount + 1;
  const attempt: DeliveryAttempt = DeliveryAttempt.parse({
    attempt: attemptNumber,
    at: started.toISOString(),
    url,
    durationMs: Math.round(performance.now() - clock),
    status: result.status,
    error: result.error,
  });
  const finished = services.now();
  let status: "pending" | "delivered" | "failed" = "pending";
  let failureReason: FailureReason | "" = "";
  let nextAttemptAt = "";
  if (result.status !== null && result.status >= 200 && result.status < 300) status = "delivered";
  else if (result.status === 410) {
    status = "failed";
    failureReason = "endpoint_gone";
    await disableGoneEndpoint(services, row.tenantId, row.providerId);
  } else if (attemptNumber >= maxAttempts) {
    status = "failed";
    failureReason = "retries_exhausted";
  } else {
    nextAttemptAt = new Date(finished.getTime() + retryDelaysMs[attemptNumber - 1]!).toISOString();
  }
  const attempts = JSON.stringify([...(JSON.parse(row.attempts) as unknown[]), attempt]);
  return settleDelivery(services, row, { status, failureReason, nextAttemptAt, attemptCount: attemptNumber, attempts });
}

/** Writes the outcome (with the claim's etag) and moves the schedule: new row first, then the old one goes. */
export async function settleDelivery(
  services: AttemptServices,
  row: ClaimedRow,
  outcome: Pick<DeliveryRow, "status" | "failureReason" | "nextAttemptAt" | "attemptCount" | "attempts">,
): Promise<DeliveryRow> {
  if (outcome.nextAttemptAt) {
    await scheduleAttempt(services, {
      deliveryId: row.deliveryId,
      dueAt: outcome.nextAttemptAt,
      deliveryPartitionKey: row.partitionKey,
      deliveryRowKey: row.rowKey,
    });
  }
  const updated: DeliveryRow = { ...row, ...outcome, claimedUntil: "" };
  try {
    await services.tables.webhookDeliveries.updateEntity(
      { partitionKey: row.partitionKey, rowKey: row.rowKey, ...outcome, claimedUntil: "" },
      "Merge",
      { etag: row.etag },
    );
  } catch (error) {
    // Our claim ran out and another sender took the delivery over: its outcome stands.
    if (isPreconditionFailed(error)) return readDeliveryRow(services, row.partitionKey, row.rowKey).then((r) => r ?? updated);
    throw error;
  }
  if (row.nextAttemptAt && row.nextAttemptAt !== outcome.nextAttemptAt) await unscheduleAttempt(services, row.deliveryId, row.nextAttemptAt);
  return updated;
}
