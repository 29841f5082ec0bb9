import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A telephony vendor's widget written for Dynamics 365 Channel Integration Framework, from Microsoft's
 * public CIF documentation only, served from its own origin. The one change for WebCTI is where its CIF
 * library comes from: WebCTI's `/webcti/cif/msdyn_ciLibrary.js`, with `data-crmurl` the agent desktop,
 * in the script tag Dynamics documents. Nothing here imports the product.
 *
 * The page keeps what it sees for the test: `window.cifLog` (events by name, their eventData parsed),
 * `window.cifReady` (CIFInitDone came), `window.earlyEnvironment` (getEnvironment called right after the
 * script loaded, before CIFInitDone); `window.incomingCall(number)` screen-pops a caller as CIF's
 * search-and-open walkthrough does, `window.logCall(...)` logs the call as a phonecall. Its CIF 2.0 session
 * event handlers (onSessionSwitched, onSessionCreated, onSessionClosed) log to `cifLog` too.
 */
export interface CifWidgetServer {
  url: string;
  origin: string;
  close(): Promise<void>;
}

export async function startCifWidget(webctiUrl: string): Promise<CifWidgetServer> {
  const server: Server = createServer((request, response) => {
    if (request.url !== "/cif-widget/") {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(widgetPage(webctiUrl));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/cif-widget/`,
    origin,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function widgetPage(webctiUrl: string): string {
  const webctiOrigin = new URL(webctiUrl).origin;
  return `<!doctype html>
<html>
<head><meta charset="utf-8"><title>Contoso Phone (CIF)</title></head>
<body>
  <h1>Contoso Phone</h1>
  <p id="status">Loading CIF…</p>
  <p id="dialing"></p>
  <script type="text/javascript" src="${webctiOrigin}/webcti/cif/msdyn_ciLibrary.js" data-crmurl="${webctiOrigin}" data-cifid="CIFMainLibrary"></script>
  <script>
    window.cifLog = [];
    window.cifReady = false;
    // Called before CIFInitDone: CIF's calls are safe to make as soon as the library is there.
    window.earlyEnvironment = Microsoft.CIFramework.getEnvironment().then(
      function (result) { return { ok: true, value: JSON.parse(result) }; },
      function (error) { return { ok: false, error: error }; }
    );
    function remember(name) {
      return function (eventData) {
        window.cifLog.push({ name: name, data: JSON.parse(eventData) });
        return Promise.resolve();
      };
    }
    window.addEventListener("CIFInitDone", function () {
      window.cifReady = true;
      document.getElementById("status").textContent = "CIF ready";
      Microsoft.CIFramework.setClickToAct(true);
      Microsoft.CIFramework.addHandler("onclicktoact", function (eventData) {
        var params = JSON.parse(eventData);
        document.getElementById("dialing").textContent = "Dialing " + params.value;
        return remember("onclicktoact")(eventData);
      });
      Microsoft.CIFramework.addHandler("onmodechanged", remember("onmodechanged"));
      Microsoft.CIFramework.addHandler("onsizechanged", remember("onsizechanged"));
      Microsoft.CIFramework.addHandler("onpagenavigate", remember("onpagenavigate"));
      Microsoft.CIFramework.addHandler("onPresenceChange", remember("onPresenceChange"));
      // CIF 2.0's session events: registered by their own functions and by addHandler.
      Microsoft.CIFramework.onSessionSwitched(remember("onSessionSwitched"));
      Microsoft.CIFramework.onSessionCreated(remember("onSessionCreated"));
      Microsoft.CIFramework.addHandler("onSessionClosed", remember("onSessionClosed"));
    });
    // An incoming call: find the caller among contacts and open the record (CIF's search-and-open walkthrough).
    window.incomingCall = function (number, searchOnly) {
      var query = "?$select=fullname,telephone1,mobilephone&$filter=telephone1 eq '" + number + "' or mobilephone eq '" + number + "'";
      return Microsoft.CIFramework.searchAndOpenRecords("contact", query, !!searchOnly).then(function (result) { return JSON.parse(result); });
    };
    // The call ended: log it as a phonecall regarding the contact.
    window.logCall = function (contactId, number, minutes, activityId) {
      var data = {
        subject: "Call from " + number,
        description: "Logged by the Contoso Phone CIF widget",
        phonenumber: number,
        directioncode: false,
        actualdurationminutes: minutes,
        activityid: activityId,
        "regardingobjectid_contact@odata.bind": "/contacts(" + contactId + ")"
      };
      return Microsoft.CIFramework.createRecord("phonecall", JSON.stringify(data)).then(function (result) { return JSON.parse(result); });
    };
  </script>
</body>
</html>`;
}
