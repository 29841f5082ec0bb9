import type { Services } from "../services.js";
import type { Page } from "../storage/cursor.js";
import type { Activity } from "../schemas/activity.js";
import {
  crmScope,
  deleteScopedEndpoint,
  findEndpoint,
  getScopedEndpoint,
  putScopedEndpoint,
  rotateSecret,
} from "./endpointStore.js";
import { getDelivery, listDeliveries } from "./deliveryRow.js";
import { enqueueWebhook } from "./enqueueWebhook.js";
import {
  CrmWebhookEndpoint,
  CrmWebhookEndpointInput,
  type Delivery,
  type DeliverySummary,
  type RotatedWebhookSecret,
} from "./schemas.js";

/**
 * The tenant's CRM webhook endpoint (integration routes): the partner endpoint's store, deliveries,
 * retries and delivery log, under the tenant-wide scope `crmScope`. It receives `activity.created` /
 * `activity.updated`, and its secret signs the look-ups of `crm.records` = `webhook`
 * (shared/directory/lookupWebhook.ts).
 */
type EndpointServices = Pick<Services, "tables" | "now" | "config" | "caches">;

export async function putCrmEndpoint(services: EndpointServices, tenantId: string, input: CrmWebhookEndpointInput): Promise<CrmWebhookEndpoint> {
  const endpoint = await putScopedEndpoint(services, tenantId, crmScope, CrmWebhookEndpointInput.parse(input));
  services.caches.crmLookupSecrets.delete(tenantId); // a new endpoint has a new secret
  return CrmWebhookEndpoint.parse({ tenantId, ...endpoint });
}

export async function getCrmEndpoint(services: Pick<Services, "tables" | "now">, tenantId: string): Promise<CrmWebhookEndpoint> {
  return CrmWebhookEndpoint.parse({ tenantId, ...(await getScopedEndpoint(services, tenantId, crmScope)) });
}

export async function deleteCrmEndpoint(services: Pick<Services, "tables" | "caches">, tenantId: string) {
  await deleteScopedEndpoint(services, tenantId, crmScope);
  services.caches.crmLookupSecrets.delete(tenantId);
  return { tenantId, deleted: true as const };
}

export async function rotateCrmSecret(services: EndpointServices, tenantId: string): Promise<RotatedWebhookSecret> {
  const rotated = await rotateSecret(services, tenantId, crmScope);
  services.caches.crmLookupSecrets.delete(tenantId);
  return rotated;
}

export function listCrmDeliveries(
  services: Pick<Services, "tables">,
  tenantId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<DeliverySummary>> {
  return listDeliveries(services, tenantId, crmScope, page);
}

export function getCrmDelivery(services: Pick<Services, "tables">, tenantId: string, deliveryId: string): Promise<Delivery> {
  return getDelivery(services, tenantId, crmScope, deliveryId);
}

/**
 * The secrets a look-up is signed with (current first, the previous one during a rotation's overlap), or
 * none when the tenant has no CRM endpoint. Cached: a webhook look-up is on the screen pop's path, and a
 * rotation in this process drops the entry (elsewhere the previous secret signs on for 24 hours anyway).
 */
export async function crmSigningSecrets(services: Pick<Services, "tables" | "now" | "caches">, tenantId: string): Promise<string[]> {
  const secrets = await services.caches.crmLookupSecrets.getOrLoad(tenantId, async () => {
    const endpoint = await findEndpoint(services, tenantId, crmScope);
    return endpoint?.secrets ?? [];
  });
  return secrets ?? [];
}

/**
 * Tells the tenant's CRM endpoint that an activity was stored (or changed). The delivery is stored before
 * this returns; its first attempt is not awaited, so a slow CRM never slows the partner or the agent
 * (docs/webhooks.md). No endpoint, or one not subscribed: nothing is stored.
 */
export function sendActivityEvent(
  services: Pick<Services, "tables" | "now">,
  tenantId: string,
  type: "activity.created" | "activity.updated",
  activity: Activity,
): Promise<Delivery | null> {
  return enqueueWebhook(services, { tenantId, providerId: crmScope, type, data: { tenantId, activity } }, { firstAttempt: "background" });
}
