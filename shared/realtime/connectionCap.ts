import type { Services } from "../services.js";
import { WebCtiError } from "../errors.js";

/**
 * The hub's event handler (functions/webPubSubEvents.ts): at most WEBCTI_MAX_CONNECTIONS_PER_AGENT push
 * connections per Web PubSub user (one user per agent: `tenant|agent`, ./agentPush.ts). The pushConnections
 * table keeps one row per live connection (PartitionKey the user id, RowKey the connection id): written on
 * `connect`, deleted on `disconnected`, and a row whose connection the service no longer has (a missed
 * `disconnected`) is dropped when the cap is reached. Who may send these events: ./eventCaller.ts.
 */

async function liveRows(services: Services, userId: string): Promise<string[]> {
  const ids: string[] = [];
  const filter = `PartitionKey eq '${userId.replace(/'/g, "''")}'`;
  for await (const row of services.tables.pushConnections.listEntities({ queryOptions: { filter, select: ["RowKey"] } })) {
    ids.push(row.rowKey!);
  }
  return ids;
}

/** Drops the rows of connections the service no longer has; returns the ones left. */
async function pruneStale(services: Services, userId: string, ids: string[]): Promise<string[]> {
  const alive: string[] = [];
  for (const id of ids) {
    if (await services.push.connectionExists(id)) alive.push(id);
    else await services.tables.pushConnections.deleteEntity(userId, id).catch(ignoreNotFound);
  }
  return alive;
}

/** `connect`: accepts (and records) the connection, or refuses it with 403 when the agent has the cap's number already. */
export async function admitConnection(services: Services, userId: string | null, connectionId: string, now: Date): Promise<void> {
  if (!userId) throw new WebCtiError("forbidden", "Push connections are per agent: the connection has no user id.");
  const cap = services.config.WEBCTI_MAX_CONNECTIONS_PER_AGENT;
  try {
    let ids = (await liveRows(services, userId)).filter((id) => id !== connectionId);
    if (ids.length >= cap) ids = await pruneStale(services, userId, ids);
    if (ids.length >= cap) {
      throw new WebCtiError("forbidden", `This agent already holds ${cap} push connections, the most allowed; close a tab or window first.`);
    }
    await services.tables.pushConnections.upsertEntity({ partitionKey: userId, rowKey: connectionId, connectedAt: now.toISOString() }, "Replace");
  } catch (error) {
    // The cap bounds abuse; it does not keep agents off their pops while storage or the service is down.
    if (error instanceof WebCtiError && (error.code === "storage_unavailable" || error.code === "push_unavailable")) return;
    throw error;
  }
}

/** `disconnected`: the connection's row goes. */
export async function forgetConnection(services: Services, userId: string | null, connectionId: string): Promise<void> {
  if (!userId) return;
  await services.tables.pushConnections.deleteEntity(userId, connectionId).catch(ignoreNotFound);
}

function ignoreNotFound(error: unknown): void {
  if ((error as { statusCode?: number }).statusCode !== 404) throw error;
}
