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
