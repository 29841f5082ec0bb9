import { WindowMessenger, connect, type RemoteProxy } from "penpal";
import type { HostMethods, WidgetMethods } from "../protocol.js";

/**
 * Serves the widget protocol to the page in `target` (a panel's frame or a pop-out window) over penpal,
 * pinned to the provider's trusted origins. `onRemote` gets the widget's side once it handshakes; penpal
 * follows the frame to a new page, so a reloaded widget handshakes on the same connection. Returns the
 * function that ends the connection.
 */
export function connectWidget(
  target: Window,
  trustedOrigins: string[],
  methods: HostMethods,
  onRemote: (remote: RemoteProxy<WidgetMethods>) => void,
): () => void {
  const connection = connect<WidgetMethods>({
    messenger: new WindowMessenger({ remoteWindow: target, allowedOrigins: trustedOrigins }),
    methods,
  });
  connection.promise.then(onRemote, () => undefined);
  return () => connection.destroy();
}
