import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startStack } from "./stack.js";
import { projectRoot } from "../shared/projectRoot.js";
import { demo, seedDemo } from "./seedDemo.js";
import { seedDemoTraffic } from "./demoTraffic.js";
import { startTelemetry, telemetrySettings } from "../shared/telemetry/setup.js";

/**
 * `npm start`: the whole product on this machine with demo data.
 *   --memory   keep the tables in memory (default: on disk under .data/, kept across restarts)
 *   --port N   port of the agent desktop and APIs (default 7071, as the Functions host; 0 = any)
 *   --widget-port N   port of the demo partner widget's origin (default 7072; 0 = any)
 *   --json     also print one machine-readable line when ready (the end-to-end tests read it)
 *   --telemetry off|console   print the OpenTelemetry spans (default: WEBCTI_TELEMETRY, else off)
 */
const { values } = parseArgs({
  options: {
    memory: { type: "boolean", default: false },
    port: { type: "string", default: process.env.WEBCTI_PORT ?? "7071" },
    "widget-port": { type: "string", default: process.env.WEBCTI_WIDGET_PORT ?? "7072" },
    json: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    telemetry: { type: "string", default: process.env.WEBCTI_TELEMETRY ?? "off" },
  },
});
if (values.telemetry !== "off" && values.telemetry !== "console") {
  console.error(`--telemetry ${values.telemetry}: use off or console locally (azure is for the deployed app)`);
  process.exit(1);
}
await startTelemetry(telemetrySettings({ WEBCTI_TELEMETRY: values.telemetry }));

const dataDir = join(projectRoot(), ".data");
const demoFile = join(dataDir, "demo.json");
const log = values.verbose ? (line: string) => console.log(line) : undefined;

const stack = await startStack({
  dataDir: values.memory ? undefined : join(dataDir, "azurite"),
  port: Number(values.port),
  widgetPort: Number(values["widget-port"]),
  log: log ?? ((line) => (/ error|failed/i.test(line) ? console.error(line) : undefined)),
}).catch((error: NodeJS.ErrnoException & { port?: number }) => {
  if (error.code === "EADDRINUSE") {
    console.error(
      `Port ${error.port} is in use (another npm start?). Stop it, or choose other ports: npm start -- --port 8071 --widget-port 8072`,
    );
    process.exit(1);
  }
  throw error;
});

let knownKey: string | undefined;
if (!values.memory) {
  knownKey = await readFile(demoFile, "utf8").then((t) => (JSON.parse(t) as { apiKey?: string }).apiKey, () => undefined);
}
const seed = await seedDemo(stack.services, knownKey, { widgetBaseUrl: stack.widgetUrl });
const demoConversations = await seedDemoTraffic(stack.services);
const desktopUrl = `${stack.url}/`;
if (!values.memory) {
  await mkdir(dataDir, { recursive: true });
  await writeFile(demoFile, JSON.stringify({ apiUrl: stack.apiUrl, apiKey: seed.apiKey, desktopUrl, widgetUrl: stack.widgetUrl }, null, 2) + "\n");
}

console.log(`
WebCTI is running (${values.memory ? "tables in memory" : "tables kept in .data/"}).

  Agent desktop     ${desktopUrl}   (sign in as the demo agent "${demo.agentName}")
  Partner API       ${stack.apiUrl}/v1
  API reference     ${stack.referenceUrl}
  Demo partner key  ${seed.apiKey}
  Demo softphone    ${stack.widgetUrl}/softphone/  (partner widget origin; docked in the desktop)
  KPI dashboard     ${desktopUrl}#/dashboard   (${demoConversations} demo conversations of the last hours)
  Web PubSub        ${stack.webPubSub.endpoint}  (local service, hub "${stack.config.WEBCTI_WEBPUBSUB_HUB}")
  Tables            ${stack.tablesConnectionString.match(/TableEndpoint=([^;]+)/)?.[1] ?? ""}  (Azurite)

Try a call:  npm run simulate -- call --from "${demo.numbers.oneContact}"
Operator CLI against these tables (docs/operations.md):
  WEBCTI_TABLES_CONNECTION_STRING='${stack.tablesConnectionString}' npm run ops -- --help
Stop with Ctrl+C.
`);
if (values.json) {
  console.log(
    JSON.stringify({
      webcti: "ready",
      url: stack.url,
      widgetUrl: stack.widgetUrl,
      apiUrl: stack.apiUrl,
      referenceUrl: stack.referenceUrl,
      apiKey: seed.apiKey,
      tenantId: seed.tenantId,
      agentId: seed.agentId,
      signInUser: seed.signInUser,
      tablesConnectionString: stack.tablesConnectionString,
      webPubSub: { endpoint: stack.webPubSub.endpoint, connectionString: stack.webPubSub.connectionString, hub: stack.config.WEBCTI_WEBPUBSUB_HUB },
    }),
  );
}

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await stack.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
