/**
 * Starts an OpenTelemetry SDK for WEBCTI_TELEMETRY (docs/architecture.md, "Telemetry"):
 * - `off` (default): nothing is loaded; the spans in the code are no-ops.
 * - `azure`: `@azure/monitor-opentelemetry` exports to Application Insights
 *   (APPLICATIONINSIGHTS_CONNECTION_STRING); the Azure Functions entry starts it.
 * - `console`: spans are printed to stdout (local debugging: `npm start -- --telemetry console`).
 * The SDKs are imported here, lazily, so importing the functions entry stays fast when telemetry is off,
 * and the cold start does not wait for the exporter's import before registering the functions.
 */
export type TelemetryMode = "off" | "azure" | "console";

export interface TelemetrySettings {
  mode: TelemetryMode;
  /** Required for `azure`. */
  connectionString?: string;
  /** The user-assigned identity (AZURE_CLIENT_ID): with it, telemetry is sent with Entra ID, not the ingestion key. */
  clientId?: string;
}

/** Reads the two settings without the rest of the configuration (the entry starts telemetry before it). */
export function telemetrySettings(env: Record<string, string | undefined> = process.env): TelemetrySettings {
  const mode = (env.WEBCTI_TELEMETRY || "off").toLowerCase();
  if (mode !== "off" && mode !== "azure" && mode !== "console") {
    throw new Error(`WebCTI configuration is not valid:\n  WEBCTI_TELEMETRY: expected off, azure or console, got '${mode}'`);
  }
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING || undefined;
  const clientId = env.AZURE_CLIENT_ID || undefined;
  return { mode, ...(connectionString ? { connectionString } : {}), ...(clientId ? { clientId } : {}) };
}

let started: Promise<void> | undefined;

/** Starts telemetry once per process; later calls return the first start. */
export function startTelemetry(settings: TelemetrySettings): Promise<void> {
  started ??= start(settings);
  return started;
}

async function start(settings: TelemetrySettings): Promise<void> {
  switch (settings.mode) {
    case "off":
      return;
    case "azure": {
      if (!settings.connectionString) throw new Error("WEBCTI_TELEMETRY=azure needs APPLICATIONINSIGHTS_CONNECTION_STRING");
      const { useAzureMonitor } = await import("@azure/monitor-opentelemetry");
      // With the managed identity, ingestion is Entra-authenticated, so Application Insights can refuse the
      // instrumentation key (infra: appInsightsDisableLocalAuth, the identity is a Monitoring Metrics Publisher).
      const credential = settings.clientId
        ? new (await import("@azure/identity")).ManagedIdentityCredential({ clientId: settings.clientId })
        : undefined;
      useAzureMonitor({ azureMonitorExporterOptions: { connectionString: settings.connectionString, ...(credential ? { credential } : {}) } });
      return;
    }
    case "console": {
      const { NodeTracerProvider, SimpleSpanProcessor, ConsoleSpanExporter } = await import("@opentelemetry/sdk-trace-node");
      new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] }).register();
      return;
    }
  }
}
