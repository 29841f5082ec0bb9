/**
 * WebCTI's Salesforce Open CTI for Lightning façade: a softphone written for Salesforce loads this
 * script (`/webcti/opencti/opencti_min.js`) in place of Salesforce's `opencti_min.js` and keeps calling
 * `sforce.opencti.*`; the façade speaks WebCTI's widget protocol to the agent desktop that embeds the
 * page (the provider's panel with `widgetProtocol: "opencti"`). docs/widget-protocols.md lists every
 * method and what WebCTI does with it.
 *
 * Exit condition: this compatibility shim stays as long as vendors ship softphones written against
 * Open CTI (Salesforce retires Open CTI in February 2028); a vendor that moves to the widget SDK
 * (/webcti/widget.js) no longer needs it.
 *
 * The desktops it accepts: the script tag's `data-host-origins` (space- or comma-separated origins),
 * required: the embedding page's word for its origin (its referrer) is never taken. Without it every
 * call answers SOFTPHONE_CONTAINER_ERROR.
 */
import { WidgetError, connectToHost } from "../../widget/index.js";
import { createOpenCti } from "./createOpenCti.js";
import type { OpenCtiHost } from "./hostExtensions.js";

const hostOrigins = document.currentScript?.getAttribute("data-host-origins")?.split(/[\s,]+/).filter(Boolean) ?? [];
const host: Promise<OpenCtiHost> = connectToHost({ hostOrigins }).then(
  async (connected) => {
    // As in Salesforce, click-to-dial is off until the softphone calls enableClickToDial.
    await connected.setClickToAct(false);
    return connected;
  },
  (error: unknown) => {
    // Whatever kept the handshake from happening (no embedding page, no known origin), the softphone has no desktop.
    throw new WidgetError("handshake_failed", String((error as Error)?.message ?? error), "");
  },
);
// A failed handshake is answered to each call (SOFTPHONE_CONTAINER_ERROR); it is not an unhandled rejection.
host.catch((error: unknown) => console.warn("sforce.opencti: not connected to a WebCTI agent desktop:", (error as Error)?.message ?? error));

const opencti = createOpenCti({
  host,
  openUrl: (url) => void window.open(url, "_blank", "noopener"),
});

const global = window as unknown as { sforce?: Record<string, unknown> };
global.sforce = Object.assign(global.sforce ?? {}, { opencti });
