import { describe, expect, it } from "vitest";
import { productionSettings, readConfig, readTablesConfig, tablesAccess, usesIdentity, webPubSubAccess } from "../../shared/config.js";
import { telemetrySettings } from "../../shared/telemetry/setup.js";

const local = {
  WEBCTI_TABLES_CONNECTION_STRING: "UseDevelopmentStorage=true",
  WEBCTI_WEBPUBSUB_CONNECTION_STRING: "Endpoint=http://127.0.0.1;Port=9;AccessKey=a2V5;Version=1.0;",
};
const azure = {
  WEBCTI_TABLES_ENDPOINT: "https://webctist.table.core.windows.net/",
  WEBCTI_WEBPUBSUB_ENDPOINT: "https://webcti-wps.webpubsub.azure.com",
  WEBCTI_WEBPUBSUB_HUB: "webcti",
  WEBCTI_TABLE_PREFIX: "webcti",
  WEBCTI_TELEMETRY: "azure",
  AZURE_CLIENT_ID: "00000000-0000-4000-8000-0000000000c1",
  APPLICATIONINSIGHTS_CONNECTION_STRING: "InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=https://example.invalid/",
};

describe("configuration", () => {
  it("reads a local configuration: connection strings, telemetry off", () => {
    const config = readConfig(local);
    expect(tablesAccess(config)).toEqual({ kind: "connectionString", connectionString: local.WEBCTI_TABLES_CONNECTION_STRING });
    expect(webPubSubAccess(config).kind).toBe("connectionString");
    expect(usesIdentity(config)).toBe(false);
    expect(config.WEBCTI_TELEMETRY).toBe("off");
  });

  it("reads a production configuration: endpoints with the managed identity, Application Insights", () => {
    const config = readConfig(azure);
    expect(tablesAccess(config)).toEqual({ kind: "identity", endpoint: "https://webctist.table.core.windows.net" });
    expect(webPubSubAccess(config)).toEqual({ kind: "identity", endpoint: azure.WEBCTI_WEBPUBSUB_ENDPOINT });
    expect(usesIdentity(config)).toBe(true);
    expect(config.AZURE_CLIENT_ID).toBe(azure.AZURE_CLIENT_ID);
  });

  it("productionSettings are exactly what a production configuration sets, and that configuration is valid", () => {
    expect([...productionSettings].sort()).toEqual(Object.keys(azure).sort());
    const withoutOne = (name: string) => Object.fromEntries(Object.entries(azure).filter(([k]) => k !== name));
    // The ones without a default are required; the others (hub, prefix, telemetry) are set explicitly by the deployment.
    for (const name of ["WEBCTI_TABLES_ENDPOINT", "WEBCTI_WEBPUBSUB_ENDPOINT", "APPLICATIONINSIGHTS_CONNECTION_STRING"]) {
      expect(() => readConfig(withoutOne(name)), name).toThrow(new RegExp(name === "APPLICATIONINSIGHTS_CONNECTION_STRING" ? name : name.replace("ENDPOINT", "")));
    }
  });

  it("wants exactly one of connection string and endpoint per service, with a clear message", () => {
    expect(() => readConfig({ ...local, WEBCTI_TABLES_ENDPOINT: azure.WEBCTI_TABLES_ENDPOINT })).toThrow(
      /WEBCTI_TABLES_ENDPOINT: set either WEBCTI_TABLES_CONNECTION_STRING \(local\) or WEBCTI_TABLES_ENDPOINT .*not both/,
    );
    expect(() => readConfig({ WEBCTI_TABLES_CONNECTION_STRING: local.WEBCTI_TABLES_CONNECTION_STRING })).toThrow(
      /WEBCTI_WEBPUBSUB_ENDPOINT: set WEBCTI_WEBPUBSUB_ENDPOINT \(Azure, managed identity\) or WEBCTI_WEBPUBSUB_CONNECTION_STRING \(local\)/,
    );
    expect(() => readConfig({})).toThrow(/WEBCTI_TABLES_ENDPOINT[\s\S]*WEBCTI_WEBPUBSUB_ENDPOINT/);
  });

  it("treats an empty setting as not set", () => {
    expect(readConfig({ ...local, WEBCTI_TABLES_ENDPOINT: "", WEBCTI_TELEMETRY: "" }).WEBCTI_TELEMETRY).toBe("off");
  });

  it("refuses an endpoint that is not https, a bad telemetry mode, and azure telemetry without a connection string", () => {
    expect(() => readConfig({ ...local, WEBCTI_TABLES_CONNECTION_STRING: undefined, WEBCTI_TABLES_ENDPOINT: "http://x.table.core.windows.net" })).toThrow(
      /WEBCTI_TABLES_ENDPOINT must be an https:\/\/ URL/,
    );
    expect(() => readConfig({ ...local, WEBCTI_TELEMETRY: "loud" })).toThrow(/WEBCTI_TELEMETRY/);
    expect(() => readConfig({ ...local, WEBCTI_TELEMETRY: "azure" })).toThrow(/APPLICATIONINSIGHTS_CONNECTION_STRING: required when WEBCTI_TELEMETRY=azure/);
    expect(() => telemetrySettings({ WEBCTI_TELEMETRY: "loud" })).toThrow(/WEBCTI_TELEMETRY/);
    expect(telemetrySettings({})).toEqual({ mode: "off" });
  });

  it("reads the tables' settings alone, with the same rules, for what needs only the tables (the operator CLI)", () => {
    expect(readTablesConfig({ WEBCTI_TABLES_ENDPOINT: azure.WEBCTI_TABLES_ENDPOINT })).toEqual({
      WEBCTI_TABLES_ENDPOINT: "https://webctist.table.core.windows.net",
      WEBCTI_TABLE_PREFIX: "webcti",
      WEBCTI_STORAGE_TIMEOUT_MS: 8000,
    });
    expect(tablesAccess(readTablesConfig({ WEBCTI_TABLES_CONNECTION_STRING: local.WEBCTI_TABLES_CONNECTION_STRING })).kind).toBe("connectionString");
    expect(() => readTablesConfig({})).toThrow(/WEBCTI_TABLES_ENDPOINT/);
    expect(() => readTablesConfig({})).not.toThrow(/WEBPUBSUB/);
    expect(() => readTablesConfig({ ...local, WEBCTI_TABLES_ENDPOINT: azure.WEBCTI_TABLES_ENDPOINT })).toThrow(/not both/);
    expect(() => readTablesConfig({ WEBCTI_TABLES_ENDPOINT: "http://x.table.core.windows.net" })).toThrow(/https/);
  });
});
