import { WindowMessenger, connect, type RemoteProxy } from "penpal";
import type { HostMethods, WidgetMethods } from "../protocol.js";
import type { HubSpotConnection, HubSpotHostPanel } from "./hubspot/hubspotHost.js";

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

/**
 * Serves the HubSpot Calling Extensions SDK's protocol to the panel's frame (hubspot/hubspotHost.ts), a
 * chunk loaded only for a panel whose `widgetProtocol` is "hubspot". `onRemote` gets the widget's side
 * once the chunk is there (its events become SDK messages). Returns the function that ends it, at once
 * or once the chunk has loaded.
 */
export function connectHubSpotWidget(panel: HubSpotHostPanel, onRemote: (remote: HubSpotConnection) => void): () => void {
  let connection: HubSpotConnection | undefined;
  let ended = false;
  import("./hubspot/hubspotHost.js").then(
    ({ connectHubSpot }) => {
      if (ended) return;
      connection = connectHubSpot(panel);
      onRemote(connection);
    },
    (error: unknown) => console.warn(`WebCTI: the HubSpot host for panel ${panel.providerId} did not load: ${String((error as Error)?.message ?? error)}`),
  );
  return () => {
    ended = true;
    connection?.destroy();
  };
}
