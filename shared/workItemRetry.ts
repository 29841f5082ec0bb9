/**
 * The rule every timer applies to a work item whose work throws (issue 16, item 1): it waits 5 s, 10 s,
 * 20 s … at most 30 minutes before its next try (the eighth comes about 10 minutes after the first), and
 * after `maxTries` it is parked for an operator. The KPI projection's markers (analytics/projectionFailures.ts)
 * and the webhook retry timer's rows (webhooks/deliverySchedule.ts) follow it.
 */
export const maxTries = 8;

export function retryDelayMs(tries: number): number {
  return Math.min(30 * 60_000, 5_000 * 2 ** Math.max(0, tries - 1));
}
