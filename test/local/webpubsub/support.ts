import { WebPubSubServiceClient } from "@azure/web-pubsub";
import {
  WebPubSubClient,
  WebPubSubJsonProtocol,
  WebPubSubJsonReliableProtocol,
  type GroupDataMessage,
  type ServerDataMessage,
  type WebPubSubClientOptions,
} from "@azure/web-pubsub-client";
import { SignJWT } from "jose";
import WebSocket from "ws";
import type { LocalWebPubSub } from "../../../local/webpubsub/index.js";

/** Shared helpers for the local Web PubSub tests: SDK clients, raw sockets, waiting. */

export const PROTOCOLS = {
  json: WebPubSubJsonProtocol,
  reliable: WebPubSubJsonReliableProtocol,
} as const;
export type ProtocolName = keyof typeof PROTOCOLS;

export function serviceClient(service: LocalWebPubSub, hub: string, connectionString = service.connectionString) {
  return new WebPubSubServiceClient(connectionString, hub, {
    allowInsecureConnection: true,
    retryOptions: { maxRetries: 0 },
  });
}

/** Polls until `check` returns a truthy value; fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 5_000,
  what = "condition",
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface TestClient {
  client: WebPubSubClient;
  connectionId: string;
  server: ServerDataMessage[];
  group: GroupDataMessage[];
  disconnected: number;
  stopped: boolean;
  connectedEvents: number;
}

export interface ClientSpec {
  protocol?: ProtocolName;
  userId?: string;
  roles?: string[];
  groups?: string[];
  options?: WebPubSubClientOptions;
}

/** Starts an SDK client with a token from the server SDK and records everything it receives. */
export async function connectClient(hubClient: WebPubSubServiceClient, spec: ClientSpec = {}): Promise<TestClient> {
  const client = new WebPubSubClient(
    {
      getClientAccessUrl: async () =>
        (await hubClient.getClientAccessToken({ userId: spec.userId, roles: spec.roles, groups: spec.groups })).url,
    },
    {
      protocol: PROTOCOLS[spec.protocol ?? "json"](),
      messageRetryOptions: { maxRetries: 0 },
      ...spec.options,
    },
  );
  const state: TestClient = {
    client,
    connectionId: "",
    server: [],
    group: [],
    disconnected: 0,
    stopped: false,
    connectedEvents: 0,
  };
  client.on("connected", (e) => {
    state.connectionId = e.connectionId;
    state.connectedEvents++;
  });
  client.on("server-message", (e) => state.server.push(e.message));
  client.on("group-message", (e) => state.group.push(e.message));
  client.on("disconnected", () => state.disconnected++);
  client.on("stopped", () => (state.stopped = true));
  await client.start();
  await waitFor(() => state.connectionId !== "", 5_000, "connected event");
  started.add(state);
  return state;
}

const started = new Set<TestClient>();

/** Stops every client started by connectClient (call from afterEach). */
export async function stopAllClients(): Promise<void> {
  const all = [...started];
  started.clear();
  for (const c of all) c.client.stop();
  await Promise.all(all.map((c) => waitFor(() => c.stopped, 5_000, "client stopped").catch(() => undefined)));
}

/** A token signed like the server SDK's REST policy (aud = full request URL). */
export async function restToken(
  accessKey: string,
  url: string,
  opts: { expiresIn?: string | number; audience?: string } = {},
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setAudience(opts.audience ?? url)
    .setExpirationTime(opts.expiresIn ?? "1h")
    .sign(new TextEncoder().encode(accessKey));
}

export async function clientToken(
  service: LocalWebPubSub,
  hub: string,
  claims: Record<string, unknown>,
  opts: { key?: string; expiresIn?: string | number; sub?: string } = {},
): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setAudience(`${service.endpoint}/client/hubs/${hub}`)
    .setExpirationTime(opts.expiresIn ?? "1h");
  if (opts.sub !== undefined) jwt.setSubject(opts.sub);
  return jwt.sign(new TextEncoder().encode(opts.key ?? service.accessKey));
}

export function clientUrl(service: LocalWebPubSub, hub: string, query: Record<string, string>): string {
  const url = new URL(`${service.endpoint.replace(/^http/, "ws")}/client/hubs/${hub}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url.toString();
}

/** A raw WebSocket that queues parsed JSON frames, for cases the SDK cannot express. */
export class RawClient {
  readonly frames: Record<string, unknown>[] = [];
  closeCode: number | undefined;
  private cursor = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => this.frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
    ws.on("close", (code) => (this.closeCode = code));
  }

  static open(url: string, protocol: string | undefined): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = protocol === undefined ? new WebSocket(url) : new WebSocket(url, protocol);
      const raw = new RawClient(ws);
      ws.once("open", () => resolve(raw));
      ws.once("unexpected-response", (_req, res) => {
        ws.terminate();
        reject(new Error(`HTTP ${res.statusCode}`));
      });
      ws.once("error", reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** The next frame not yet consumed that matches `predicate`. */
  async next(predicate: (f: Record<string, unknown>) => boolean = () => true, timeoutMs = 5_000) {
    return waitFor(
      () => {
        for (let i = this.cursor; i < this.frames.length; i++) {
          const f = this.frames[i]!;
          if (predicate(f)) {
            this.cursor = i + 1;
            return f;
          }
        }
        return undefined;
      },
      timeoutMs,
      "frame",
    );
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}

/** Resolves with the HTTP status of a refused WebSocket handshake. */
export function refusedStatus(url: string, protocol = "json.webpubsub.azure.v1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocol);
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once("open", () => {
      ws.terminate();
      reject(new Error("connection was accepted"));
    });
    ws.once("error", () => undefined);
  });
}

/**
 * Opens a WebSocket (the reliable JSON subprotocol unless given another) and waits for the service's
 * `connected` frame; the socket (added to `opened`, for the caller to terminate) and its connection id.
 */
export function openConnected(url: string, opened: WebSocket[], protocol = "json.reliable.webpubsub.azure.v1"): Promise<{ ws: WebSocket; connectionId: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocol);
    opened.push(ws);
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as { type?: string; event?: string; connectionId?: string };
      if (frame.type === "system" && frame.event === "connected") resolve({ ws, connectionId: frame.connectionId! });
    });
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
}
