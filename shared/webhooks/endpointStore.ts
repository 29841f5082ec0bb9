import { checkOutboundHost, isPrivateAddress, outboundFailureText } from "./outbound.js";
import { odata, type TableEntityResult } from "@azure/data-tables";
import type { Services } from "../services.js";
import { WebCtiError, isEntityAlreadyExists, isNotFound, isPreconditionFailed } from "../errors.js";
import { key } from "../storage/tables.js";
import { readEntity } from "../storage/readEntity.js";
import { parseRow } from "../storage/parseRow.js";
import { generateWebhookSecret } from "./signing.js";
import { EndpointFields, WebhookEndpoint, WebhookEndpointInput, type RotatedWebhookSecret, type WebhookEventType } from "./schemas.js";

type EndpointServices = Pick<Services, "tables" | "now" | "config">;

/** How long deliveries stay signed with the previous secret after a rotation. */
export const rotationOverlapMs = 24 * 60 * 60 * 1000;

/**
 * One row per endpoint: PartitionKey tenantId|scope, RowKey "". The scope is the provider's id for a
 * provider's endpoint, or `crmScope` for the tenant's CRM endpoint (shared/webhooks/crmEndpoint.ts): the
 * deliveries, retries and delivery log of both are the same machinery, keyed by the same pair.
 */
interface EndpointRow {
  url: string;
  eventTypes: string;
  enabled: boolean;
  disabledReason?: string;
  secret: string;
  previousSecret?: string;
  previousSecretExpiresAt?: string;
  secretRotatedAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** The tenant's CRM endpoint's scope: "~" cannot start a provider id (shared/schemas/patterns.ts), so never collides. */
export const crmScope = "~crm";

/** An endpoint with what delivering to it needs; never leaves the domain (the API shows WebhookEndpoint). */
export interface StoredEndpoint {
  tenantId: string;
  /** The provider's id, or `crmScope`. */
  providerId: string;
  endpoint: EndpointFields;
  /** The secrets to sign with now: the current one first, the previous one while its overlap lasts. */
  secrets: string[];
  etag: string;
}

const endpointKey = (tenantId: string, providerId: string) => key(tenantId, providerId);

function fromRow(tenantId: string, providerId: string, row: EndpointRow & { etag: string }, now: Date): StoredEndpoint {
  const endpoint = EndpointFields.parse({
    url: row.url,
    eventTypes: JSON.parse(row.eventTypes),
    enabled: row.enabled,
    disabledReason: row.disabledReason || null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    secretRotatedAt: row.secretRotatedAt || null,
    previousSecretExpiresAt:
      row.previousSecretExpiresAt && Date.parse(row.previousSecretExpiresAt) > now.getTime() ? row.previousSecretExpiresAt : null,
  });
  const secrets = [row.secret];
  if (row.previousSecret && endpoint.previousSecretExpiresAt) secrets.push(row.previousSecret);
  return { tenantId, providerId, endpoint, secrets, etag: row.etag };
}

export async function findEndpoint(
  services: Pick<Services, "tables" | "now">,
  tenantId: string,
  providerId: string,
): Promise<StoredEndpoint | undefined> {
  return readEntity(services.tables.webhookEndpoints, endpointKey(tenantId, providerId), "", (row: TableEntityResult<EndpointRow>) =>
    fromRow(tenantId, providerId, row, services.now()),
  );
}

export async function getEndpoint(services: Pick<Services, "tables" | "now">, tenantId: string, providerId: string): Promise<WebhookEndpoint> {
  return WebhookEndpoint.parse({ providerId, ...(await getScopedEndpoint(services, tenantId, providerId)) });
}

/** The endpoint of a scope (a provider, or `crmScope`) as stored; not_found when there is none. */
export async function getScopedEndpoint(services: Pick<Services, "tables" | "now">, tenantId: string, scope: string): Promise<EndpointFields> {
  const found = await findEndpoint(services, tenantId, scope);
  if (!found) throw new WebCtiError("not_found", `${ownerOf(scope)} has no webhook endpoint; create it with PUT.`);
  return found.endpoint;
}

const ownerOf = (scope: string) => (scope === crmScope ? "This tenant's CRM" : "This provider");

/** The enabled endpoints of a tenant subscribed to `type`: one range query over the tenant's providers. */
export async function listSubscribedEndpoints(
  services: Pick<Services, "tables" | "now">,
  tenantId: string,
  type: WebhookEventType,
): Promise<StoredEndpoint[]> {
  const rows = services.tables.webhookEndpoints.listEntities<EndpointRow>({
    // "}" sorts right after "|", so this is every PartitionKey that starts with "tenantId|".
    queryOptions: { filter: odata`PartitionKey gt ${`${tenantId}|`} and PartitionKey lt ${`${tenantId}}`}` },
  });
  const found: StoredEndpoint[] = [];
  for await (const row of rows) {
    const providerId = row.partitionKey!.slice(tenantId.length + 1);
    if (providerId === crmScope) continue;
    const stored = parseRow(services.tables.webhookEndpoints, row, () => fromRow(tenantId, providerId, row, services.now()));
    if (stored.endpoint.enabled && stored.endpoint.eventTypes.includes(type)) found.push(stored);
  }
  return found;
}

/**
 * https only, no credentials in the URL, and no loopback or private address written as the host, unless
 * WEBCTI_WEBHOOKS_ALLOW_HTTP (local development). A name that resolves to a private address is caught by
 * checkWebhookTarget (registration) and by every send (shared/webhooks/outbound.ts).
 */
export function checkWebhookUrl(
  config: Pick<Services["config"], "WEBCTI_WEBHOOKS_ALLOW_HTTP">,
  text: string,
  /** Where the URL is in the request body (the CRM settings' look-up URL: `#/lookupWebhook/url`). */
  pointer = "#/url",
): string {
  const url = new URL(text);
  const refuse = (detail: string) => {
    throw new WebCtiError("invalid_request", `The webhook URL is not allowed: ${detail}.`, { errors: [{ pointer, detail }] });
  };
  if (url.username || url.password) refuse("it must not carry a user name or password");
  if (url.hash) refuse("it must not have a #fragment");
  if (config.WEBCTI_WEBHOOKS_ALLOW_HTTP) return url.toString();
  if (url.protocol !== "https:") refuse("it must be https");
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal")) refuse("it names a local host");
  if (isPrivateAddress(host)) refuse("it is a loopback, private or reserved address");
  return url.toString();
}

/**
 * checkWebhookUrl, and what the host resolves to now: a name whose addresses include a loopback, private
 * or reserved one is refused (unless WEBCTI_WEBHOOKS_ALLOW_HTTP). A name that does not resolve yet is
 * accepted; each send resolves and checks again.
 */
export async function checkWebhookTarget(
  config: Pick<Services["config"], "WEBCTI_WEBHOOKS_ALLOW_HTTP">,
  text: string,
  pointer = "#/url",
): Promise<string> {
  const url = checkWebhookUrl(config, text, pointer);
  if ((await checkOutboundHost(url, config.WEBCTI_WEBHOOKS_ALLOW_HTTP)) === "address_refused") {
    const detail = outboundFailureText.address_refused;
    throw new WebCtiError("invalid_request", `The webhook URL is not allowed: ${detail}.`, { errors: [{ pointer, detail }] });
  }
  return url;
}

/**
 * Creates or replaces the provider's endpoint. The secret is made when the endpoint is created and only
 * then returned; a later PUT keeps it (rotate it with rotateSecret).
 */
export async function putEndpoint(
  services: EndpointServices,
  tenantId: string,
  providerId: string,
  input: WebhookEndpointInput,
): Promise<WebhookEndpoint> {
  const endpoint = await putScopedEndpoint(services, tenantId, providerId, WebhookEndpointInput.parse(input));
  return WebhookEndpoint.parse({ providerId, ...endpoint });
}

/** putEndpoint for any scope (a provider, or `crmScope`), with the input already validated. */
export async function putScopedEndpoint(
  services: EndpointServices,
  tenantId: string,
  providerId: string,
  value: { url: string; eventTypes: readonly WebhookEventType[]; enabled: boolean },
): Promise<EndpointFields> {
  const url = await checkWebhookTarget(services.config, value.url);
  const eventTypes = JSON.stringify([...new Set(value.eventTypes)]);
  const partitionKey = endpointKey(tenantId, providerId);
  const now = services.now().toISOString();
  for (let tries = 0; tries < 3; tries++) {
    const existing = await findEndpoint(services, tenantId, providerId);
    if (!existing) {
      const secret = generateWebhookSecret();
      const row: EndpointRow = { url, eventTypes, enabled: value.enabled, secret, createdAt: now, updatedAt: now };
      try {
        await services.tables.webhookEndpoints.createEntity({ partitionKey, rowKey: "", ...row });
      } catch (error) {
        if (isEntityAlreadyExists(error)) continue; // created concurrently: update it instead
        throw error;
      }
      return { ...fromRow(tenantId, providerId, { ...row, etag: "" }, services.now()).endpoint, secret };
    }
    try {
      await services.tables.webhookEndpoints.updateEntity(
        { partitionKey, rowKey: "", url, eventTypes, enabled: value.enabled, disabledReason: "", updatedAt: now },
        "Merge",
        { etag: existing.etag },
      );
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error)) continue;
      throw error;
    }
    return getScopedEndpoint(services, tenantId, providerId);
  }
  throw new WebCtiError("conflict", "The webhook endpoint was being changed concurrently; retry.");
}

export async function deleteEndpoint(services: Pick<Services, "tables">, tenantId: string, providerId: string) {
  await deleteScopedEndpoint(services, tenantId, providerId);
  return { providerId, deleted: true as const };
}

export async function deleteScopedEndpoint(services: Pick<Services, "tables">, tenantId: string, scope: string): Promise<void> {
  try {
    await services.tables.webhookEndpoints.deleteEntity(endpointKey(tenantId, scope), "");
  } catch (error) {
    if (isNotFound(error)) throw new WebCtiError("not_found", `${ownerOf(scope)} has no webhook endpoint.`);
    throw error;
  }
}

/**
 * A new secret (a provider's endpoint, or `crmScope`'s). The one it replaces keeps signing (as a second
 * signature) for 24 hours, so the receiver can switch its verifier without rejecting a delivery. A second
 * rotation within the 24 hours drops the oldest secret.
 */
export async function rotateSecret(services: EndpointServices, tenantId: string, providerId: string): Promise<RotatedWebhookSecret> {
  const partitionKey = endpointKey(tenantId, providerId);
  const row = await readEntity(services.tables.webhookEndpoints, partitionKey, "", (r: TableEntityResult<EndpointRow>) => r);
  if (!row) throw new WebCtiError("not_found", `${ownerOf(providerId)} has no webhook endpoint; create it with PUT.`);
  const now = services.now();
  const secret = generateWebhookSecret();
  const previousSecretExpiresAt = new Date(now.getTime() + rotationOverlapMs).toISOString();
  try {
    await services.tables.webhookEndpoints.updateEntity(
      {
        partitionKey,
        rowKey: "",
        secret,
        previousSecret: row.secret,
        previousSecretExpiresAt,
        secretRotatedAt: now.toISOString(),
        updatedAt: now.toISOString(),
      },
      "Merge",
      { etag: row.etag },
    );
  } catch (error) {
    if (isPreconditionFailed(error)) throw new WebCtiError("conflict", "The webhook endpoint was being changed concurrently; retry.");
    throw error;
  }
  return { secret, previousSecretExpiresAt };
}

/** After a 410 Gone: the endpoint stops receiving until the partner PUTs it again. */
export async function disableGoneEndpoint(services: Pick<Services, "tables" | "now">, tenantId: string, providerId: string) {
  await services.tables.webhookEndpoints
    .updateEntity(
      { partitionKey: endpointKey(tenantId, providerId), rowKey: "", enabled: false, disabledReason: "gone", updatedAt: services.now().toISOString() },
      "Merge",
    )
    .catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
}
