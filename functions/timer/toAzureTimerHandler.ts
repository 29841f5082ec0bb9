import type { InvocationContext, Timer } from "@azure/functions";
import type { Services } from "../../shared/services.js";
import type { TimerDefinition } from "./defineTimer.js";

export type AzureTimerHandler = (timer: Timer, context: InvocationContext) => Promise<void>;

/** Makes a timer definition an `@azure/functions` timer handler; a failure is logged and fails the invocation. */
export function toAzureTimerHandler(definition: TimerDefinition, getServices: () => Promise<Services>): AzureTimerHandler {
  return async (_timer, context) => {
    try {
      await definition.handler({ log: (line) => context.log(line) }, await getServices());
    } catch (error) {
      context.error(`${definition.name} failed`, error);
      throw error;
    }
  };
}
