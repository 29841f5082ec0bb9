import type { RecordMatch } from "../../shared/schemas/directory.js";
import type { PopTarget, ScreenPop } from "../../shared/schemas/screenPop.js";
import type { AgentPushMessage } from "../../shared/schemas/push.js";
import { popSeqPattern } from "../../shared/schemas/patterns.js";
import { createEmitter } from "../emitter.js";
import { AgentApi } from "./agentApi.js";
import { createAgentConnection } from "./agentConnection.js";
import type { GetToken } from "./agentToken.js";
import { PopLedger, webStorage, type KeyValueStorage } from "./popLedger.js";
import { asError, createPopPipeline } from "./popPipeline.js";
import type { CrmRecordsAdapter } from "./crmAdapter.js";

type NewRecordTarget = Extract<PopTarget, { kind: "newRecord" }>;

/**
 * What the CRM page gives the client: how to open a record, a search and a prefilled new-record form.
 * Each may return a promise; a pop is acknowledged once it resolves. `pop` is the screen pop that asked
 * for it, or undefined when a widget did.
 *
 * When the tenant's records live in the CRM (`crm.records` = `host`), the page also implements the record
 * operations of CrmRecordsAdapter (crmAdapter.ts): `search` finds the caller for screen pops, and the
 * widgets' record calls go to the others.
 */
export interface AgentAdapter extends CrmRecordsAdapter {
  openRecord(record: RecordMatch, pop?: ScreenPop): void | Promise<void>;
  openSearch(search: { query: string; results: RecordMatch[] }, pop?: ScreenPop): void | Promise<void>;
  openNewRecord(form: { recordType: NewRecordTarget["recordType"]; prefill: NewRecordTarget["prefill"] }, pop?: ScreenPop): void | Promise<void>;
}

/**
 * The Web PubSub client's retry options (its `WebPubSubRetryOptions`), written out so the npm package's
 * types need no @azure/web-pubsub-client.
 */
export interface WebPubSubRetryOptions {
  maxRetries?: number;
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
  mode?: "Exponential" | "Fixed";
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
  /**
   * Base URL of the WebCTI API; default "/api" on the page's origin. A CRM page on its own origin gives
   * WebCTI's absolute URL ("https://webcti.example.com/api") and `getToken`.
   */
  apiBase?: string;
  /**
   * Signs the agent in without cookies: every call sends `Authorization: Bearer <token>` (credentials
   * "omit"); the token is asked for again 60 s before its `expiresAt` and once after a 401. Without it,
   * the session cookie of the page's own origin (the reference desktop).
   */
  getToken?: GetToken;
  /** Where handled pop ids are kept; default sessionStorage (survives a reload of the tab). */
  storage?: KeyValueStorage;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
  /** Passed to the Web PubSub client (reconnect timing, for example). */
  webPubSub?: { reconnectRetryOptions?: WebPubSubRetryOptions; messageRetryOptions?: WebPubSubRetryOptions };
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
 * The browser client's core: keeps one Web PubSub connection for the signed-in agent (agentConnection.ts),
 * catches up on pops missed while no connection was up, and opens each pop once through the page's
 * adapter and acknowledges it (popPipeline.ts).
 */
export function createAgentClient(options: AgentClientOptions): AgentClient {
  const api = new AgentApi({ apiBase: options.apiBase ?? "/api", fetch: options.fetch, headers: options.headers, getToken: options.getToken });
  const storage = options.storage ?? webStorage("sessionStorage");
  const events = createEmitter<AgentClientEvents>("WebCTI agent client");
  let state: AgentClientState = "idle";
  let ledger: PopLedger | undefined;
  let stopped = false;
  // Pops are handled one at a time, in arrival order.
  let queue: Promise<void> = Promise.resolve();

  const setState = (next: AgentClientState) => {
    if (state === next) return;
    state = next;
    events.emit("state", next);
  };
  const enqueue = (work: () => Promise<void>) => {
    queue = queue.then(work).catch((error: unknown) => events.emit("error", asError(error)));
    return queue;
  };
  const pops = createPopPipeline({ api, adapter: options.adapter, events, ledger: () => ledger, stopped: () => stopped });
  const connection = createAgentConnection({
    api,
    ...(options.webPubSub ? { webPubSub: options.webPubSub } : {}),
    ...(options.restartDelayMs !== undefined ? { restartDelayMs: options.restartDelayMs } : {}),
    onNegotiated: (first) => {
      ledger ??= new PopLedger(storage, `webcti.agent.${first.userId}`);
      // The tabs elect the one used last: this tab must be known to the others, and its clicks counted, from now.
      pops.joinTabs();
    },
    onConnecting: () => setState("connecting"),
    onConnected: () => {
      setState("connected");
      void enqueue(pops.catchUp);
    },
    onReconnecting: () => setState("reconnecting"),
    onResumed: () => setState("connected"),
    onMessage: (data) => {
      const message = data as Partial<AgentPushMessage> | undefined;
      if (!message || message.v !== 1 || typeof message.kind !== "string") return;
      if (message.kind !== "screenPop") return events.emit("message", message as AgentClientEvents["message"]);
      if (!isPop(message.pop)) return;
      const { pop, traceparent } = message;
      void enqueue(() => pops.handle(pop, "push", traceparent));
    },
    onRestartFailed: (error, final) => {
      events.emit("error", asError(error));
      if (final) stop();
    },
  });

  function stop() {
    stopped = true;
    connection.stop();
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
        await connection.start();
      } catch (error) {
        setState("stopped");
        throw error;
      }
    },
    stop,
    on: events.on,
  };
}

function isPop(value: unknown): value is ScreenPop {
  const pop = value as Partial<ScreenPop> | undefined;
  return (
    typeof pop?.id === "string" &&
    typeof pop.seq === "string" &&
    popSeqPattern.test(pop.seq) &&
    typeof pop.expiresAt === "string" &&
    typeof pop.target === "object" &&
    pop.target !== null &&
    ["record", "search", "newRecord", "lookup"].includes((pop.target as { kind: string }).kind)
  );
}
