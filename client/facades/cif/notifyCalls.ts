import type { NotificationOutcome } from "../../widget/index.js";
import { cifError } from "./cifError.js";
import { expectType, jsonObject } from "./checkArgs.js";
import type { Run } from "./cifHost.js";

/**
 * CIF 2.0's notifyEvent on the host's notify (a notification the agent accepts or declines). CIF's
 * notification templates live in Dataverse; WebCTI has none, so the notification is made from the input:
 * title `templateParameters.title` (else the template name), body `templateParameters.body` (else the
 * other template parameters as "name: value" lines), labels `acceptLabel` / `rejectLabel`, and `timeout`
 * in seconds (CIF templates count seconds; WebCTI allows 1 to 120). The answer is CIF's:
 * accepted → Accept/Accept, declined → Reject/DeclinedByAgent, timed out → Timeout/DisplayTimeout.
 */
export function outcomeOf(outcome: NotificationOutcome): { value: { actionName: string; responseReason: string } } {
  if (outcome === "accepted") return { value: { actionName: "Accept", responseReason: "Accept" } };
  if (outcome === "declined") return { value: { actionName: "Reject", responseReason: "DeclinedByAgent" } };
  return { value: { actionName: "Timeout", responseReason: "DisplayTimeout" } };
}

export function notificationOf(input: Record<string, unknown>) {
  const templateName = typeof input.templateName === "string" ? input.templateName : "";
  const params = jsonObject("notifyEvent", "input.templateParameters", input.templateParameters ?? {});
  const text = (key: string) => (typeof params[key] === "string" && (params[key] as string).trim() ? (params[key] as string).trim() : undefined);
  const title = (text("title") ?? templateName.trim()) || "Incoming conversation";
  const others = Object.entries(params).filter(([key]) => !["title", "body", "acceptLabel", "rejectLabel", "timeout"].includes(key));
  const body = text("body") ?? (others.map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`).join("\n") || undefined);
  const timeout = params.timeout;
  if (timeout !== undefined && (typeof timeout !== "number" || timeout < 1 || timeout > 120)) {
    throw cifError("notifyEvent", "notifyEvent: templateParameters.timeout must be a number of seconds from 1 to 120.", "out_of_range");
  }
  return {
    title: title.slice(0, 200),
    ...(body ? { body: body.slice(0, 1000) } : {}),
    ...(text("acceptLabel") ? { acceptLabel: text("acceptLabel")! } : {}),
    ...(text("rejectLabel") ? { declineLabel: text("rejectLabel")! } : {}),
    ...(typeof timeout === "number" ? { timeoutMs: Math.round(timeout * 1000) } : {}),
  };
}

/**
 * cancelEvent: the host cannot withdraw a notification it shows (the widget SDK has no call for it), so
 * a known token is refused with that reason and an unknown one as unknown.
 */
export function notifyCalls(run: Run) {
  const pending = new Set<string>();
  return {
    notifyEvent: (input: unknown, correlationId?: unknown, cancellationToken?: unknown) =>
      run("notifyEvent", () => {
        const request = jsonObject("notifyEvent", "input", input);
        expectType("notifyEvent", "correlationId", correlationId, "string", true);
        expectType("notifyEvent", "cancellationToken", cancellationToken, "string", true);
        const token = (cancellationToken ?? request.cancellationToken) as unknown;
        if (token !== undefined) expectType("notifyEvent", "cancellationToken", token, "string");
        const notification = notificationOf(request);
        return async (host) => {
          if (typeof token === "string") pending.add(token);
          try {
            return JSON.stringify(outcomeOf(await host.notify(notification)));
          } finally {
            if (typeof token === "string") pending.delete(token);
          }
        };
      }),
    cancelEvent: (cancellationToken: unknown, correlationId?: unknown) =>
      run("cancelEvent", () => {
        expectType("cancelEvent", "cancellationToken", cancellationToken, "string");
        expectType("cancelEvent", "correlationId", correlationId, "string", true);
        const known = pending.has(cancellationToken as string);
        throw cifError(
          "cancelEvent",
          known
            ? "cancelEvent: the WebCTI host cannot withdraw a notification it shows; it ends when the agent answers or its timeout passes."
            : `cancelEvent: no notification is showing with the cancellation token '${String(cancellationToken)}'.`,
          known ? "not_supported" : "invalid_argument",
        );
      }),
  };
}
