import type { ClientConnection } from "./clientConnection.js";
import { HttpError, sendJson } from "./httpUtil.js";
import { OutgoingMessage, messageFromRestBody } from "./messages.js";
import { isAllowed, parsePermission, roleName, type Permission } from "./permissions.js";
import type { RestContext } from "./restApi.js";

/**
 * Route table for the data plane (paths after /api/hubs/{hub}), with the
 * status codes the server SDK's generated operations expect: sends 202,
 * deletes and closes 204, puts 200, existence checks 200/404.
 */
export interface Route {
  method: string;
  pattern: string[];
  handler: (ctx: RestContext) => void | Promise<void>;
}

const DEFAULT_CLOSE_REASON = "The connection was closed by the server.";

function route(method: string, path: string, handler: Route["handler"]): Route {
  return { method, pattern: path === "" ? [] : path.split("/"), handler };
}

async function message(ctx: RestContext): Promise<OutgoingMessage> {
  const parsed = messageFromRestBody(ctx.req.headers["content-type"], await ctx.body());
  if ("error" in parsed) {
    throw new HttpError(400, "InvalidPayload", parsed.error);
  }
  return OutgoingMessage.fromServer(parsed.dataType, parsed.dataJson);
}

function connection(ctx: RestContext): ClientConnection | undefined {
  return ctx.hub.connections.get(ctx.param("connectionId"));
}

function permission(ctx: RestContext): Permission {
  const p = parsePermission(ctx.param("permission"));
  if (p === undefined) {
    throw new HttpError(400, "InvalidPermission", `Unknown permission '${ctx.param("permission")}'.`);
  }
  return p;
}

function closeAll(ctx: RestContext, targets: Iterable<ClientConnection>): void {
  const reason = ctx.query("reason") ?? DEFAULT_CLOSE_REASON;
  for (const conn of ctx.hub.select(targets, { excluded: ctx.excluded() })) {
    conn.close(reason);
  }
  ctx.status(204);
}

async function groupsBody(ctx: RestContext): Promise<{ groups: string[]; filter: string | undefined }> {
  let body: unknown;
  try {
    body = JSON.parse((await ctx.body()).toString("utf8"));
  } catch {
    throw new HttpError(400, "InvalidPayload", "The request body is not valid JSON.");
  }
  const { groups, filter } = (body ?? {}) as { groups?: unknown; filter?: unknown };
  if (!Array.isArray(groups) || !groups.every((g) => typeof g === "string" && g.trim() !== "" && g.length <= 1024)) {
    throw new HttpError(400, "InvalidPayload", "'groups' must be an array of group names.");
  }
  return { groups, filter: typeof filter === "string" ? filter : undefined };
}

function listGroupConnections(ctx: RestContext): void {
  const all = [...ctx.hub.groupConnections(ctx.param("group"))];
  const start = Math.max(0, Number(ctx.query("continuationToken") ?? 0) || 0);
  const top = ctx.query("top") === undefined ? all.length : Math.min(all.length, Number(ctx.query("top")) || 0);
  const pageSize = Math.min(200, Math.max(1, Number(ctx.query("maxpagesize")) || 100));
  const end = Math.min(top, start + pageSize);
  const value = all.slice(start, end).map((c) => ({ connectionId: c.id, userId: c.userId }));
  let nextLink: string | undefined;
  if (end < top) {
    const next = new URL(ctx.url);
    next.searchParams.set("continuationToken", String(end));
    nextLink = next.toString();
  }
  sendJson(ctx.res, 200, { value, nextLink });
}

async function generateToken(ctx: RestContext): Promise<void> {
  const clientType = ctx.query("clientType") ?? "Default";
  if (clientType.toLowerCase() !== "default") {
    throw new HttpError(400, "UnsupportedClientType", `clientType '${clientType}' is not supported locally.`);
  }
  const minutes = Number(ctx.query("minutesToExpire") ?? 60);
  const token = await ctx.deps.tokens.signClientToken({
    audience: `http://${ctx.url.host}/client/hubs/${ctx.hubName}`,
    userId: ctx.query("userId"),
    roles: ctx.queryAll("role"),
    groups: ctx.queryAll("group"),
    minutesToExpire: Number.isFinite(minutes) && minutes > 0 ? minutes : 60,
  });
  sendJson(ctx.res, 200, { token });
}

export const API_ROUTES: readonly Route[] = [
  route("POST", ":send", async (ctx) => {
    const msg = await message(ctx);
    ctx.hub.deliverToAll(msg, { excluded: ctx.excluded(), filter: ctx.filter() });
    ctx.status(202);
  }),
  route("POST", ":closeConnections", (ctx) => closeAll(ctx, ctx.hub.connections.values())),
  route("POST", ":generateToken", generateToken),
  route("POST", ":addToGroups", async (ctx) => {
    const { groups, filter } = await groupsBody(ctx);
    for (const conn of ctx.hub.select(ctx.hub.connections.values(), { filter: ctx.filter(filter) })) {
      for (const g of groups) ctx.hub.addToGroup(conn, g);
    }
    ctx.status(200);
  }),
  route("POST", ":removeFromGroups", async (ctx) => {
    const { groups, filter } = await groupsBody(ctx);
    const predicate = ctx.filter(filter);
    for (const g of groups) {
      for (const conn of ctx.hub.select(ctx.hub.groupConnections(g), { filter: predicate })) {
        ctx.hub.removeFromGroup(conn, g);
      }
    }
    ctx.status(200);
  }),

  route("DELETE", "connections/{connectionId}", (ctx) => {
    connection(ctx)?.close(ctx.query("reason") ?? DEFAULT_CLOSE_REASON);
    ctx.status(204);
  }),
  route("HEAD", "connections/{connectionId}", (ctx) => ctx.status(connection(ctx) ? 200 : 404)),
  route("POST", "connections/{connectionId}/:send", async (ctx) => {
    const msg = await message(ctx);
    connection(ctx)?.deliver(msg);
    ctx.status(202);
  }),
  route("DELETE", "connections/{connectionId}/groups", (ctx) => {
    const conn = connection(ctx);
    if (conn) ctx.hub.removeFromAllGroups(conn);
    ctx.status(204);
  }),

  route("HEAD", "groups/{group}", (ctx) => ctx.status(ctx.hub.groupConnections(ctx.param("group")).size > 0 ? 200 : 404)),
  route("POST", "groups/{group}/:closeConnections", (ctx) => closeAll(ctx, ctx.hub.groupConnections(ctx.param("group")))),
  route("POST", "groups/{group}/:send", async (ctx) => {
    const msg = await message(ctx);
    ctx.hub.deliverToGroup(ctx.param("group"), msg, undefined, { excluded: ctx.excluded(), filter: ctx.filter() });
    ctx.status(202);
  }),
  route("GET", "groups/{group}/connections", listGroupConnections),
  route("DELETE", "groups/{group}/connections/{connectionId}", (ctx) => {
    const conn = connection(ctx);
    if (conn) ctx.hub.removeFromGroup(conn, ctx.param("group"));
    ctx.status(204);
  }),
  route("PUT", "groups/{group}/connections/{connectionId}", (ctx) => {
    const conn = connection(ctx);
    if (!conn) throw new HttpError(404, "NotFound", `Connection '${ctx.param("connectionId")}' does not exist.`);
    ctx.hub.addToGroup(conn, ctx.param("group"));
    ctx.status(200);
  }),

  route("PUT", "permissions/{permission}/connections/{connectionId}", (ctx) => {
    const p = permission(ctx);
    const conn = connection(ctx);
    if (!conn) throw new HttpError(404, "NotFound", `Connection '${ctx.param("connectionId")}' does not exist.`);
    conn.roles.add(roleName(p, ctx.query("targetName")));
    ctx.status(200);
  }),
  route("DELETE", "permissions/{permission}/connections/{connectionId}", (ctx) => {
    const p = permission(ctx);
    connection(ctx)?.roles.delete(roleName(p, ctx.query("targetName")));
    ctx.status(204);
  }),
  route("HEAD", "permissions/{permission}/connections/{connectionId}", (ctx) => {
    const p = permission(ctx);
    const conn = connection(ctx);
    const target = ctx.query("targetName");
    const has = conn !== undefined && (target ? isAllowed(conn.roles, p, target) : conn.roles.has(roleName(p)));
    ctx.status(has ? 200 : 404);
  }),

  route("HEAD", "users/{userId}", (ctx) => ctx.status(ctx.hub.userConnections(ctx.param("userId")).size > 0 ? 200 : 404)),
  route("POST", "users/{userId}/:closeConnections", (ctx) => closeAll(ctx, ctx.hub.userConnections(ctx.param("userId")))),
  route("POST", "users/{userId}/:send", async (ctx) => {
    const msg = await message(ctx);
    ctx.hub.deliverToUser(ctx.param("userId"), msg, { filter: ctx.filter() });
    ctx.status(202);
  }),
  route("DELETE", "users/{userId}/groups", (ctx) => {
    for (const conn of ctx.hub.userConnections(ctx.param("userId"))) ctx.hub.removeFromAllGroups(conn);
    ctx.status(204);
  }),
  // User-group membership applies to the user's current connections (including
  // resumable dropped ones); connections opened later don't inherit it.
  route("DELETE", "users/{userId}/groups/{group}", (ctx) => {
    for (const conn of ctx.hub.userConnections(ctx.param("userId"))) ctx.hub.removeFromGroup(conn, ctx.param("group"));
    ctx.status(204);
  }),
  route("PUT", "users/{userId}/groups/{group}", (ctx) => {
    for (const conn of ctx.hub.userConnections(ctx.param("userId"))) ctx.hub.addToGroup(conn, ctx.param("group"));
    ctx.status(200);
  }),
];

/** Test-driver routes: simulate a network drop (sockets killed without a close frame). */
export const LOCAL_ROUTES: readonly Route[] = [
  route("POST", "users/{userId}/:drop", (ctx) =>
    sendJson(ctx.res, 200, { dropped: ctx.deps.drop({ hub: ctx.hubName, userId: ctx.param("userId") }) }),
  ),
  route("POST", ":drop", (ctx) => sendJson(ctx.res, 200, { dropped: ctx.deps.drop({ hub: ctx.hubName }) })),
];
