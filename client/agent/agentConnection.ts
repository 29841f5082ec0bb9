import {
  WebPubSubClient,
  WebPubSubJsonReliableProtocol,
  type WebPubSubClientOptions,
} from "@azure/web-pubsub-client";
import type { NegotiateResponse } from "../../shared/schemas/agent.js";
import { AgentApiError, type AgentApi } from "./agentApi.js";

export interface AgentConnectionOptions {
  api: AgentApi;
  webPubSub?: Pick<WebPubSubClientOptions, "reconnectRetryOptions" | "messageRetryOptions">;
  /** Delay before starting over when the connection gave up (doubles up to 30 s). Default 1000 ms. */
  restartDelayMs?: number;
  /** Before the connection starts, with the first negotiate's answer (whose user it is). */
  onNegotiated(first: NegotiateResponse): void;
  onConnecting(): void;
  /** Each (re)connection: time to catch up on what was missed. */
  onConnected(): void;
  /** A drop the SDK tries to resume, or a start-over after it gave up. */
  onReconnecting(): void;
  /** The SDK resumed the dropped connection (the service replays what it missed: no catch-up needed). */
  onResumed(): void;
  onMessage(data: unknown): void;
  /** A start-over failed; `final` when it will not be tried again (the agent is signed out, say). */
  onRestartFailed(error: unknown, final: boolean): void;
}

export interface AgentConnection {
  /** Connects; rejects when the first negotiate or connection fails. */
  start(): Promise<void>;
  stop(): void;
}

/**
 * One Web PubSub connection for the signed-in agent: negotiate, the reliable JSON subprotocol (the
 * service replays what a resumed connection missed), the SDK's own reconnection, and when the SDK gives
 * up, a start-over after a pause that doubles up to 30 s.
 */
export function createAgentConnection(options: AgentConnectionOptions): AgentConnection {
  const { api } = options;
  const firstRestartDelay = options.restartDelayMs ?? 1000;
  let ws: WebPubSubClient | undefined;
  let stopped = false;
  let restartDelay = firstRestartDelay;
  let restartTimer: ReturnType<typeof setTimeout> | undefined;

  async function connect(): Promise<void> {
    options.onConnecting();
    const first = await api.negotiate();
    options.onNegotiated(first);
    let pending: string | undefined = first.url;
    const client = new WebPubSubClient(
      {
        // The first URL comes from the negotiate above; reconnections negotiate again (fresh token).
        getClientAccessUrl: async () => {
          const url = pending ?? (await api.negotiate()).url;
          pending = undefined;
          return url;
        },
      },
      { protocol: WebPubSubJsonReliableProtocol(), autoReconnect: true, ...options.webPubSub },
    );
    ws = client;
    watchSockets(client, {
      closed: () => void (!stopped && ws === client && options.onReconnecting()),
      reopened: () => void (!stopped && ws === client && options.onResumed()),
    });
    client.on("connected", () => {
      restartDelay = firstRestartDelay;
      options.onConnected();
    });
    client.on("disconnected", () => {
      if (!stopped) options.onReconnecting();
    });
    client.on("stopped", () => {
      if (stopped || ws !== client) return;
      // The SDK gave up reconnecting (for example the API was down): start over after a pause.
      options.onReconnecting();
      scheduleRestart();
    });
    client.on("server-message", (event) => options.onMessage(event.message.data));
    await client.start();
  }

  function scheduleRestart() {
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => {
      if (stopped) return;
      connect().catch((error: unknown) => {
        const final = error instanceof AgentApiError && !error.retryable;
        options.onRestartFailed(error, final);
        if (final) return;
        restartDelay = Math.min(restartDelay * 2, 30_000);
        scheduleRestart();
      });
    }, restartDelay);
  }

  return {
    start() {
      stopped = false;
      return connect();
    },
    stop() {
      stopped = true;
      clearTimeout(restartTimer);
      ws?.stop();
      ws = undefined;
    },
  };
}

/** The SDK's WebSocket wrapper, as far as opening and closing go. */
interface WatchedSocket {
  onopen(listener: () => void): void;
  onclose(listener: (code: number, reason: string) => void): void;
}

type SocketFactory = { create(uri: string, protocol: string): WatchedSocket };

/**
 * Tells at once when the Web PubSub client's socket closes and when one opens after that. On a drop the SDK
 * resumes a reliable connection for up to 30 s before it emits "disconnected" (and emits nothing when it
 * resumed), so a page would say "connected" all that time. The socket factory it creates each socket with
 * (`_getWebSocketClientFactory`, internal to @azure/web-pubsub-client 1.0.x, whose minor version the
 * package pins) is where both are seen; test/client/agent/agentClient.test.ts fails if an SDK moves it.
 */
function watchSockets(client: WebPubSubClient, on: { closed(): void; reopened(): void }): void {
  let dropped = false;
  const internal = client as unknown as { _getWebSocketClientFactory(): SocketFactory };
  const sdkFactory = internal._getWebSocketClientFactory.bind(client);
  internal._getWebSocketClientFactory = () => ({
    create: (uri, protocol) => {
      const socket = sdkFactory().create(uri, protocol);
      const onopen = socket.onopen.bind(socket);
      const onclose = socket.onclose.bind(socket);
      socket.onopen = (listener) =>
        onopen(() => {
          listener();
          if (dropped) on.reopened();
          dropped = false;
        });
      socket.onclose = (listener) =>
        onclose((code, reason) => {
          dropped = true;
          on.closed();
          listener(code, reason);
        });
      return socket;
    },
  });
}
