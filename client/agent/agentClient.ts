import {
  WebPubSubClient,
  WebPubSubJsonReliableProtocol,
  type WebPubSubClientOptions,
} from "@azure/web-pubsub-client";
import type { RecordMatch } from "../../shared/schemas/directory.js";
import type { PopTarget, ScreenPop } from "../../shared/schemas/screenPop.js";
import type { AgentPushMessage } from "../../shared/schemas/push.js";
import { AgentApi, AgentApiError } from "./agentApi.js";
import { PopLedger, webStorage, type KeyValueStorage } from "./popLedger.js";

/** How often an ack answered 404 is tried again (100 ms, doubling) before the pop is given up. */
const ackRetriesWhenNotFound = 4;

type NewRecordTarget = Extract<PopTarget, { kind: "newRecord" }>;
type SearchTarget = Extract<PopTarget, { kind: "search" }>;

/**
 * What the CRM page gives the client: how to open a record, a search and a prefilled new-record form.
 * Each may return a promise; a pop is acknowledged once it resolves. `pop` is the screen pop that asked
 * for it, or undefined when a widget did.
 */
export interface AgentAdapter {
  openRecord(record: RecordMatch, pop?: ScreenPop): void | Promise<void>;
  openSearch(search: { query: string; results: RecordMatch[] }, pop?: ScreenPop): void | Promise<void>;
  openNewRecord(form: { recordType: NewRecordTarget["recordType"]; prefill: NewRecordTarget["prefill"] }, pop?: ScreenPop): void | Promise<void>;
}

export type AgentClientState = "idle" | "connecting" | "connected" | "reconnecting" | "stopped";

/** How a pop that reached the client ended. */
export type PopOutcome = "opened" | "expired" | "adapterFailed";

export interface AgentClientEvents {
  state: AgentClientState;
  pop: { pop: ScreenPop; outcome: PopOutcome; via: "push" | "catchUp" };
  /** Every other message the service pushes (activity on a timeline, presence…): see docs/push-protocol.md. */
  message: Exclude<AgentPushMessage, { kind: "screenPop" }>;
  error: Error;
}

export interface AgentClientOptions {
  adapter: AgentAdapter;
  /** Base URL of the WebCTI API; default "/api" on the page's origin. */
  apiBase?: string;
  /** Where handled pop ids are kept; default sessionStorage (survives a reload of the tab). */
  storage?: KeyValueStorage;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
  /** Passed to the Web PubSub client (reconnect timing, for example). */
  webPubSub?: Pick<WebPubSubClientOptions, "reconnectRetryOptions" | "messageRetryOptions">;
  /** Delay before starting over when the connection gave up (doubles up to 30 s). Default 1000 ms. */
  restartDelayMs?: number;
}

export interface AgentClient {
  readonly state: AgentClientState;
  /** Connects; resolves once connected (rejects if the agent is not signed in or the first connection fails). */
  start(): Promise<void>;
  stop(): void;
  on<K extends keyof AgentClientEvents>(event: K, handler: (value: AgentClientEvents[K]) => void): () => void;
}

/**
 * The browser client's core: keeps one Web PubSub connection for the signed-in agent (negotiate, reliable
 * JSON subprotocol, reconnection with replay), catches up on pops missed while no connection was up,
 * opens each pop once through the page's adapter and acknowledges it.
 */
export function createAgentClient(options: AgentClientOptions): AgentClient {
  const api = new AgentApi({ apiBase: options.apiBase ?? "/api", fetch: options.fetch, headers: options.headers });
  const storage = options.storage ?? webStorage("sessionStorage");
  const handlers = new Map<keyof AgentClientEvents, Set<(value: never) => void>>();
  let state: AgentClientState = "idle";
  let ws: WebPubSubClient | undefined;
  let ledger: PopLedger | undefined;
  let stopped = false;
  let restartDelay = options.restartDelayMs ?? 1000;
  let restartTimer: ReturnType<typeof setTimeout> | undefined;
  // Pops are handled one at a time, in arrival order.
  let queue: Promise<void> = Promise.resolve();

  function emit<K extends keyof AgentClientEvents>(event: K, value: AgentClientEvents[K]) {
    for (const handler of handlers.get(event) ?? []) {
      try {
        (handler as (v: AgentClientEvents[K]) => void)(value);
      } catch (error) {
        console.error("WebCTI agent client: an event handler threw", error);
      }
    }
  }

  function setState(next: AgentClientState) {
    if (state === next) return;
    state = next;
    emit("state", next);
  }

  function enqueue(work: () => Promise<void>) {
    queue = queue.then(work).catch((error: unknown) => emit("error", asError(error)));
    return queue;
  }

  async function handlePop(pop: ScreenPop, via: "push" | "catchUp", traceparent?: string) {
    if (!ledger || ledger.has(pop.id)) return;
    const eventKey = `event:${pop.providerId}/${pop.conversationId}/${pop.eventId}`;
    if (ledger.has(eventKey)) {
      // Another pop for an event already shown (the partner retried it): not shown again, but
      // acknowledged, so whichever pop id the partner holds reads "delivered".
      ledger.markHandled(pop.id, pop.seq, true);
      void acknowledge(pop.id, traceparent);
      return;
    }
    if (pop.status !== "queued" || Date.parse(pop.expiresAt) <= Date.now()) {
      ledger.markHandled(pop.id, pop.seq, false);
      emit("pop", { pop, outcome: "expired", via });
      return;
    }
    ledger.markHandled(pop.id, pop.seq, true, eventKey);
    try {
      await openTarget(pop);
    } catch (error) {
      // Not shown, so not acknowledged: the partner sees the pop expire rather than a false "delivered".
      ledger.markAcknowledged(pop.id);
      emit("pop", { pop, outcome: "adapterFailed", via });
      emit("error", asError(error));
      return;
    }
    emit("pop", { pop, outcome: "opened", via });
    void acknowledge(pop.id, traceparent);
  }

  async function openTarget(pop: ScreenPop) {
    const target = pop.target;
    const { adapter } = options;
    switch (target.kind) {
      case "record":
        return adapter.openRecord(target.record, pop);
      case "search":
        return adapter.openSearch({ query: (target as SearchTarget).query, results: target.results }, pop);
      case "newRecord":
        return adapter.openNewRecord({ recordType: target.recordType, prefill: target.prefill }, pop);
    }
  }

  async function acknowledge(popId: string, traceparent?: string) {
    // The service pushes a pop while it stores it, so an ack can arrive first and find nothing yet.
    for (let attempt = 0; ; attempt++) {
      try {
        await api.acknowledge(popId, traceparent);
        ledger?.markAcknowledged(popId);
        return;
      } catch (error) {
        const notStoredYet = error instanceof AgentApiError && error.code === "not_found" && attempt < ackRetriesWhenNotFound;
        if (notStoredYet && !stopped) {
          await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
          continue;
        }
        // A retryable failure keeps the id for the next catch-up; an answer such as 409 (expired) is final.
        if (!(error instanceof AgentApiError && error.retryable)) ledger?.markAcknowledged(popId);
        emit("error", asError(error));
        return;
      }
    }
  }

  async function catchUp() {
    if (!ledger) return;
    for (const popId of [...ledger.unacked]) await acknowledge(popId);
    const { pops } = await api.pendingPops(ledger.lastSeq);
    for (const pop of pops) await handlePop(pop, "catchUp");
  }

  function onServerMessage(data: unknown) {
    const message = data as Partial<AgentPushMessage> | undefined;
    if (!message || message.v !== 1 || typeof message.kind !== "string") return;
    if (message.kind !== "screenPop") return emit("message", message as AgentClientEvents["message"]);
    if (!isPop(message.pop)) return;
    const { pop, traceparent } = message;
    void enqueue(() => handlePop(pop, "push", traceparent));
  }

  async function connect(): Promise<void> {
    setState("connecting");
    const first = await api.negotiate();
    ledger ??= new PopLedger(storage, `webcti.agent.${first.userId}`);
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
      restartDelay = options.restartDelayMs ?? 1000;
      setState("connected");
      void enqueue(catchUp);
    });
    client.on("disconnected", () => {
      if (!stopped) setState("reconnecting");
    });
    client.on("stopped", () => {
      if (stopped || ws !== client) return;
      // The SDK gave up reconnecting (for example the API was down): start over after a pause.
      setState("reconnecting");
      scheduleRestart();
    });
    client.on("server-message", (event) => onServerMessage(event.message.data));
    await client.start();
  }

  function scheduleRestart() {
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => {
      if (stopped) return;
      connect().catch((error: unknown) => {
        emit("error", asError(error));
        if (error instanceof AgentApiError && !error.retryable) return stop();
        restartDelay = Math.min(restartDelay * 2, 30_000);
        scheduleRestart();
      });
    }, restartDelay);
  }

  function stop() {
    stopped = true;
    clearTimeout(restartTimer);
    ws?.stop();
    ws = undefined;
    setState("stopped");
  }

  return {
    get state() {
      return state;
    },
    async start() {
      if (state !== "idle" && state !== "stopped") return;
      stopped = false;
      try {
        await connect();
      } catch (error) {
        setState("stopped");
        throw error;
      }
    },
    stop,
    on(event, handler) {
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      set.add(handler as (value: never) => void);
      return () => set.delete(handler as (value: never) => void);
    },
  };
}

function isPop(value: unknown): value is ScreenPop {
  const pop = value as Partial<ScreenPop> | undefined;
  return (
    typeof pop?.id === "string" &&
    typeof pop.seq === "string" &&
    /^\d{20}$/.test(pop.seq) &&
    typeof pop.expiresAt === "string" &&
    typeof pop.target === "object" &&
    pop.target !== null &&
    ["record", "search", "newRecord"].includes((pop.target as { kind: string }).kind)
  );
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
