import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { build } from "esbuild";
import { projectRoot } from "../../shared/projectRoot.js";

/**
 * A vendor's calling widget written only against the unmodified npm package
 * `@hubspot/calling-extensions-sdk` (bundled for the page by esbuild, as a vendor's build would), served
 * from its own origin. It keeps every SDK event it gets in `window.received` ({ name, data }) and exposes
 * the SDK instance as `window.cti`, so a test drives it as the vendor's UI would. On onReady it says it is
 * initialized and signed in, asking for a 420 px wide widget.
 */
const widgetSource = `
import CallingExtensions from "@hubspot/calling-extensions-sdk";

const received = [];
window.received = received;
const handlerNames = [
  "onDialNumber", "onVisibilityChanged", "onCallerIdMatchSucceeded", "onCallerIdMatchFailed",
  "onCreateEngagementSucceeded", "onCreateEngagementFailed", "onUpdateEngagementSucceeded", "onUpdateEngagementFailed",
  "onNavigateToRecordFailed", "onSetWidgetUrlFailed", "onFinalizeEngagementSucceeded", "onFinalizeEngagementFailed",
  "onPublishToChannelSucceeded", "onPublishToChannelFailed", "onEndCall", "onSetCallState",
];
const eventHandlers = {};
for (const name of handlerNames) eventHandlers[name] = (data) => received.push({ name, data });
eventHandlers.defaultEventHandler = (data, event) => received.push({ name: "defaultEventHandler", type: event && event.type, data });
eventHandlers.onReady = (data) => {
  received.push({ name: "onReady", data });
  cti.initialized({ isLoggedIn: true, sizeInfo: { width: 420, height: 600 } });
  document.getElementById("status").textContent = "ready";
};
const cti = new CallingExtensions({ debugMode: false, eventHandlers });
window.cti = cti;
`;

/** The widget page; with `slowImage`, its load event waits for an image the server answers late. */
const page = (slowImage: boolean) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HubSpot-style calling widget</title></head>
<body><p id="status">loading</p><script src="app.js"></script>${slowImage ? '<img src="slow.gif" alt="">' : ""}</body></html>`;

export interface HubSpotWidgetServer {
  /** The widget page (its own origin). */
  url: string;
  origin: string;
  close(): Promise<void>;
}

let bundled: Promise<string> | undefined;

/** The widget's script: the source above with the SDK from node_modules, one classic script. */
function bundle(): Promise<string> {
  bundled ??= build({
    stdin: { contents: widgetSource, resolveDir: projectRoot(), loader: "js" },
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    write: false,
    logLevel: "silent",
  }).then((result) => result.outputFiles[0]!.text);
  return bundled;
}

/**
 * Serves the widget on `http://127.0.0.1:<free port>/widget/`. `loadDelayMs` holds the page's load event
 * back that long after its script has run (an image answered late), as a widget with slow assets would.
 */
export async function startHubSpotWidget(options: { loadDelayMs?: number } = {}): Promise<HubSpotWidgetServer> {
  const script = await bundle();
  const { loadDelayMs = 0 } = options;
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    const [status, type, body] =
      path === "/widget/"
        ? [200, "text/html; charset=utf-8", page(loadDelayMs > 0)]
        : path === "/widget/app.js"
          ? [200, "text/javascript", script]
          : [404, "text/plain", "not found"];
    response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    if (path === "/widget/slow.gif") setTimeout(() => response.end(body), loadDelayMs);
    else response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/widget/`,
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
