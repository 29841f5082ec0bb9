import type { Services } from "../services.js";
import { isPreconditionFailed } from "../errors.js";
import { disableGoneEndpoint, type StoredEndpoint } from "./endpointStore.js";
import { signatureHeaders } from "./signing.js";
import { outboundFailureText, postOutbound } from "./outbound.js";
import { DeliveryAttempt, type FailureReason } from "./schemas.js";
import { readDeliveryRow, type ClaimedRow, type DeliveryRow } from "./deliveryRow.js";
import { scheduleAttempt, unscheduleAttempt } from "./deliverySchedule.js";

/**
 * `config` decides whether private addresses may be reached (WEBCTI_WEBHOOKS_ALLOW_HTTP, local development);
 * the callers pass the app's services object, which has it; without it they may not.
 */
type AttemptServices = Pick<Services, "tables" | "now"> & Partial<Pick<Services, "config">>;

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

/** One POST to the endpoint; a failure is reported by its class only (shared/webhooks/outbound.ts). */
async function send(url: string, headers: Record<string, string>, body: string, allowPrivate: boolean): Promise<SendResult> {
  const answer = await postOutbound(url, {
    headers: { "content-type": "application/json", "user-agent": "WebCTI-Webhooks/1", ...headers },
    body,
    timeoutMs: attemptTimeoutMs,
    allowPrivate,
  });
  if (answer.ok) return { status: answer.status, error: null };
  return { status: null, error: answer.failure === "timeout" ? `no answer within ${attemptTimeoutMs} ms` : outboundFailureText[answer.failure] };
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
  const result = await send(url, signatureHeaders(endpoint.secrets, row.deliveryId, started, body), body, services.config?.WEBCTI_WEBHOOKS_ALLOW_HTTP === true);
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
