import { argsOf, callbackOf, listenerOf, type Args } from "./checkArguments.js";
import type { OpenCtiHost } from "./hostExtensions.js";
import { errorsOf, failed, succeeded, type OpenCtiCallback, type OpenCtiResponse } from "./openCtiResponse.js";

export type Method = (args?: unknown) => void;

/** Runs a checked call on the host once the handshake completed; resolves with the returnValue. */
export type Run = (host: OpenCtiHost) => unknown;

/**
 * The three kinds of Open CTI method, on one host promise:
 *   call        checks its arguments at once (INVALID_PARAM without waiting for the host), then runs on the
 *               host once the handshake completed and answers the callback;
 *   listen      registers a listener on the host (again: replaces the earlier one of its kind);
 *   unavailable answers GENERIC_ERROR with why WebCTI cannot do it.
 */
export function createMethodKinds(host: Promise<OpenCtiHost>) {
  const listeners = new Map<string, () => void>();

  const call =
    (method: string, plan: (args: Args) => Run): Method =>
    (raw) => {
      const args = argsOf(method, raw);
      const callback = callbackOf(method, args);
      let run: Run;
      try {
        run = plan(args);
      } catch (error) {
        return answer(method, callback, failed(errorsOf(error)));
      }
      host.then(run).then(
        (value) => answer(method, callback, succeeded(value)),
        (error: unknown) => answer(method, callback, failed(errorsOf(error))),
      );
    };

  const listen =
    (method: string, subscribe: (host: OpenCtiHost, listener: (payload: unknown) => void) => () => void): Method =>
    (raw) => {
      const args = argsOf(method, raw);
      const listener = listenerOf(method, args);
      const callback = callbackOf(method, args);
      const safe = (payload: unknown) => {
        try {
          listener(payload);
        } catch (error) {
          console.error(`sforce.opencti.${method}: the listener threw`, error);
        }
      };
      call(method, () => (connected) => {
        listeners.get(method)?.();
        listeners.set(method, subscribe(connected, safe));
        return null;
      })(callback ? { callback } : undefined);
    };

  const unavailable =
    (method: string, why: string): Method =>
    (raw) => {
      const callback = callbackOf(method, argsOf(method, raw));
      answer(method, callback, failed([{ code: "GENERIC_ERROR", description: `sforce.opencti.${method} is not available in WebCTI: ${why}` }]));
    };

  return { call, listen, unavailable };
}

/** Hands the callback its response on a later task, as Open CTI does; a callback that throws is logged. */
function answer(method: string, callback: OpenCtiCallback | undefined, response: OpenCtiResponse) {
  if (!callback) {
    if (!response.success) console.warn(`sforce.opencti.${method} failed (no callback to tell):`, response.errors);
    return;
  }
  setTimeout(() => {
    try {
      callback(response);
    } catch (error) {
      console.error(`sforce.opencti.${method}: the callback threw`, error);
    }
  }, 0);
}
