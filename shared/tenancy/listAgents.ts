import { odata } from "@azure/data-tables";
import type { Services } from "../services.js";
import { Agent, type AgentSummary } from "../schemas/agent.js";
import { readPage, type Page } from "../storage/cursor.js";
import { parseRow } from "../storage/parseRow.js";
import { getPresence } from "../presence/presenceStore.js";
import { partnerUserOf } from "./partnerUsers.js";

/**
 * The tenant's agents, by agent id, a page at a time (one partition query: the agents table keeps a tenant in
 * one partition), each with its presence now and the calling provider's id of it (two point reads per agent
 * on the page, in parallel).
 */
export async function listAgents(
  services: Pick<Services, "tables">,
  owner: { tenantId: string; providerId: string },
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<AgentSummary>> {
  const { tenantId } = owner;
  const query = services.tables.agents.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${tenantId}` } });
  const { items, nextCursor } = await readPage(query, page.limit, page.cursor, tenantId);
  const agents = items.map((row) => parseRow(services.tables.agents, row, () => Agent.parse({ ...row, tenantId, agentId: row.rowKey })));
  const [presence, partnerUsers] = await Promise.all([
    Promise.all(agents.map((agent) => getPresence(services.tables, tenantId, agent.agentId))),
    Promise.all(agents.map((agent) => partnerUserOf(services, owner, agent.agentId))),
  ]);
  return {
    items: agents.map(({ agentId, displayName, supervisor }, i) => ({
      agentId,
      displayName,
      supervisor,
      presence: presence[i]!,
      ...(partnerUsers[i] === undefined ? {} : { partnerUserId: partnerUsers[i] }),
    })),
    nextCursor,
  };
}
