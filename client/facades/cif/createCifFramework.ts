import { cifError, toCifError } from "./cifError.js";
import { expectType } from "./checkArgs.js";
import type { CifHost, Run } from "./cifHost.js";
import { notifyCalls } from "./notifyCalls.js";
import { notYetCalls } from "./notYet.js";
import { cifModeOf, panelCalls, presenceInfo } from "./panelCalls.js";
import { recordCalls } from "./recordCalls.js";
import { sessionCalls } from "./sessionCalls.js";

type Handler = (eventData: string) => unknown;

/**
 * `Microsoft.CIFramework` on a WebCTI host connection that may still be coming: every call checks its
 * arguments at once (a wrong type rejects with CIF's error shape and sends nothing), then waits for the
 * handshake, so a widget may call right after the script loads. Event handlers get CIF's event data as
 * a JSON string, as CIF passes it.
 */
export function createCifFramework(connection: Promise<CifHost>) {
  const handlers = new Map<string, Set<Handler>>();
  const raise = (eventName: string, data: unknown) => {
    const eventData = typeof data === "string" ? data : JSON.stringify(data ?? {});
    for (const handler of [...(handlers.get(eventName.toLowerCase()) ?? [])]) {
      try {
        Promise.resolve(handler(eventData)).catch((error) => console.error(`CIF ${eventName} handler failed`, error));
      } catch (error) {
        console.error(`CIF ${eventName} handler threw`, error);
      }
    }
  };
  const run: Run = (apiName, prepare) => {
    let action: ReturnType<typeof prepare>;
    try {
      action = prepare();
    } catch (error) {
      return Promise.reject(toCifError(apiName, error));
    }
    return connection.then(
      (host) => Promise.resolve(action(host)).catch((error: unknown) => Promise.reject(toCifError(apiName, error))),
      (error: unknown) => Promise.reject(cifError(apiName, `The WebCTI host is not connected: ${toCifError(apiName, error).message}`, "disconnected")),
    );
  };
  const addHandlerOf = (eventName: string, handlerFunction: unknown) => {
    expectType(eventName, "handlerFunction", handlerFunction, "function");
    const name = eventName.toLowerCase();
    if (!handlers.has(name)) handlers.set(name, new Set());
    handlers.get(name)!.add(handlerFunction as Handler);
  };
  connection.then((host) => forwardHostEvents(host, raise), () => undefined);
  return {
    ...panelCalls(run),
    ...recordCalls(run),
    ...notifyCalls(run),
    ...notYetCalls(),
    ...sessionCalls(run),
    // CIF 2.0's session events, also registered by function (as addHandler("onSessionSwitched", handler)).
    onSessionSwitched: (handler: unknown) => addHandlerOf("onSessionSwitched", handler),
    onSessionCreated: (handler: unknown) => addHandlerOf("onSessionCreated", handler),
    onSessionClosed: (handler: unknown) => addHandlerOf("onSessionClosed", handler),
    addHandler(eventName: unknown, handlerFunction: unknown) {
      expectArgs("addHandler", eventName, handlerFunction);
      addHandlerOf(eventName as string, handlerFunction);
    },
    removeHandler(eventName: unknown, handlerFunction: unknown) {
      expectArgs("removeHandler", eventName, handlerFunction);
      handlers.get((eventName as string).toLowerCase())?.delete(handlerFunction as Handler);
    },
    /** Raises an event to this widget's own handlers (WebCTI's CRM page has no CIF handlers of its own). */
    raiseEvent: (eventName: unknown, eventInputData?: unknown) =>
      run("raiseEvent", () => {
        expectType("raiseEvent", "eventName", eventName, "string");
        return () => raise(eventName as string, eventInputData);
      }),
  };
}

/** addHandler / removeHandler are synchronous in CIF: a wrong argument throws CIF's error object. */
function expectArgs(apiName: string, eventName: unknown, handlerFunction: unknown) {
  expectType(apiName, "eventName", eventName, "string");
  expectType(apiName, "handlerFunction", handlerFunction, "function");
}

/** WebCTI's widget events as CIF's: onclicktoact, onmodechanged, onsizechanged, onpagenavigate, onpresencechange. */
function forwardHostEvents(host: CifHost, raise: (eventName: string, data: unknown) => void) {
  host.on("clickToAct", ({ payload }) =>
    raise("onclicktoact", {
      value: payload.format === "phone" ? (payload.e164 ?? payload.raw) : (payload.email ?? payload.raw),
      name: "",
      format: payload.format,
      entityLogicalName: payload.record?.type ?? "",
      entityId: payload.record?.id ?? "",
      recordTitle: payload.record?.name ?? "",
      ...(payload.extension ? { extension: payload.extension } : {}),
    }),
  );
  host.on("panelModeChanged", ({ mode }) => raise("onmodechanged", { value: cifModeOf(mode) }));
  host.on("panelSizeChanged", ({ width }) => raise("onsizechanged", { value: width }));
  host.on("navigation", ({ page }) => raise("onpagenavigate", { value: page.url }));
  // Protocol 1.1 hosts send presenceChanged; a 1.0 host never does.
  const on = host.on as unknown as (type: string, handler: (event: { presence: { status: string; reason?: string } }) => void) => void;
  on("presenceChanged", ({ presence }) => raise("onpresencechange", presenceInfo(presence)));
  // Protocol 1.2: CIF 2.0's session events (a switch is raised for the session left and the one focused).
  host.on("sessionCreated", ({ session }) => raise("onsessioncreated", { sessionId: session.sessionId }));
  host.on("sessionClosed", ({ sessionId }) => raise("onsessionclosed", { sessionId }));
  host.on("sessionFocused", ({ session, previousSessionId }) => {
    if (previousSessionId) raise("onsessionswitched", { sessionId: previousSessionId, focused: false });
    raise("onsessionswitched", { sessionId: session.sessionId, focused: true });
  });
}
