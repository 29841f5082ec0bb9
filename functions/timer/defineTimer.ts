import type { Services } from "../../shared/services.js";

/** What a timer handler gets besides the services. */
export interface TimerInput {
  /** The invocation's log (InvocationContext.log in Azure, the stack's log locally). */
  log: (line: string) => void;
}

/**
 * One timer function: its NCRONTAB schedule and handler. The Azure entry registers it with `app.timer`,
 * and the local stack runs it on the same schedule while it is up.
 */
export interface TimerDefinition {
  name: string;
  /**
   * NCRONTAB with seconds, as the Functions host reads it: "{second} {minute} {hour} {day} {month}
   * {day-of-week}", in UTC (e.g. every 5 seconds: "*\/5 * * * * *").
   */
  schedule: string;
  summary: string;
  handler: (input: TimerInput, services: Services) => Promise<void>;
}

export function defineTimer(definition: TimerDefinition): TimerDefinition {
  return definition;
}
