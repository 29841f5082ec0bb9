/**
 * WebCTI's Microsoft Channel Integration Framework façade: a classic script that defines
 * `window.Microsoft.CIFramework` (CIF 1.0 and the 2.0 additions) on WebCTI's widget SDK, so a telephony
 * widget written for Dynamics 365 runs in a WebCTI panel (`widgetProtocol: "cif"`) when it loads
 *
 *   <script src="https://<webcti>/webcti/cif/msdyn_ciLibrary.js" data-crmurl="https://<agent desktop>"></script>
 *
 * in place of Dynamics' msdyn_ciLibrary.js. The host is the page embedding the widget (or, popped out,
 * the window that opened it) on the origin in `data-crmurl`, required (as Dynamics' own tag carries it):
 * the embedding page's word for its origin (its referrer) is never taken. Calls made
 * before the handshake wait for it; `CIFInitDone` is raised on window once it is done, as CIF raises it.
 *
 * A compatibility shim (STYLE.md §8): it lives as long as vendors ship CIF widgets; what WebCTI cannot
 * do is listed in notYet.ts and docs/widget-protocols.md.
 */
import { connectToHost } from "../../widget/index.js";
import type { CifHost } from "./cifHost.js";
import { createCifFramework } from "./createCifFramework.js";

/** The origins in `data-crmurl` (one URL, or several separated by spaces or commas); none without it. */
function hostOrigins(script: HTMLScriptElement | null): string[] {
  const origins = new Set<string>();
  for (const url of script?.dataset.crmurl?.split(/[\s,]+/) ?? []) {
    try {
      if (url) origins.add(new URL(url).origin);
    } catch {
      /* not a URL: skipped */
    }
  }
  return [...origins];
}

const script = document.currentScript as HTMLScriptElement | null;
const connection: Promise<CifHost> = connectToHost({ hostOrigins: hostOrigins(script) });
const global = window as unknown as { Microsoft?: Record<string, unknown> };
global.Microsoft = global.Microsoft ?? {};
global.Microsoft.CIFramework = createCifFramework(connection);
connection.then(
  () => window.dispatchEvent(new CustomEvent("CIFInitDone")),
  (error: unknown) => console.error("WebCTI CIF: no agent desktop answered; CIF calls reject.", error),
);
