import { Cron } from "croner";
import type { TimerDefinition } from "../functions/timer/defineTimer.js";
import type { Services } from "../shared/services.js";

export interface LocalTimers {
  /** Stops the schedules and waits for runs in progress. */
  stop(): Promise<void>;
}

/**
 * Runs each timer function on its NCRONTAB schedule (seconds first, UTC, as the Functions host reads it)
 * while the local stack is up. Like the Functions host, a run never overlaps the previous one of the same
 * timer. A failed run is logged; the next one comes on schedule.
 */
export function startLocalTimers(
  definitions: readonly TimerDefinition[],
  getServices: () => Promise<Services>,
  log: (line: string) => void,
): LocalTimers {
  const running = new Set<Promise<void>>();
  const jobs = definitions.map(
    (definition) =>
      new Cron(definition.schedule, { timezone: "UTC", protect: true, unref: true }, () => {
        const run = (async () => {
          try {
            await definition.handler({ log: (line) => log(`[${definition.name}] ${line}`) }, await getServices());
          } catch (error) {
            log(`[${definition.name}] error: ${String((error as Error)?.stack ?? error)}`);
          }
        })();
        running.add(run);
        return run.finally(() => running.delete(run));
      }),
  );
  return {
    async stop() {
      for (const job of jobs) job.stop();
      await Promise.all(running);
    },
  };
}
