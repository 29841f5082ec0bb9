import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { productionSettings } from "../../shared/config.js";
import { declarations, declaredObject, objectProperties, parseBicep, root } from "./bicep.js";

/** The app settings main.bicep gives the Function App (its `appSettings` object), by name. */
async function bicepAppSettings(): Promise<Map<string, string>> {
  const tree = await parseBicep("infra/main.bicep");
  const functionApp = declarations(tree, "module_declaration").get("functionApp");
  if (!functionApp) throw new Error("main.bicep declares no module functionApp");
  const params = objectProperties(declaredObject(functionApp)).get("params")!;
  const settings = objectProperties(params).get("appSettings")!;
  expect(settings.type).toBe("object");
  return new Map([...objectProperties(settings)].map(([name, value]) => [name, value.text]));
}

/**
 * Settings main.bicep sets that shared/config.ts does not read, each read by something else (documented).
 */
const readElsewhere: Record<string, string> = {
  AZURE_CLIENT_ID: "@azure/identity: ManagedIdentityCredential / DefaultAzureCredential pick the user-assigned identity by it",
  APPLICATIONINSIGHTS_CONNECTION_STRING: "@azure/monitor-opentelemetry and the Functions host send telemetry to it",
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING:
    "Functions host: authenticate its telemetry with Entra ID (docs: Functions app settings reference)",
  AzureWebJobsStorage__accountName: "Functions host storage by identity (docs: identity-based connections, AzureWebJobsStorage)",
  AzureWebJobsStorage__credential: "Functions host storage by identity: 'managedidentity'",
  AzureWebJobsStorage__clientId: "Functions host storage by identity: which user-assigned identity",
};

describe("app settings: main.bicep against the configuration schema", async () => {
  const settings = await bicepAppSettings();
  const configSource = await readFile(join(root, "shared", "config.ts"), "utf8");
  const namedByConfig = new Set([...configSource.matchAll(/\b(WEBCTI_[A-Z0-9_]+)\b/g)].map((m) => m[1]!));

  it("sets every setting production requires (shared/config.ts productionSettings)", () => {
    expect(productionSettings.length).toBeGreaterThan(0);
    const missing = productionSettings.filter((name) => !settings.has(name));
    expect(missing).toEqual([]);
  });

  it("sets nothing that nobody reads: each is read by shared/config.ts or is on the documented list", () => {
    const unread = [...settings.keys()].filter((name) => !namedByConfig.has(name) && !(name in readElsewhere));
    expect(unread).toEqual([]);
    // and the list has no stale entries
    expect(Object.keys(readElsewhere).filter((name) => !settings.has(name))).toEqual([]);
  });

  it("carries no keys or connection strings other than App Insights' (an ingestion address, not a secret)", () => {
    for (const [name, value] of settings) {
      if (name !== "APPLICATIONINSIGHTS_CONNECTION_STRING") expect(name).not.toMatch(/CONNECTION_STRING|_KEY$|SECRET/);
      expect(value, name).not.toMatch(/AccountKey|AccessKey|listKeys|SharedAccessSignature/i);
    }
  });

  it("asks the Functions host to use the identity for its own storage", () => {
    expect(settings.get("AzureWebJobsStorage__credential")).toBe("'managedidentity'");
    expect(settings.get("AzureWebJobsStorage__clientId")).toBe("identity.outputs.clientId");
    expect(settings.get("AZURE_CLIENT_ID")).toBe("identity.outputs.clientId");
  });
});

describe("no shared keys anywhere in the templates", () => {
  it("storage refuses shared keys, Web PubSub refuses access keys, nothing lists keys", async () => {
    const storage = await readFile(join(root, "infra/modules/storage.bicep"), "utf8");
    const webPubSub = await readFile(join(root, "infra/modules/webpubsub.bicep"), "utf8");
    expect(storage).toMatch(/allowSharedKeyAccess:\s*false/);
    expect(webPubSub).toMatch(/disableLocalAuth:\s*true/);
    for (const file of ["main.bicep", "modules/storage.bicep", "modules/webpubsub.bicep", "modules/functionapp.bicep", "modules/monitoring.bicep", "modules/identity.bicep", "modules/webpubsubhub.bicep"]) {
      expect(await readFile(join(root, "infra", file), "utf8"), file).not.toMatch(/listKeys|listConnectionStrings|primaryKey/);
    }
  });
});
