import { z } from "zod";
import type { Services } from "../services.js";
import { WebCtiError } from "../errors.js";
import { getNamedProvider, getTenant } from "../tenancy/tenancyStore.js";
import { getRecord } from "../directory/directoryStore.js";
import { normalizePhone } from "../directory/normalizePhone.js";
import { enqueueWebhook, enqueueWebhookToTenant } from "./enqueueWebhook.js";
import { findEndpoint } from "./endpointStore.js";
import { ClickToActInput, type ClickToActRequestedData, type Delivery, type PresenceChangedData } from "./schemas.js";

/**
 * Click-to-act for a provider without a widget: the agent clicked a phone number or an email address,
 * and the provider's server gets a `clickToAct.requested` webhook with the normalized target.
 * Everything is checked before the delivery is stored, so a refused request stores nothing.
 */
export async function requestClickToAct(
  services: Pick<Services, "tables" | "caches" | "now">,
  agent: { tenantId: string; agentId: string },
  input: ClickToActInput,
): Promise<Delivery> {
  const body = ClickToActInput.parse(input);
  const { tenantId } = agent;
  await getNamedProvider(services, tenantId, body.providerId, "not_found");
  let target: ClickToActRequestedData["target"];
  if (body.kind === "phone") {
    const phone = normalizePhone(body.value, (await getTenant(services, tenantId)).defaultCountry);
    if (!phone) throw invalid("#/value", "not a phone number");
    target = { kind: "phone", ...phone };
  } else {
    const email = z.email().safeParse(body.value);
    if (!email.success) throw invalid("#/value", "not an email address");
    target = { kind: "email", email: email.data };
  }
  if (body.record && !(await getRecord(services.tables, tenantId, body.record.type, body.record.id))) {
    throw invalid("#/record/id", "no such record");
  }
  const endpoint = await findEndpoint(services, tenantId, body.providerId);
  if (!endpoint?.endpoint.enabled || !endpoint.endpoint.eventTypes.includes("clickToAct.requested")) {
    throw invalid("#/providerId", "the provider has no enabled webhook endpoint for clickToAct.requested");
  }
  const delivery = await enqueueWebhook(services, {
    tenantId,
    providerId: body.providerId,
    type: "clickToAct.requested",
    data: { tenantId, providerId: body.providerId, agentId: agent.agentId, target, raw: body.value, record: body.record ?? null },
  });
  // The endpoint was disabled between the check and the send: nothing was stored.
  if (!delivery) throw invalid("#/providerId", "the provider has no enabled webhook endpoint for clickToAct.requested");
  return delivery;
}

function invalid(pointer: string, detail: string) {
  return new WebCtiError("invalid_request", `Click-to-act refused: ${detail}.`, { errors: [{ pointer, detail }] });
}

/**
 * The presence hook: call it when an agent's presence changed (setPresence's `changed`). Every provider of
 * the tenant whose endpoint is subscribed to `presence.changed` gets a delivery; none subscribed, none sent.
 */
export async function sendPresenceChanged(
  services: Pick<Services, "tables" | "now">,
  tenantId: string,
  presence: Omit<PresenceChangedData, "tenantId">,
): Promise<Delivery[]> {
  // Stored before the answer, attempted without making the agent (or the partner) wait for the endpoints.
  return enqueueWebhookToTenant(
    services,
    { tenantId, type: "presence.changed", data: { tenantId, ...presence } },
    { firstAttempt: "background", timestamp: presence.changedAt },
  );
}
