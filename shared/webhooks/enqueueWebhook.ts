import type { Services } from "../services.js";
import { key } from "../storage/tables.js";
import { findEndpoint, listSubscribedEndpoints, type StoredEndpoint } from "./endpointStore.js";
import { webhookDataSchemas, type Delivery, type WebhookData, type WebhookEventType } from "./schemas.js";
import { claimMs, deliveryOf, deliveryRowKey, newDeliveryId, type DeliveryRow } from "./deliveryRow.js";
import { scheduleAttempt } from "./deliverySchedule.js";
import { attemptDelivery, retryDelaysMs } from "./attemptDelivery.js";

type DeliveryServices = Pick<Services, "tables" | "now">;

export interface WebhookToSend<T extends WebhookEventType = WebhookEventType> {
  tenantId: string;
  providerId: string;
  type: T;
  data: WebhookData<T>;
}

/**
 * Sends one event to the provider's endpoint. Returns null (and stores nothing) when the provider has no
 * enabled endpoint subscribed to the type. Otherwise the delivery is stored first (with its retry already
 * scheduled, so a crash during the attempt loses nothing), then attempted at once; the answer is the
 * delivery after that first attempt: `delivered`, or `pending` with its next attempt time.
 */
export async function enqueueWebhook<T extends WebhookEventType>(
  services: DeliveryServices,
  event: WebhookToSend<T>,
  options: EnqueueOptions = {},
): Promise<Delivery | null> {
  const endpoint = await findEndpoint(services, event.tenantId, event.providerId);
  if (!endpoint || !endpoint.endpoint.enabled || !endpoint.endpoint.eventTypes.includes(event.type)) return null;
  return enqueueTo(services, endpoint, event, options);
}

export interface EnqueueOptions {
  /**
   * `background`: answer once the delivery is stored, and make the first attempt without waiting for it
   * (for senders whose own caller should not wait on the receiver: activities). Should the process stop
   * meanwhile, the delivery's claim runs out and the retry timer sends it.
   */
  firstAttempt?: "await" | "background";
  /** The body's `timestamp`, when the event happened earlier than it is sent (a presence's `changedAt`); default now. */
  timestamp?: string;
}

/** The same for every provider of the tenant whose endpoint takes `type` (presence changes). */
export async function enqueueWebhookToTenant<T extends WebhookEventType>(
  services: DeliveryServices,
  event: Omit<WebhookToSend<T>, "providerId">,
  options: EnqueueOptions = {},
): Promise<Delivery[]> {
  const endpoints = await listSubscribedEndpoints(services, event.tenantId, event.type);
  return Promise.all(endpoints.map((endpoint) => enqueueTo(services, endpoint, { ...event, providerId: endpoint.providerId }, options)));
}

async function enqueueTo<T extends WebhookEventType>(
  services: DeliveryServices,
  endpoint: StoredEndpoint,
  event: WebhookToSend<T>,
  options: EnqueueOptions = {},
): Promise<Delivery> {
  const data = webhookDataSchemas[event.type].parse(event.data);
  const now = services.now();
  const deliveryId = newDeliveryId(now);
  const payload = JSON.stringify({ type: event.type, timestamp: options.timestamp ?? now.toISOString(), data });
  const partitionKey = key(event.tenantId, event.providerId);
  const rowKey = deliveryRowKey(deliveryId);
  const firstRetryAt = new Date(now.getTime() + retryDelaysMs[0]).toISOString();
  // The schedule row first: a delivery row never exists without a way back to it.
  await scheduleAttempt(services, { deliveryId, dueAt: firstRetryAt, deliveryPartitionKey: partitionKey, deliveryRowKey: rowKey });
  const row: DeliveryRow = {
    tenantId: event.tenantId,
    providerId: event.providerId,
    deliveryId,
    type: event.type,
    status: "pending",
    createdAt: now.toISOString(),
    attemptCount: 0,
    nextAttemptAt: firstRetryAt,
    failureReason: "",
    attempts: "[]",
    payload,
    // Created claimed: the attempt below is ours, not the timer's.
    claimedUntil: new Date(now.getTime() + claimMs).toISOString(),
  };
  const created = await services.tables.webhookDeliveries.createEntity({ partitionKey, rowKey, ...row });
  const attempt = attemptDelivery(services, { ...row, partitionKey, rowKey, etag: created.etag! }, endpoint);
  if (options.firstAttempt === "background") {
    attempt.catch(() => undefined); // the retry timer takes over once the claim runs out
    return deliveryOf(services, { ...row, partitionKey, rowKey });
  }
  return deliveryOf(services, await attempt);
}
