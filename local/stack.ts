import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { httpFunctions, timerFunctions } from "../functions/index.js";
import { toAzureHandler } from "../functions/http/toAzureHandler.js";
import { routePrefix as apiRoutePrefix } from "../functions/http/openApi.js";
import { readConfig, type Config } from "../shared/config.js";
import { projectRoot } from "../shared/projectRoot.js";
import { createServices, type Services } from "../shared/services.js";
import { ensureTables } from "../shared/storage/tables.js";
import { startAzuriteTables, type AzuriteTables } from "./azurite.js";
import { createEasyAuthEmulator } from "./easyAuthEmulator.js";
import { startFunctionsHost, type FunctionsHost } from "./functionsHost.js";
import { startLocalWebPubSub, type LocalWebPubSub } from "./webpubsub/index.js";
import { demoPartnerFunctions } from "./demoPartner.js";
import { startLocalTimers } from "./timers.js";
import { createPreflightAnswerer } from "../functions/http/cors.js";
import { listedOrigins } from "../shared/tenancy/crmSettingsStore.js";
import { webPubSubEventsRoute } from "../functions/webPubSubEvents.js";

export interface StackOptions {
  /** Folder for Azurite's data; omitted = in memory. */
  dataDir?: string;
  /** Port of the functions host (agent desktop and APIs); 0 = any free port. */
  port?: number;
  /** Port of the second origin that serves the demo partner widgets; 0 = any free port. */
  widgetPort?: number;
  host?: string;
  /** Table prefix, so several stacks or tests can share one Azurite. */
  tablePrefix?: string;
  /** Use an Azurite that already runs instead of starting one. */
  tablesConnectionString?: string;
  /** Use a Web PubSub service that already runs instead of starting one. */
  webPubSub?: LocalWebPubSub;
  log?: (line: string) => void;
  /** Run the timer functions on their schedules (default true; a test that snapshots storage turns them off). */
  timers?: boolean;
}

export interface Stack {
  url: string;
  /** The partner widgets' origin (another port, so the widget protocol's origin checks are real). */
  widgetUrl: string;
  apiUrl: string;
  /** The rendered API reference (Swagger UI over GET /api/v1/openapi.json). */
  referenceUrl: string;
  config: Config;
  services: Services;
  webPubSub: LocalWebPubSub;
  tablesConnectionString: string;
  close(): Promise<void>;
}

/** Where the swagger-ui-dist package keeps Swagger UI's built files (served as they are: no CDN). */
function swaggerUiDirectory(): string {
  return dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
}

/**
 * Everything `npm start` runs, in one process apart from Azurite: the table store (Azurite), the local
 * Web PubSub service, and the local functions host serving the same function table as the Azure entry,
 * plus the browser bundles and the reference agent desktop from dist/web, and the API reference at /reference.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const root = projectRoot();
  const log = options.log ?? (() => undefined);
  const closers: Array<() => Promise<void>> = [];
  try {
    let tablesConnectionString = options.tablesConnectionString;
    if (!tablesConnectionString) {
      const azurite: AzuriteTables = await startAzuriteTables({ location: options.dataDir, log });
      closers.push(() => azurite.close());
      tablesConnectionString = azurite.connectionString;
    }
    let webPubSub = options.webPubSub;
    if (!webPubSub) {
      const started = await startLocalWebPubSub({ host: options.host });
      closers.push(() => started.close());
      webPubSub = started;
    }
    const config = readConfig({
      ...process.env,
      WEBCTI_TABLES_CONNECTION_STRING: tablesConnectionString,
      WEBCTI_WEBPUBSUB_CONNECTION_STRING: webPubSub.connectionString,
      ...(options.tablePrefix ? { WEBCTI_TABLE_PREFIX: options.tablePrefix } : {}),
      // Local partners (the demo, tests) receive webhooks on http://127.0.0.1.
      WEBCTI_WEBHOOKS_ALLOW_HTTP: process.env.WEBCTI_WEBHOOKS_ALLOW_HTTP ?? "true",
    });
    const services = createServices(config);
    await ensureTables(services.tables);
    const getServices = () => Promise.resolve(services);
    // host.json's routePrefix is "" (the Azure entry serves web files at the root and prefixes the API
    // routes itself); the local host applies the same API prefix.
    const routePrefix = apiRoutePrefix;
    const agentRoutes = httpFunctions.filter((d) => d.auth === "agent").map((d) => ({ method: d.method, route: `${routePrefix}/${d.route}` }));
    const preflight = createPreflightAnswerer(agentRoutes);
    const host: FunctionsHost = await startFunctionsHost({
      functions: httpFunctions.map((definition) => ({
        name: definition.name,
        methods: [definition.method],
        route: definition.route,
        handler: toAzureHandler(definition, getServices),
      })),
      routePrefix,
      staticRoots: [
        // The API reference: our page and its set-up first, then Swagger UI's own files from the package.
        { urlPrefix: "/reference", directory: join(root, "local", "reference") },
        { urlPrefix: "/reference", directory: swaggerUiDirectory() },
        { urlPrefix: "/", directory: join(root, "dist", "web") },
      ],
      easyAuth: createEasyAuthEmulator(),
      // CORS preflights and frame-ancestors for the tenants' CRM origins, as in Azure (functions/http/cors.ts).
      preflight: (request) => preflight(services, request),
      frameAncestors: () => listedOrigins(services),
      host: options.host,
      port: options.port,
      log,
    });
    closers.push(() => host.close());
    // The hub's event handler: the push connection cap (functions/webPubSubEvents.ts, docs/push-protocol.md).
    webPubSub.setEventHandlers(config.WEBCTI_WEBPUBSUB_HUB, [
      { urlTemplate: `${host.url}/${routePrefix}/${webPubSubEventsRoute}`, systemEvents: ["connect", "disconnected"] },
    ]);
    // A partner's widget lives on the partner's origin: serve the demo widgets (and the widget SDK they
    // import) from a second port.
    const widgetHost = await startFunctionsHost({
      functions: demoPartnerFunctions(),
      routePrefix: "",
      staticRoots: [
        { urlPrefix: "/webcti", directory: join(root, "dist", "web", "webcti") },
        { urlPrefix: "/", directory: join(root, "dist", "widgets") },
      ],
      // The demo widgets are framed by the desktop and by any CRM page (a partner's choice; frame-ancestors 'self' alone would refuse them).
      frameAncestors: async () => ["*"],
      host: options.host,
      port: options.widgetPort ?? 0,
      log,
    });
    closers.push(() => widgetHost.close());
    if (options.timers !== false) {
      const timers = startLocalTimers(timerFunctions, getServices, log);
      closers.push(() => timers.stop());
    }
    return {
      url: host.url,
      widgetUrl: widgetHost.url,
      apiUrl: routePrefix ? `${host.url}/${routePrefix}` : host.url,
      referenceUrl: `${host.url}/reference/`,
      config,
      services,
      webPubSub,
      tablesConnectionString,
      close: async () => {
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
}
