import { describe, expect, it } from "vitest";
import { startLocalTimers } from "../../local/timers.js";
import { defineTimer } from "../../functions/timer/defineTimer.js";
import type { Services } from "../../shared/services.js";

const services = {} as Services;

describe("local timers", () => {
  it("run each timer on its NCRONTAB schedule, never overlapping, until stopped", async () => {
    let runs = 0;
    let active = 0;
    let overlapped = false;
    let release: () => void = () => undefined;
    const timer = defineTimer({
      name: "everySecond",
      schedule: "* * * * * *",
      summary: "test",
      handler: async () => {
        runs++;
        overlapped ||= active > 0;
        active++;
        // The second run is held for a while: the runs due meanwhile are skipped, not stacked.
        if (runs === 2) await new Promise<void>((resolve) => (release = resolve));
        active--;
      },
    });
    const logs: string[] = [];
    const timers = startLocalTimers([timer], () => Promise.resolve(services), (line) => logs.push(line));
    await expect.poll(() => runs, { timeout: 10_000 }).toBe(2);
    const stopping = timers.stop();
    release();
    await stopping; // waits for the run in progress
    expect(active).toBe(0);
    expect(overlapped).toBe(false);
    expect(logs).toEqual([]);
  });

  it("log a failed run and keep the schedule", async () => {
    let runs = 0;
    const logs: string[] = [];
    const timers = startLocalTimers(
      [defineTimer({ name: "failing", schedule: "* * * * * *", summary: "test", handler: async () => {
        runs++;
        throw new Error("boom");
      } })],
      () => Promise.resolve(services),
      (line) => logs.push(line),
    );
    await expect.poll(() => runs, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await timers.stop();
    expect(logs[0]).toMatch(/^\[failing\] error: Error: boom/);
  });
});
