import { z } from "zod";
import { Presence } from "../schemas/presence.js";
import { AgentId, ProviderId, RecordId, RecordType, TenantId } from "../schemas/ids.js";
import { pageFields } from "../schemas/cursor.js";
import { Activity } from "../schemas/activity.js";

/** The event types a partner can subscribe its endpoint to. */
export const partnerEventTypes = ["clickToAct.requested", "presence.changed"] as const;
/** The event types a tenant's CRM endpoint can subscribe to (integration routes). */
export const crmEventTypes = ["activity.created", "activity.updated"] as const;

export const WebhookEventType = z
  .enum([...partnerEventTypes, ...crmEventTypes])
  .meta({ id: "WebhookEventType", description: "An outbound webhook event type." });
export type WebhookEventType = z.infer<typeof WebhookEventType>;
export const PartnerWebhookEventType = z
  .enum(partnerEventTypes)
  .meta({ id: "PartnerWebhookEventType", description: "An event type a provider's webhook endpoint can receive." });
export const CrmWebhookEventType = z
  .enum(crmEventTypes)
  .meta({ id: "CrmWebhookEventType", description: "An event type the tenant's CRM webhook endpoint can receive." });

export const WebhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/)
  .meta({
    id: "WebhookSecret",
    description: "The signing secret in the Standard Webhooks format: `whsec_` and the base64 key. Shown once.",
  });

const endpointInputFields = {
  url: z
    .url({ protocol: /^https?$/, hostname: z.regexes.hostname })
    .max(2000)
    .describe("Where deliveries are POSTed. https only (http only where the deployment allows it, e.g. locally)."),
  enabled: z.boolean().default(true).describe("False pauses deliveries; a PUT with true re-enables an endpoint disabled by a 410."),
};

export const WebhookEndpointInput = z
  .object({
    url: endpointInputFields.url,
    eventTypes: z.array(PartnerWebhookEventType).min(1).max(10).describe("The event types this endpoint receives."),
    enabled: endpointInputFields.enabled,
  })
  .meta({ id: "WebhookEndpointInput" });
export type WebhookEndpointInput = z.input<typeof WebhookEndpointInput>;

/** The tenant's CRM endpoint: activity events; its secret also signs the look-ups of `crm.records` = `webhook`. */
export const CrmWebhookEndpointInput = z
  .object({
    url: endpointInputFields.url,
    eventTypes: z.array(CrmWebhookEventType).min(1).max(10).describe("The event types this endpoint receives."),
    enabled: endpointInputFields.enabled,
  })
  .meta({ id: "CrmWebhookEndpointInput" });
export type CrmWebhookEndpointInput = z.input<typeof CrmWebhookEndpointInput>;

/** An endpoint as stored, whoever owns it (a provider, or the tenant's CRM). */
export const EndpointFields = z.object({
  url: z.string(),
  eventTypes: z.array(WebhookEventType),
  enabled: z.boolean(),
  disabledReason: z
    .enum(["gone"])
    .nullable()
    .describe("`gone`: WebCTI disabled the endpoint because it answered 410 Gone. Null when enabled or paused by a PUT."),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  secretRotatedAt: z.iso.datetime().nullable(),
  previousSecretExpiresAt: z.iso
    .datetime()
    .nullable()
    .describe("Until then, deliveries carry a signature with the previous secret too."),
  secret: WebhookSecret.optional().describe("Only in the answer of the PUT that created the endpoint."),
});
export type EndpointFields = z.infer<typeof EndpointFields>;

export const WebhookEndpoint = z
  .object({ providerId: ProviderId, ...EndpointFields.shape, eventTypes: z.array(PartnerWebhookEventType) })
  .meta({ id: "WebhookEndpoint" });
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

export const CrmWebhookEndpoint = z
  .object({ tenantId: TenantId, ...EndpointFields.shape, eventTypes: z.array(CrmWebhookEventType) })
  .meta({ id: "CrmWebhookEndpoint" });
export type CrmWebhookEndpoint = z.infer<typeof CrmWebhookEndpoint>;

export const RotatedWebhookSecret = z
  .object({
    secret: WebhookSecret,
    previousSecretExpiresAt: z.iso.datetime().describe("Deliveries are signed with both secrets until then."),
  })
  .meta({ id: "RotatedWebhookSecret" });
export type RotatedWebhookSecret = z.infer<typeof RotatedWebhookSecret>;

export const DeletedWebhookEndpoint = z
  .object({ providerId: ProviderId, deleted: z.literal(true) })
  .meta({ id: "DeletedWebhookEndpoint" });
export const DeletedCrmWebhookEndpoint = z
  .object({ tenantId: TenantId, deleted: z.literal(true) })
  .meta({ id: "DeletedCrmWebhookEndpoint" });

/** `msg_` + 9 base36 digits of the creation time in ms + 16 random base64url characters: unique, and its time is readable. */
export const DeliveryId = z
  .string()
  .regex(/^msg_[0-9a-z]{9}[A-Za-z0-9_-]{16}$/, "not a delivery id")
  .meta({ id: "DeliveryId", description: "The `webhook-id` header of every attempt of one delivery." });

export const DeliveryStatus = z.enum(["pending", "delivered", "failed"]).meta({ id: "WebhookDeliveryStatus" });
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const DeliveryAttempt = z
  .object({
    attempt: z.number().int().min(1),
    at: z.iso.datetime(),
    url: z.string(),
    durationMs: z.number().int().min(0),
    status: z.number().int().nullable().describe("The endpoint's HTTP status; null when there was no answer."),
    error: z.string().nullable().describe("Why there was no answer (timeout, connection refused, …)."),
  })
  .meta({ id: "WebhookDeliveryAttempt" });
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

export const FailureReason = z
  .enum(["retries_exhausted", "endpoint_gone", "endpoint_disabled", "endpoint_deleted"])
  .meta({ id: "WebhookFailureReason" });
export type FailureReason = z.infer<typeof FailureReason>;

const deliveryFields = {
  deliveryId: DeliveryId,
  type: WebhookEventType,
  status: DeliveryStatus,
  createdAt: z.iso.datetime(),
  attemptCount: z.number().int().min(0),
  nextAttemptAt: z.iso.datetime().nullable().describe("When the next attempt is due; null once delivered or failed."),
  failureReason: FailureReason.nullable(),
};

export const DeliverySummary = z.object(deliveryFields).meta({ id: "WebhookDeliverySummary" });
export type DeliverySummary = z.infer<typeof DeliverySummary>;

export const DeliveryList = z
  .object({ deliveries: z.array(DeliverySummary), ...pageFields })
  .meta({ id: "WebhookDeliveryList" });

// ---- Payloads --------------------------------------------------------------------------------------

export const ClickToActInput = z
  .object({
    providerId: ProviderId.describe("The provider (without a widget) that places the call or writes the email."),
    kind: z.enum(["phone", "email"]),
    value: z.string().trim().min(1).max(254).describe("The text the agent clicked, as shown."),
    record: z.object({ type: RecordType, id: RecordId }).optional().describe("The record the text was on."),
  })
  .meta({ id: "ClickToActInput" });
export type ClickToActInput = z.input<typeof ClickToActInput>;

export const ClickToActTarget = z
  .discriminatedUnion("kind", [
    z.object({
      kind: z.literal("phone"),
      e164: z.string().regex(/^\+[1-9]\d{1,14}$/),
      extension: z.string().optional().describe("Dial it after the call connects."),
    }),
    z.object({ kind: z.literal("email"), email: z.string() }),
  ])
  .meta({ id: "ClickToActTarget" });

export const ClickToActRequestedData = z
  .object({
    tenantId: TenantId,
    providerId: ProviderId,
    agentId: AgentId,
    target: ClickToActTarget,
    raw: z.string().describe("The text the agent clicked."),
    record: z.object({ type: RecordType, id: RecordId }).nullable(),
  })
  .meta({ id: "ClickToActRequestedData" });
export type ClickToActRequestedData = z.infer<typeof ClickToActRequestedData>;

/** The presence of one agent, as the presence API stores it (kept in step with shared/schemas/presence.ts). */
export const PresenceChangedData = Presence.extend({
  tenantId: TenantId,
  changedAt: Presence.shape.changedAt.unwrap(),
  source: Presence.shape.source.unwrap(),
})
  .meta({ id: "PresenceChangedData" });
export type PresenceChangedData = z.infer<typeof PresenceChangedData>;

function envelope<T extends WebhookEventType, D extends z.ZodType>(type: T, data: D, id: string) {
  return z
    .object({
      type: z.literal(type),
      timestamp: z.iso.datetime().describe("When the event happened (not when this attempt was sent)."),
      data,
    })
    .meta({ id });
}

/** A stored activity, as the feed and the agent's timeline show it. */
export const ActivityEventData = z
  .object({ tenantId: TenantId, activity: Activity })
  .meta({ id: "ActivityEventData" });

export const ClickToActRequestedEvent = envelope("clickToAct.requested", ClickToActRequestedData, "ClickToActRequestedEvent");
export const PresenceChangedEvent = envelope("presence.changed", PresenceChangedData, "PresenceChangedEvent");
export const ActivityCreatedEvent = envelope("activity.created", ActivityEventData, "ActivityCreatedEvent");
export const ActivityUpdatedEvent = envelope("activity.updated", ActivityEventData, "ActivityUpdatedEvent");

/** The data of each event type; enqueueWebhook checks what it sends against it. */
export const webhookDataSchemas = {
  "clickToAct.requested": ClickToActRequestedData,
  "presence.changed": PresenceChangedData,
  "activity.created": ActivityEventData,
  "activity.updated": ActivityEventData,
} satisfies Record<WebhookEventType, z.ZodType>;
export type WebhookData<T extends WebhookEventType> = z.input<(typeof webhookDataSchemas)[T]>;

export const WebhookEvent = z
  .object({ type: WebhookEventType, timestamp: z.iso.datetime(), data: z.record(z.string(), z.unknown()) })
  .meta({ id: "WebhookEvent", description: "What every delivery's body looks like." });
export type WebhookEvent = z.infer<typeof WebhookEvent>;

export const Delivery = DeliverySummary.extend({
  attempts: z.array(DeliveryAttempt).describe("Oldest first."),
  payload: WebhookEvent.describe("The body of every attempt, byte for byte the same JSON."),
}).meta({ id: "WebhookDelivery" });
export type Delivery = z.infer<typeof Delivery>;
