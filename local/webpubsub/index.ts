import { randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { createClientEndpoint } from "./clientEndpoint.js";
import { UpstreamEvents, type EventHandlerSetting } from "./eventHandlers.js";
import { HubRegistry } from "./hubState.js";
import { createRestHandler } from "./restApi.js";
import { TokenService, entraTestVerifier } from "./tokens.js";

/**
 * A local, in-memory stand-in for Azure Web PubSub that the unchanged official
 * SDKs (@azure/web-pubsub, @azure/web-pubsub-client) can talk to: the REST
 * data plane plus the client WebSocket endpoint with the json and reliable
 * json subprotocols, and the hub settings' upstream event handlers (connect, connected, disconnected).
 */
export interface LocalWebPubSubOptions {
  host?: string; // default "127.0.0.1"
  port?: number; // default 0 = a free port
  accessKey?: string; // default: random base64 key
  reconnectWindowMs?: number; // how long a dropped reliable connection may be resumed; default 60_000
  /** Serve https:// and wss:// with this certificate (the SDKs send bearer tokens over TLS only). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * Identity test mode: also accept REST calls with an Entra-style bearer token (RS256, aud
   * https://webpubsub.azure.com) signed by the private half of this key, as a managed identity's
   * TokenCredential would send it in Azure. Needs `tls`. Never set outside tests (see tokens.ts).
   */
  entraTestKey?: KeyObject;
  /** Event handlers by hub name, as the hub settings configure them in Azure (eventHandlers.ts). */
  eventHandlers?: Record<string, EventHandlerSetting[]>;
}

export interface LocalWebPubSub {
  readonly endpoint: string; // e.g. "http://127.0.0.1:54321"
  readonly connectionString: string; // "Endpoint=http://127.0.0.1;Port=54321;AccessKey=...;Version=1.0;"
  readonly accessKey: string;
  /** Abruptly terminate sockets (no close frame), as a network drop would; reliable connections stay resumable. */
  dropConnections(filter?: { hub?: string; userId?: string }): number;
  /** Replaces a hub's event handler settings (the hub resource's `eventHandlers` in Azure); [] removes them. */
  setEventHandlers(hub: string, handlers: EventHandlerSetting[]): void;
  close(): Promise<void>;
}

export async function startLocalWebPubSub(options: LocalWebPubSubOptions = {}): Promise<LocalWebPubSub> {
  const host = options.host ?? "127.0.0.1";
  const accessKey = options.accessKey ?? randomBytes(32).toString("base64");
  const reconnectWindowMs = options.reconnectWindowMs ?? 60_000;
  const hubs = new HubRegistry();
  const tokens = new TokenService(accessKey);

  const dropConnections = (filter: { hub?: string; userId?: string } = {}): number => {
    let dropped = 0;
    for (const hub of hubs.all()) {
      if (filter.hub !== undefined && hub.name !== filter.hub.toLowerCase()) continue;
      const targets = filter.userId === undefined ? hub.connections.values() : hub.userConnections(filter.userId);
      for (const conn of [...targets]) {
        if (conn.drop()) dropped++;
      }
    }
    return dropped;
  };

  const upstream = new UpstreamEvents(accessKey, host);
  for (const [hub, handlers] of Object.entries(options.eventHandlers ?? {})) upstream.configure(hub, handlers);
  const clients = createClientEndpoint({ hubs, tokens, reconnectWindowMs, upstream });
  if (options.entraTestKey && !options.tls) throw new Error("entraTestKey needs tls: bearer tokens are only sent over TLS");
  const handler = createRestHandler({
    hubs,
    tokens,
    drop: dropConnections,
    ...(options.entraTestKey ? { verifyEntraToken: entraTestVerifier(options.entraTestKey) } : {}),
  });
  const server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createServer(handler);
  // Upgraded sockets leave the HTTP server's bookkeeping; track them so close()
  // can destroy any whose peer never answers the close handshake.
  const upgraded = new Set<Duplex>();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.once("close", () => upgraded.delete(socket));
    clients.handleUpgrade(req, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const scheme = options.tls ? "https" : "http";
  const endpoint = `${scheme}://${urlHost}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    endpoint,
    // The server SDK's parser applies Port to the Endpoint URL; Version is informational.
    connectionString: `Endpoint=${scheme}://${urlHost};Port=${port};AccessKey=${accessKey};Version=1.0;`,
    accessKey,
    dropConnections,
    setEventHandlers: (hub, handlers) => upstream.configure(hub, handlers),
    close() {
      closing ??= (async () => {
        for (const hub of hubs.all()) {
          for (const conn of [...hub.connections.values()]) {
            // A close frame with 1008 rather than a bare drop, so SDK clients
            // that are still running stop trying to recover this connection.
            conn.close("The service is shutting down.");
          }
        }
        clients.close();
        await new Promise<void>((resolve) => {
          server.close(() => {
            clearTimeout(grace);
            resolve();
          });
          server.closeAllConnections();
          const grace = setTimeout(() => {
            for (const socket of upgraded) socket.destroy();
          }, 1_000);
        });
      })();
      return closing;
    },
  };
}
