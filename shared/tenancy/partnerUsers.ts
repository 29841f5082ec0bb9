import type { Services } from "../services.js";
import { WebCtiError, isEntityAlreadyExists, isNotFound, isPreconditionFailed } from "../errors.js";
import { key } from "../storage/tables.js";
import { readEntity } from "../storage/readEntity.js";
import { deleteIfExists } from "../storage/deleteIfExists.js";
import { getAgent } from "./tenancyStore.js";
import type { PartnerUserLink } from "../schemas/agent.js";

/**
 * A provider's own ids of the tenant's agents (issue 18, item 1). One partition per tenant and provider,
 * two rows per link, each way: `u|<partnerUserId>` → `agentId` (how an event naming the partner's id finds
 * the agent) and `a|<agentId>` → `partnerUserId` (what the partner reads back). Each id of a provider names
 * one agent; an agent has at most one id per provider.
 */
type PartnerUserServices = Pick<Services, "tables" | "caches">;

const userRow = (partnerUserId: string) => `u|${partnerUserId}`;
const agentRow = (agentId: string) => `a|${agentId}`;

/** Links the agent to the provider's id (replacing its earlier one); 409 when the id names another agent. */
export async function linkPartnerUser(services: PartnerUserServices, owner: { tenantId: string; providerId: string }, link: PartnerUserLink): Promise<PartnerUserLink> {
  const { tenantId, providerId } = owner;
  const { agentId, partnerUserId } = link;
  await getAgent(services, tenantId, agentId);
  const table = services.tables.partnerUsers;
  const partitionKey = key(tenantId, providerId);
  try {
    await table.createEntity({ partitionKey, rowKey: userRow(partnerUserId), agentId });
  } catch (error) {
    if (!isEntityAlreadyExists(error)) throw error;
    const holder = await agentForPartnerUser(services, owner, partnerUserId);
    if (holder !== undefined && holder !== agentId) {
      throw new WebCtiError("conflict", `The id '${partnerUserId}' already names agent '${holder}' for this provider.`, {
        errors: [{ pointer: "#/partnerUserId", detail: "names another agent" }],
      });
    }
  }
  const earlier = await partnerUserOf(services, owner, agentId);
  await table.upsertEntity({ partitionKey, rowKey: agentRow(agentId), partnerUserId }, "Replace");
  if (earlier !== undefined && earlier !== partnerUserId) await unlinkUserRow(services, owner, earlier, agentId);
  return { agentId, partnerUserId };
}

/** The provider's id of the agent (404 when the agent does not exist or has none). */
export async function getPartnerUser(services: PartnerUserServices, owner: { tenantId: string; providerId: string }, agentId: string): Promise<PartnerUserLink> {
  await getAgent(services, owner.tenantId, agentId);
  const partnerUserId = await partnerUserOf(services, owner, agentId);
  if (partnerUserId === undefined) throw new WebCtiError("not_found", `Agent '${agentId}' has no id of this provider.`);
  return { agentId, partnerUserId };
}

/** Removes the agent's link (404 when it has none); says which it was. */
export async function unlinkPartnerUser(services: PartnerUserServices, owner: { tenantId: string; providerId: string }, agentId: string): Promise<PartnerUserLink & { deleted: true }> {
  const { partnerUserId } = await getPartnerUser(services, owner, agentId);
  await unlinkAgent(services, owner, agentId, partnerUserId);
  return { agentId, partnerUserId, deleted: true };
}

/** Deletes the agent's link with the provider, if it has one (both rows); says whether it had. */
export async function unlinkAgent(
  services: Pick<Services, "tables">,
  owner: { tenantId: string; providerId: string },
  agentId: string,
  partnerUserId?: string,
): Promise<boolean> {
  const linked = partnerUserId ?? (await partnerUserOf(services, owner, agentId));
  if (linked === undefined) return false;
  await unlinkUserRow(services, owner, linked, agentId);
  await deleteIfExists(services.tables.partnerUsers, key(owner.tenantId, owner.providerId), agentRow(agentId));
  return true;
}

/** The agent the provider's id names, if any. */
export async function agentForPartnerUser(services: Pick<Services, "tables">, owner: { tenantId: string; providerId: string }, partnerUserId: string): Promise<string | undefined> {
  return readEntity(services.tables.partnerUsers, key(owner.tenantId, owner.providerId), userRow(partnerUserId), (row) => String(row["agentId"]));
}

/** The provider's id of the agent, if it set one. */
export async function partnerUserOf(services: Pick<Services, "tables">, owner: { tenantId: string; providerId: string }, agentId: string): Promise<string | undefined> {
  return readEntity(services.tables.partnerUsers, key(owner.tenantId, owner.providerId), agentRow(agentId), (row) => String(row["partnerUserId"]));
}

/** Deletes `u|<id>` if it still names this agent (another PUT may have given the id to another since). */
async function unlinkUserRow(services: Pick<Services, "tables">, owner: { tenantId: string; providerId: string }, partnerUserId: string, agentId: string) {
  const table = services.tables.partnerUsers;
  const partitionKey = key(owner.tenantId, owner.providerId);
  try {
    const row = await table.getEntity<{ agentId?: string }>(partitionKey, userRow(partnerUserId));
    if (row.agentId === agentId) await table.deleteEntity(partitionKey, userRow(partnerUserId), { etag: row.etag });
  } catch (error) {
    if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
  }
}

/**
 * Events may name an agent by the provider's id of it (`agentId`, `toAgentId`): an id that is not one of the
 * tenant's agents but names one for this provider becomes that agent's id, the partner's id kept beside it
 * (`partnerUserId`, `toPartnerUserId`), so everything downstream (pops, legs, KPIs by agent) sees the agent.
 * An agent id always wins over a provider's id. Ids that name no one are left for the usual 404.
 */
export async function resolvePartnerUsers<E extends object>(
  services: PartnerUserServices,
  owner: { tenantId: string; providerId: string },
  events: readonly E[],
): Promise<E[]> {
  const fieldsOf = (event: E) => event as unknown as Record<string, unknown>;
  const named = new Set(events.flatMap((e) => [fieldsOf(e).agentId, fieldsOf(e).toAgentId]).filter((id): id is string => typeof id === "string"));
  const agentFor = new Map<string, string>();
  await Promise.all(
    [...named].map(async (id) => {
      const isAgent = await getAgent(services, owner.tenantId, id).then(
        () => true,
        (error: unknown) => {
          if (error instanceof WebCtiError && error.code === "not_found") return false;
          throw error;
        },
      );
      const agentId = isAgent ? undefined : await agentForPartnerUser(services, owner, id);
      if (agentId !== undefined) agentFor.set(id, agentId);
    }),
  );
  if (agentFor.size === 0) return [...events];
  return events.map((event) => {
    const resolved: Record<string, unknown> = { ...fieldsOf(event) };
    for (const [field, kept] of [["agentId", "partnerUserId"], ["toAgentId", "toPartnerUserId"]] as const) {
      const id = fieldsOf(event)[field];
      if (typeof id === "string" && agentFor.has(id)) Object.assign(resolved, { [field]: agentFor.get(id), [kept]: id });
    }
    return resolved as E;
  });
}
