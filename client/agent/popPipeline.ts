import type { ScreenPop } from "../../shared/schemas/screenPop.js";
import { firstPopSeq, pendingPopsPerPage } from "../../shared/schemas/patterns.js";
import type { Emitter } from "../emitter.js";
import { AgentApiError, type AgentApi } from "./agentApi.js";
import type { AgentAdapter, AgentClientEvents } from "./agentClient.js";
import type { PopLedger } from "./popLedger.js";
import { resolveLookupPop } from "./resolveLookupPop.js";
import { joinTabs, type TabCoordinator } from "./tabCoordinator.js";
import { createTakeovers } from "./popTakeovers.js";

/** How often an ack answered 404 is tried again (100 ms, doubling) before the pop is given up. */
const ackRetriesWhenNotFound = 4;

export interface PopPipelineOptions {
  api: AgentApi;
  adapter: AgentAdapter;
  events: Emitter<AgentClientEvents>;
  /** Undefined until the first negotiate says whose ledger it is. */
  ledger(): PopLedger | undefined;
  /** Whether the client was stopped: a stopped client no longer retries acks. */
  stopped(): boolean;
  /** The agent's tabs on this origin, by the ledger's key (default joinTabs: tabCoordinator.ts). */
  tabs?: (key: string) => TabCoordinator;
}

export interface PopPipeline {
  /** Opens a pop once (de-duplicated by the ledger) through the adapter, then acknowledges it. */
  handle(pop: ScreenPop, via: "push" | "catchUp", traceparent?: string): Promise<void>;
  /** After a (re)connection: acks still owed, then the pops queued since the last one handled. */
  catchUp(): Promise<void>;
  /** Joins the agent's other tabs as soon as the ledger is known, so this tab's use counts before its first pop. */
  joinTabs(): void;
}

/**
 * What happens to a pop that reached the client: which of the agent's tabs opens it (the one used last:
 * tabCoordinator.ts), dedupe (by pop id, and by the partner's event, so a retried event is not shown
 * twice), the adapter call, and the acknowledgement with its retries.
 */
export function createPopPipeline({ api, adapter, events, ledger, stopped, tabs: tabsFor = joinTabs }: PopPipelineOptions): PopPipeline {
  const waiting = createTakeovers(open, (error) => events.emit("error", asError(error)));
  const acknowledge = createAcknowledger({ api, events, ledger, stopped });

  async function handle(pop: ScreenPop, via: "push" | "catchUp", traceparent?: string) {
    const handled = ledger();
    if (!handled || handled.has(pop.id) || waiting.has(pop.id)) return;
    const tabs = tabsFor(handled.key);
    waiting.watch(tabs);
    // Another of the agent's tabs was used last: it opens the pop, unless it does not within takeoverMs.
    if (!(await tabs.isElected())) return waiting.add(tabs, pop, via, traceparent);
    await open(pop, via, traceparent);
  }

  async function open(pop: ScreenPop, via: "push" | "catchUp", traceparent?: string) {
    const handled = ledger();
    if (!handled || handled.has(pop.id) || stopped()) return;
    const eventKey = eventKeyOf(pop);
    const claim = await tabsFor(handled.key).claim(pop.id, eventKey, Date.parse(pop.expiresAt));
    if (handled.has(pop.id)) return;
    if (!claim.won) {
      // Another tab opened it (or reported it expired): this one does nothing, and acknowledges nothing.
      handled.markHandled(pop.id, false);
      return;
    }
    if (claim.eventShown || handled.has(eventKey)) {
      // Another pop for an event already shown (the partner retried it): not shown again, but
      // acknowledged, so whichever pop id the partner holds reads "delivered".
      handled.markHandled(pop.id, true);
      void acknowledge(pop.id, traceparent);
      return;
    }
    if (pop.status !== "queued" || Date.parse(pop.expiresAt) <= Date.now()) {
      handled.markHandled(pop.id, false);
      events.emit("pop", { pop, outcome: "expired", via });
      return;
    }
    handled.markHandled(pop.id, true, eventKey);
    await openThroughAdapter(handled, pop, via, traceparent);
  }

  /**
   * The adapter call. A failure is not acknowledged (the partner does not see a false "delivered"); the
   * pop is kept as failed and opened again by the next connection's catch-up while it is still queued
   * and unexpired (this tab claimed it, so no other tab opens it meanwhile).
   */
  async function openThroughAdapter(handled: PopLedger, pop: ScreenPop, via: "push" | "catchUp", traceparent?: string) {
    try {
      await openTarget(adapter, pop);
    } catch (error) {
      handled.markFailed(pop.id);
      events.emit("pop", { pop, outcome: "adapterFailed", via });
      events.emit("error", asError(error));
      return;
    }
    handled.clearFailed(pop.id);
    events.emit("pop", { pop, outcome: "opened", via });
    void acknowledge(pop.id, traceparent);
  }

  async function catchUp() {
    const handled = ledger();
    if (!handled) return;
    for (const popId of [...handled.unacked]) await acknowledge(popId);
    const failed = new Set(handled.failed);
    const pops = await listPending(api);
    forgetSettledFailures(handled, pops);
    for (const pop of pops) {
      if (stopped()) return;
      if (!failed.has(pop.id)) await handle(pop, "catchUp");
      else if (Date.parse(pop.expiresAt) > Date.now()) await openThroughAdapter(handled, pop, "catchUp");
    }
  }

  const joinTabsNow = () => void (ledger() && tabsFor(ledger()!.key));
  return { handle, catchUp, joinTabs: joinTabsNow };
}

/** Acknowledges a pop, retrying an ack that reached the service before the pop's row (404). */
function createAcknowledger({ api, events, ledger, stopped }: Pick<PopPipelineOptions, "api" | "events" | "ledger" | "stopped">) {
  return async function acknowledge(popId: string, traceparent?: string) {
    // The service pushes a pop while it stores it, so an ack can arrive first and find nothing yet.
    for (let attempt = 0; ; attempt++) {
      try {
        await api.acknowledge(popId, traceparent);
        ledger()?.markAcknowledged(popId);
        return;
      } catch (error) {
        const notStoredYet = error instanceof AgentApiError && error.code === "not_found" && attempt < ackRetriesWhenNotFound;
        if (notStoredYet && !stopped()) {
          await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
          continue;
        }
        // A retryable failure keeps the id for the next catch-up; an answer such as 409 (expired) is final.
        if (!(error instanceof AgentApiError && error.retryable)) ledger()?.markAcknowledged(popId);
        events.emit("error", asError(error));
        return;
      }
    }
  };
}

/** Pages of pending pops a catch-up reads at most (the service answers up to 100 a page). */
const maxCatchUpPages = 20;

/**
 * Every pop of the agent still queued and unexpired, oldest first, page after page. Not "after the last
 * pop handled": a live pop handled before the catch-up ran (the connection's first frames can bring both)
 * would skip those queued while this tab was away. The ledger drops what was handled already.
 */
async function listPending(api: AgentApi): Promise<ScreenPop[]> {
  const pops: ScreenPop[] = [];
  let since = firstPopSeq;
  for (let page = 0; page < maxCatchUpPages; page++) {
    const { pops: more } = await api.pendingPops(since);
    pops.push(...more);
    // A page that is not full is the last: no second request, which would also list pops pushed meanwhile.
    if (more.length < pendingPopsPerPage) break;
    since = more.at(-1)!.seq;
  }
  return pops;
}

/** Failed pops no longer pending (expired, or delivered from another tab): the list holds every pending pop. */
function forgetSettledFailures(handled: PopLedger, pending: readonly ScreenPop[]): void {
  for (const popId of [...handled.failed]) if (!pending.some((pop) => pop.id === popId)) handled.clearFailed(popId);
}

const eventKeyOf = (pop: ScreenPop) => `event:${pop.providerId}/${pop.conversationId}/${pop.eventId}`;

async function openTarget(adapter: AgentAdapter, pop: ScreenPop): Promise<void> {
  const target = pop.target;
  switch (target.kind) {
    case "record":
      return adapter.openRecord(target.record, pop);
    case "search":
      return adapter.openSearch({ query: target.query, results: target.results }, pop);
    case "newRecord":
      return adapter.openNewRecord({ recordType: target.recordType, prefill: target.prefill }, pop);
    case "lookup": {
      // The tenant's records are in the CRM: its adapter finds the caller, the pop's policy picks what opens.
      const resolved = await resolveLookupPop(adapter, target);
      return resolved ? openTarget(adapter, { ...pop, target: resolved }) : undefined;
    }
  }
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
