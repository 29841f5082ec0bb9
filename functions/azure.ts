/**
 * The Azure Functions entry (package.json "main"). `@azure/functions` is a CommonJS bundle whose named
 * exports Node's ESM loader cannot see, so it is imported as a default and destructured.
 *
 * Telemetry (WEBCTI_TELEMETRY=azure: Application Insights) starts here, and its SDK is imported lazily:
 * the functions are registered at once, and the first invocation waits for the exporter, so a cold start
 * does not pay for it before registering and no request goes untraced.
 */
import azureFunctions from "@azure/functions";
import type { HttpMethod } from "@azure/functions";
import { httpFunctions, timerFunctions } from "./index.js";
import { toAzureHandler } from "./http/toAzureHandler.js";
import { toAzureTimerHandler } from "./timer/toAzureTimerHandler.js";
import { lazyServices } from "../shared/services.js";
import { readConfig } from "../shared/config.js";
import { routePrefix } from "./http/openApi.js";
import { webFilesHandler } from "./webFiles.js";
import { apiNotFoundHandler } from "./apiNotFound.js";
import { listedOrigins } from "../shared/tenancy/crmSettingsStore.js";
import { startTelemetry, telemetrySettings } from "../shared/telemetry/setup.js";

const { app } = azureFunctions;
const getServices = lazyServices(() => readConfig());
// A telemetry failure must not take the app down; an invalid WEBCTI_TELEMETRY is reported by readConfig.
const telemetry = Promise.resolve()
  .then(() => startTelemetry(telemetrySettings()))
  .catch((error: unknown) => console.error("WebCTI: telemetry did not start; running without it", error));
const afterTelemetry =
  <A extends unknown[], R>(handler: (...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    await telemetry;
    return handler(...args);
  };

app.setup({ enableHttpStream: false });
for (const definition of httpFunctions) {
  app.http(definition.name, {
    methods: [definition.method],
    // host.json's routePrefix is "" so that web files can live at the root; the API keeps its /api prefix here.
    route: `${routePrefix}/${definition.route}`,
    authLevel: "anonymous",
    handler: afterTelemetry(toAzureHandler(definition, getServices)),
  });
}
// Catch-alls rank after every literal route, so the product, not the Functions host, answers what no
// function takes: under /api a problem (404, or 405 with Allow), elsewhere the agent desktop and the
// browser bundles (dist/web), on the same origin as /api and /.auth.
const frameAncestors = async () => listedOrigins(await getServices());
const everyMethod: HttpMethod[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const apiRoutes = httpFunctions.map((d) => ({ method: d.method, route: `${routePrefix}/${d.route}`, auth: d.auth }));
app.http("apiNotFound", { methods: everyMethod, route: `${routePrefix}/{*path}`, authLevel: "anonymous", handler: apiNotFoundHandler(apiRoutes, getServices) });
app.http("webFiles", { methods: everyMethod, route: "{*path}", authLevel: "anonymous", handler: webFilesHandler(undefined, frameAncestors) });
for (const definition of timerFunctions) {
  app.timer(definition.name, {
    schedule: definition.schedule,
    handler: afterTelemetry(toAzureTimerHandler(definition, getServices)),
  });
}
