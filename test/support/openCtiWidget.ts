import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A softphone written for Salesforce Open CTI for Lightning, from Salesforce's public documentation only
 * (the `sforce.opencti` methods, their one-object arguments and `{ success, returnValue, errors }`
 * callbacks), served from its own origin. The one change a vendor makes for WebCTI: the library URL,
 * WebCTI's `/webcti/opencti/opencti_min.js` in place of Salesforce's `opencti_min.js`.
 *
 * At load it does what softphones do before anything has connected: asks whether its panel is visible,
 * enables click-to-dial (unless its URL has `?noClickToDial`), registers its click-to-dial and navigation listeners and says it has initialized.
 * The test drives every other call through `window.openCti(method, args)`, which resolves with the
 * callback's response; the "Open the URL pop" button pops `window.urlPop` from the agent's click.
 */
export interface OpenCtiWidget {
  url: string;
  origin: string;
  close(): Promise<void>;
}

export async function startOpenCtiWidget(webctiUrl: string): Promise<OpenCtiWidget> {
  const server = createServer((request, response) => {
    if (request.url?.split("?")[0] !== "/softphone/") {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(softphonePage(webctiUrl));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/softphone/`,
    origin,
    close: () => close(server),
  };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

function softphonePage(webctiUrl: string): string {
  return `<!doctype html>
<html>
<head>
  <meta charset="utf-8">
  <title>Open CTI softphone</title>
  <script src="${webctiUrl}/webcti/opencti/opencti_min.js" data-host-origins="${webctiUrl}"></script>
  <script>
    var softphone = { atLoad: [], clicks: [], navigations: [], urlPop: null };
    function record(method) {
      return function (response) { softphone.atLoad.push({ method: method, response: response }); };
    }
    sforce.opencti.isSoftphonePanelVisible({ callback: record("isSoftphonePanelVisible") });
    // ?noClickToDial: a softphone that never enables click-to-dial.
    if (location.search.indexOf("noClickToDial") < 0) sforce.opencti.enableClickToDial({ callback: record("enableClickToDial") });
    sforce.opencti.onClickToDial({
      listener: function (payload) {
        softphone.clicks.push(payload);
        document.getElementById("status").textContent = "Dialing " + payload.number;
      },
    });
    sforce.opencti.onNavigationChange({ listener: function (payload) { softphone.navigations.push(payload); } });
    sforce.opencti.notifyInitializationComplete({ callback: record("notifyInitializationComplete") });

    // The test's way in: any method by name ("hvs.completeWork" too), resolved with the callback's response.
    window.openCti = function (method, args) {
      return new Promise(function (resolve) {
        var target = method.split(".").reduce(function (object, name) { return object[name]; }, sforce.opencti);
        target(Object.assign({}, args, { callback: resolve }));
      });
    };
  </script>
</head>
<body>
  <p id="status">Ready</p>
  <button id="pop-url" type="button">Open the URL pop</button>
  <script>
    document.getElementById("pop-url").addEventListener("click", function () {
      sforce.opencti.screenPop({
        type: sforce.opencti.SCREENPOP_TYPE.URL,
        params: { url: window.urlPop },
        callback: function (response) { softphone.urlPop = response; },
      });
    });
  </script>
</body>
</html>`;
}
