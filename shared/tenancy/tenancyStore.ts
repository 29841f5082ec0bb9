import { WebCtiError } from "../errors.js";
import { readEntity } from "../storage/readEntity.js";
import { parseRow } from "../storage/parseRow.js";
import type { Services } from "../services.js";
import { Agent } from "../schemas/agent.js";
import { Provider, ScreenPopPolicy, Tenant, type RateLimit } from "../schemas/provider.js";
import type { PanelConfig } from "../schemas/panel.js";
import { odata } from "@azure/data-tables";
import type { z } from "zod";

type TenancyServices = Pick<Services, "tables" | "caches">;

export async function findTenant(services: TenancyServices, tenantId: string): Promise<Tenant | undefined> {
  return services.caches.tenants.getOrLoad(tenantId, () =>
    readEntity(services.tables.tenants, tenantId, "", (row) => Tenant.parse({ ...row, tenantId })),
  );
}

export async function getTenant(services: TenancyServices, tenantId: string): Promise<Tenant> {
  const tenant = await findTenant(services, tenantId);
  if (!tenant) throw new WebCtiError("forbidden", `Tenant '${tenantId}' does not exist.`);
  return tenant;
}

export async function getProvider(services: TenancyServices, tenantId: string, providerId: string): Promise<Provider> {
  const provider = await services.caches.providers.getOrLoad(`${tenantId}|${providerId}`, () =>
    readEntity(services.tables.providers, tenantId, providerId, (row) => providerFromRow(tenantId, providerId, row)),
  );
  if (!provider) throw new WebCtiError("forbidden", `Provider '${providerId}' is not configured for this tenant.`);
  return provider;
}

/**
 * A provider named in a request (a body field, or a query parameter with `at`): one the tenant does not have
 * is a fault of that field, answered with `code` pointing at it, not `forbidden` (which is about the caller).
 */
export async function getNamedProvider(
  services: TenancyServices,
  tenantId: string,
  providerId: string,
  code: "invalid_request" | "not_found",
  at: { pointer: string } | { parameter: string } = { pointer: "#/providerId" },
): Promise<Provider> {
  return getProvider(services, tenantId, providerId).catch((error: unknown) => {
    if (!(error instanceof WebCtiError && error.code === "forbidden")) throw error;
    throw new WebCtiError(code, `Provider '${providerId}' is not configured for this tenant.`, {
      errors: [{ ...at, detail: "no such provider in this tenant" }],
    });
  });
}

/**
 * Every provider of the tenant, in RowKey (providerId) order: one partition query on the small providers
 * table, not cached (the agent desktop reads it once per page load; events use the cached getProvider).
 */
export async function listProviders(services: Pick<Services, "tables">, tenantId: string): Promise<Provider[]> {
  const providers: Provider[] = [];
  const rows = services.tables.providers.listEntities<Record<string, unknown>>({
    queryOptions: { filter: odata`PartitionKey eq ${tenantId}` },
  });
  for await (const row of rows) {
    providers.push(parseRow(services.tables.providers, row, () => providerFromRow(tenantId, String(row["rowKey"]), row)));
  }
  return providers;
}

/** A providers row: the policy and the panel are JSON columns (`panel` absent for a provider without a widget). */
function providerFromRow(tenantId: string, providerId: string, row: Record<string, unknown>): Provider {
  return Provider.parse({
    tenantId,
    providerId,
    label: row["label"],
    screenPopPolicy: JSON.parse(String(row["screenPopPolicy"] ?? "{}")),
    panel: typeof row["panel"] === "string" && row["panel"] !== "" ? JSON.parse(row["panel"]) : undefined,
    rateLimit: typeof row["rateLimit"] === "string" && row["rateLimit"] !== "" ? JSON.parse(row["rateLimit"]) : undefined,
  });
}

/** Throws `not_found` naming the agent: partners send agent ids, and a typo must be obvious. */
export async function getAgent(services: TenancyServices, tenantId: string, agentId: string): Promise<Agent> {
  const agent = await services.caches.agents.getOrLoad(`${tenantId}|${agentId}`, () =>
    readEntity(services.tables.agents, tenantId, agentId, (row) => Agent.parse({ ...row, tenantId, agentId })),
  );
  if (!agent) {
    throw new WebCtiError("not_found", `Agent '${agentId}' does not exist in this tenant.`, {
      errors: [{ pointer: "#/agentId", detail: "no such agent in this tenant" }],
    });
  }
  return agent;
}

export async function putTenant(services: Pick<Services, "tables">, tenant: z.input<typeof Tenant>): Promise<Tenant> {
  const value = Tenant.parse(tenant);
  await services.tables.tenants.upsertEntity({ partitionKey: value.tenantId, rowKey: "", ...value }, "Replace");
  return value;
}

export async function putProvider(
  services: Pick<Services, "tables">,
  provider: {
    tenantId: string;
    providerId: string;
    label: string;
    screenPopPolicy?: z.input<typeof ScreenPopPolicy>;
    panel?: z.input<typeof PanelConfig>;
    rateLimit?: RateLimit;
  },
): Promise<Provider> {
  const value = Provider.parse({ ...provider, screenPopPolicy: ScreenPopPolicy.parse(provider.screenPopPolicy ?? {}) });
  await services.tables.providers.upsertEntity(
    {
      partitionKey: value.tenantId,
      rowKey: value.providerId,
      label: value.label,
      screenPopPolicy: JSON.stringify(value.screenPopPolicy),
      // "Replace" drops the column when a provider loses its panel.
      ...(value.panel ? { panel: JSON.stringify(value.panel) } : {}),
      ...(value.rateLimit ? { rateLimit: JSON.stringify(value.rateLimit) } : {}),
    },
    "Replace",
  );
  return value;
}

export async function putAgent(services: Pick<Services, "tables">, agent: z.input<typeof Agent>): Promise<Agent> {
  const value = Agent.parse(agent);
  await services.tables.agents.upsertEntity(
    { partitionKey: value.tenantId, rowKey: value.agentId, displayName: value.displayName, supervisor: value.supervisor },
    "Replace",
  );
  return value;
}
