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

const { app } = azureFunctions;
const getServices = lazyServices(() => readConfig());

app.setup({ enableHttpStream: false });
for (const definition of httpFunctions) {
  app.http(definition.name, {
    methods: [definition.method],
    route: definition.route,
    authLevel: "anonymous",
    handler: toAzureHandler(definition, getServices),
  });
}
for (const definition of timerFunctions) {
  app.timer(definition.name, {
    schedule: definition.schedule,
    handler: toAzureTimerHandler(definition, getServices),
  });
}
