import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { ClientConnection, CLOSE_SESSION_REMOVED, SUBPROTOCOLS, newConnectionId, type ProtocolKind } from "./clientConnection.js";
import type { ConnectionContext, UpstreamEvents } from "./eventHandlers.js";
import { bearerToken } from "./httpUtil.js";
import { HUB_NAME, type Hub, type HubRegistry } from "./hubState.js";
import type { JWTPayload } from "jose";
import { systemDisconnectedFrame } from "./messages.js";
import { rolesFromClaim } from "./permissions.js";
import { clientAudienceMatcher, type TokenService } from "./tokens.js";

export interface ClientEndpointDeps {
  hubs: HubRegistry;
  tokens: TokenService;
  reconnectWindowMs: number;
  upstream: UpstreamEvents;
}

const STATUS_TEXT: Record<number, string> = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 500: "Internal Server Error" };

/** The first subprotocol the client offers that we speak, or false (ws then answers without one). */
function chooseSubprotocol(offered: Iterable<string>): string | false {
  for (const p of offered) {
    if (p in SUBPROTOCOLS) return p;
  }
  return false;
}

function offeredSubprotocols(req: IncomingMessage): string[] {
  const header = req.headers["sec-websocket-protocol"];
  return header === undefined ? [] : header.split(",").map((p) => p.trim()).filter((p) => p !== "");
}

/** Refuses the upgrade with a plain HTTP response, as the service does for a bad token. */
function reject(socket: Duplex, status: number, text: string, detail: string): void {
  const body = JSON.stringify({ code: text.replace(/ /g, ""), message: detail });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The client endpoint: `/client/hubs/{hub}` (or `/client?hub={hub}`) with the
 * token in `access_token` or an Authorization header. A request carrying
 * `awps_connection_id` + `awps_reconnection_token` resumes a reliable
 * connection instead; per the reliable-client guide it needs no access token,
 * and an unknown or expired session is declined by accepting the socket and
 * closing it with 1008, which tells the SDK to stop recovering.
 */
export function createClientEndpoint(deps: ClientEndpointDeps) {
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: 2 * 1024 * 1024,
    handleProtocols: (protocols) => chooseSubprotocol(protocols),
  });

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => socket.destroy());
    const target = upgradeTarget(req);
    if ("refused" in target) return reject(socket, ...target.refused);
    const { url, match, rawHub, subprotocol, protocol } = target;
    const hub = deps.hubs.get(rawHub);

    const resumeId = url.searchParams.get("awps_connection_id");
    if (resumeId !== null) return resume(wss, { req, socket, head }, hub.connections.get(resumeId), protocol, url);

    const token = url.searchParams.get("access_token") ?? bearerToken(req);
    const path = match ? url.pathname : `/client/hubs/${rawHub}`;
    const claims = token === null || token === undefined
      ? undefined
      : deps.tokens.verify(token, clientAudienceMatcher(url.host, path));
    if (claims === undefined) {
      return reject(socket, 401, "Unauthorized", "A valid access_token for this hub is required.");
    }
    await acceptNew(req, socket, head, hub, protocol, subprotocol === false ? undefined : subprotocol, url, claims);
  }

  /** A new connection: the hub's `connect` handler, if any, decides before the socket is accepted (reference-cloud-events). */
  async function acceptNew(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    hub: Hub,
    protocol: ProtocolKind,
    subprotocol: string | undefined,
    url: URL,
    claims: JWTPayload,
  ): Promise<void> {
    const ctx: ConnectionContext = {
      hub: hub.name,
      connectionId: newConnectionId(),
      userId: typeof claims.sub === "string" && claims.sub !== "" ? claims.sub : undefined,
      subprotocol,
    };
    const outcome = await deps.upstream.connect(ctx, req, url, claims as Record<string, unknown>);
    if (!outcome.accepted) {
      return reject(socket, outcome.status, STATUS_TEXT[outcome.status]!, outcome.message);
    }
    const accepted = outcome.response;
    const userId = accepted.userId ?? ctx.userId;
    const roles = rolesFromClaim(claims.role);
    for (const role of accepted.roles ?? []) roles.add(role);
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const conn = new ClientConnection({
        hub,
        protocol,
        userId,
        roles,
        reconnectWindowMs: deps.reconnectWindowMs,
        id: ctx.connectionId,
        onFinished: (_conn, reason) => deps.upstream.notify("disconnected", { ...ctx, userId }, reason === undefined ? {} : { reason }),
      });
      hub.add(conn);
      for (const g of [...groupsOfToken(claims["webpubsub.group"]), ...(accepted.groups ?? [])]) {
        if (typeof g === "string" && g.trim() !== "") hub.addToGroup(conn, g);
      }
      conn.attach(ws, socket);
      deps.upstream.notify("connected", { ...ctx, userId }, {});
    });
  }

  return {
    handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      handleUpgrade(req, socket, head).catch(() => socket.destroy());
    },
    close: () => wss.close(),
  };
}

/**
 * Resumes a reliable connection (`awps_connection_id` + `awps_reconnection_token`): re-attached when the
 * session is known and not over; otherwise the socket is accepted and closed with 1008, which tells the SDK
 * to stop recovering.
 */
function resume(
  wss: WebSocketServer,
  upgrade: { req: IncomingMessage; socket: Duplex; head: Buffer },
  conn: ClientConnection | undefined,
  protocol: ProtocolKind,
  url: URL,
): void {
  const ok = conn !== undefined && conn.protocol === "reliable" && protocol === "reliable" && conn.reconnectionToken === url.searchParams.get("awps_reconnection_token");
  wss.handleUpgrade(upgrade.req, upgrade.socket, upgrade.head, (ws: WebSocket) => {
    if (ok && !conn.isClosed) {
      conn.attach(ws, upgrade.socket);
    } else {
      ws.send(systemDisconnectedFrame("The connection cannot be recovered."));
      ws.close(CLOSE_SESSION_REMOVED, "Invalid or expired connection.");
    }
  });
}

type UpgradeTarget =
  | { url: URL; match: RegExpExecArray | null; rawHub: string; subprotocol: string | false; protocol: ProtocolKind }
  | { refused: [status: number, statusText: string, message: string] };

/** The hub and subprotocol an upgrade asks for, or why it is refused (unknown endpoint, bad hub name, subprotocol). */
function upgradeTarget(req: IncomingMessage): UpgradeTarget {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  const match = /^\/client\/hubs\/([^/]+)\/?$/.exec(url.pathname);
  const rawHub = match ? decodeURIComponent(match[1]!) : /^\/client\/?$/.test(url.pathname) ? url.searchParams.get("hub") : null;
  if (rawHub === null) return { refused: [404, "Not Found", "Unknown WebSocket endpoint."] };
  if (!HUB_NAME.test(rawHub)) return { refused: [400, "Bad Request", `Invalid hub name '${rawHub}'.`] };
  const offered = offeredSubprotocols(req);
  const subprotocol = chooseSubprotocol(offered);
  if (offered.length > 0 && subprotocol === false) return { refused: [400, "Bad Request", `Unsupported subprotocol(s): ${offered.join(", ")}.`] };
  const protocol: ProtocolKind = subprotocol === false ? "simple" : SUBPROTOCOLS[subprotocol]!;
  return { url, match, rawHub, subprotocol, protocol };
}

/** The groups a client token's `webpubsub.group` claim names (one or several). */
function groupsOfToken(claim: unknown): unknown[] {
  return Array.isArray(claim) ? claim : typeof claim === "string" ? [claim] : [];
}
