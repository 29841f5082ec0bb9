/**
 * The Azure Functions entry (package.json "main"). `@azure/functions` is a CommonJS bundle whose named
 * exports Node's ESM loader cannot see, so it is imported as a default and destructured.
 */
import azureFunctions from "@azure/functions";
import { httpFunctions, timerFunctions } from "./index.js";
import { toAzureHandler } from "./http/toAzureHandler.js";
import { toAzureTimerHandler } from "./timer/toAzureTimerHandler.js";
import { lazyServices } from "../shared/services.js";
import { readConfig } from "../shared/config.js";
import { routePrefix } from "./http/openApi.js";
import { webFilesHandler } from "./webFiles.js";

const { app } = azureFunctions;
const getServices = lazyServices(() => readConfig());

app.setup({ enableHttpStream: false });
for (const definition of httpFunctions) {
  app.http(definition.name, {
    methods: [definition.method],
    // host.json's routePrefix is "" so that web files can live at the root; the API keeps its /api prefix here.
    route: `${routePrefix}/${definition.route}`,
    authLevel: "anonymous",
    handler: toAzureHandler(definition, getServices),
  });
}
// The agent desktop and the browser bundles (dist/web), on the same origin as /api and /.auth.
app.http("webFiles", { methods: ["GET", "HEAD"], route: "{*path}", authLevel: "anonymous", handler: webFilesHandler() });
for (const definition of timerFunctions) {
  app.timer(definition.name, {
    schedule: definition.schedule,
    handler: toAzureTimerHandler(definition, getServices),
  });
}
