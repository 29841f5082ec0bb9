import type { ScreenPop } from "../../shared/schemas/screenPop.js";
import type { TabCoordinator } from "./tabCoordinator.js";

type Via = "push" | "catchUp";

export interface PopTakeovers {
  has(popId: string): boolean;
  /** Follows a coordinator (once each): when this tab becomes the one used last, waiting pops open at once. */
  watch(tabs: TabCoordinator): void;
  /** Holds a pop another tab should open; opens it here after `tabs.takeoverMs` unless that tab claimed it. */
  add(tabs: TabCoordinator, pop: ScreenPop, via: Via, traceparent?: string): void;
}

/**
 * The pops a tab that was not used last holds back: the tab used last opens them, and this one takes
 * them over (the claim decides, so a pop still opens once) when that tab is gone or does not answer.
 */
export function createTakeovers(
  open: (pop: ScreenPop, via: Via, traceparent?: string) => Promise<void>,
  onError: (error: unknown) => void,
): PopTakeovers {
  const waiting = new Map<string, () => void>();
  const watched = new WeakSet<TabCoordinator>();
  return {
    has: (popId) => waiting.has(popId),
    watch(tabs) {
      if (watched.has(tabs)) return;
      watched.add(tabs);
      tabs.onChange(() => {
        if (!waiting.size) return;
        void tabs.isElected().then((elected) => {
          if (elected) for (const run of [...waiting.values()]) run();
        });
      });
    },
    add(tabs, pop, via, traceparent) {
      if (waiting.has(pop.id)) return;
      const run = () => {
        if (!waiting.delete(pop.id)) return;
        clearTimeout(timer);
        open(pop, via, traceparent).catch(onError);
      };
      const timer = setTimeout(run, tabs.takeoverMs);
      waiting.set(pop.id, run);
    },
  };
}
