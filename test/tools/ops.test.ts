import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runOps, type OpsIo } from "../../tools/ops.js";
import { readConfig, readTablesConfig } from "../../shared/config.js";
import { createServices } from "../../shared/services.js";
import { createTables } from "../../shared/storage/tables.js";
import type { AzuriteTables } from "../../local/azurite.js";
import { TestIdentityCredential, startOAuthAzurite, trustLocalCert } from "../support/identity.js";
import { authenticatePartner } from "../../shared/auth/partnerKeys.js";
import { authenticateAgent } from "../../shared/auth/agentPrincipal.js";
import { authenticateIntegration } from "../../shared/auth/integrationKeys.js";
import { findTenant, getAgent, getProvider, getTenant } from "../../shared/tenancy/tenancyStore.js";
import { uniquePrefix } from "../support/stack.js";

// The CLI reads only the tables' settings: no Web PubSub setting here.
const env = {
  WEBCTI_TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
  WEBCTI_TABLE_PREFIX: uniquePrefix(),
};

async function ops(...argv: string[]) {
  return opsWith({ env }, ...argv);
}

async function opsWith(io: Omit<OpsIo, "print">, ...argv: string[]) {
  const lines: string[] = [];
  const code = await runOps(argv, { ...io, print: (line) => lines.push(line) });
  const output = lines.join("\n");
  return { code, output, json: code === 0 ? JSON.parse(output) : undefined };
}

function bearer(apiKey: string) {
  return new Headers({ authorization: `Bearer ${apiKey}` });
}

function signedIn(principalId: string) {
  const principal = { auth_typ: "aad", claims: [{ typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: principalId }] };
  return new Headers({ "x-ms-client-principal": Buffer.from(JSON.stringify(principal)).toString("base64") });
}

describe("the operator CLI (npm run ops) against the configured tables", () => {
  // The app's view of the same tables (the app does need a Web PubSub setting; nothing is pushed here).
  const services = createServices(
    readConfig({ ...env, WEBCTI_CACHE_TTL_SECONDS: "0", WEBCTI_WEBPUBSUB_CONNECTION_STRING: "Endpoint=http://127.0.0.1;Port=9;AccessKey=bm90LXVzZWQ=;Version=1.0;" }),
  );

  it("adds a tenant, a provider and an agent the app then sees", async () => {
    expect((await ops("tenant", "put", "--tenant", "fabrikam", "--name", "Fabrikam", "--country", "GB")).code).toBe(0);
    const provider = await ops("provider", "put", "--tenant", "fabrikam", "--provider", "acme-voice", "--label", "Acme Voice");
    expect(provider).toMatchObject({ code: 0, json: { providerId: "acme-voice", label: "Acme Voice" } });
    expect((await ops("agent", "put", "--tenant", "fabrikam", "--agent", "a-1", "--name", "Ana")).code).toBe(0);

    expect(await getTenant(services, "fabrikam")).toMatchObject({ name: "Fabrikam", defaultCountry: "GB" });
    expect(await getProvider(services, "fabrikam", "acme-voice")).toMatchObject({ label: "Acme Voice" });
    expect(await getAgent(services, "fabrikam", "a-1")).toMatchObject({ displayName: "Ana" });
  });

  it("links an Entra user to the agent, so their sign-in is that agent", async () => {
    const linked = await ops("agent", "link", "--tenant", "fabrikam", "--agent", "a-1", "--principal", "5f1c0d2e-0000-4000-8000-000000000001");
    expect(linked).toMatchObject({ code: 0, json: { identityProvider: "aad" } });
    expect(await authenticateAgent(services, signedIn("5f1c0d2e-0000-4000-8000-000000000001"))).toEqual({
      tenantId: "fabrikam",
      agentId: "a-1",
    });
  });

  it("rotates a partner key without downtime: two keys live, then the old one revoked", async () => {
    const first = (await ops("key", "issue", "--tenant", "fabrikam", "--provider", "acme-voice")).json as { keyId: string; apiKey: string };
    const second = (await ops("key", "issue", "--tenant", "fabrikam", "--provider", "acme-voice")).json as { keyId: string; apiKey: string };
    expect(first.apiKey).toMatch(/^wcti_/);
    for (const key of [first, second]) {
      expect(await authenticatePartner(services, bearer(key.apiKey))).toMatchObject({ tenantId: "fabrikam", providerId: "acme-voice" });
    }
    const listed = await ops("key", "list", "--tenant", "fabrikam", "--provider", "acme-voice");
    expect(listed.json).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ keyId: first.keyId, revoked: false }),
        expect.objectContaining({ keyId: second.keyId, revoked: false }),
      ]),
    );
    expect(listed.output).not.toContain(first.apiKey.slice(-20)); // never a secret

    expect((await ops("key", "revoke", "--key", first.keyId)).code).toBe(0);
    await expect(authenticatePartner(services, bearer(first.apiKey))).rejects.toMatchObject({ code: "unauthenticated" });
    expect(await authenticatePartner(services, bearer(second.apiKey))).toMatchObject({ keyId: second.keyId });
    const after = (await ops("key", "list", "--tenant", "fabrikam", "--provider", "acme-voice")).json as Array<{ keyId: string; revoked: boolean }>;
    expect(after.find((k) => k.keyId === first.keyId)?.revoked).toBe(true);
  });

  it("rotates a tenant's integration key: two keys live, then the old one revoked", async () => {
    type Issued = { keyId: string; integrationKey: string };
    const first = (await ops("integration-key", "issue", "--tenant", "fabrikam")).json as Issued;
    const second = (await ops("integration-key", "issue", "--tenant", "fabrikam")).json as Issued;
    expect(first.integrationKey).toMatch(/^wcik_/);
    for (const key of [first, second]) {
      expect(await authenticateIntegration(services, bearer(key.integrationKey))).toEqual({ tenantId: "fabrikam", keyId: key.keyId });
    }
    const listed = await ops("integration-key", "list", "--tenant", "fabrikam");
    expect(listed.json).toEqual([
      expect.objectContaining({ keyId: first.keyId, revoked: false }),
      expect.objectContaining({ keyId: second.keyId, revoked: false }),
    ]);
    expect(listed.output).not.toContain(first.integrationKey.slice(-20));
    expect((await ops("integration-key", "revoke", "--key", first.keyId)).code).toBe(0);
    await expect(authenticateIntegration(services, bearer(first.integrationKey))).rejects.toMatchObject({ code: "unauthenticated" });
    expect(await authenticateIntegration(services, bearer(second.integrationKey))).toMatchObject({ keyId: second.keyId });
    expect((await ops("integration-key", "issue", "--tenant", "nobody")).output).toContain("no tenant 'nobody'");
    expect((await ops("integration-key", "revoke", "--key", "0000000000000000")).code).toBe(2);
  });

  it("names the missing tables setting, and only that, when none is given", async () => {
    const run = await opsWith({ env: {} }, "tenant", "put", "--tenant", "x", "--name", "X");
    expect(run.code).toBe(2);
    expect(run.output).toMatch(/WEBCTI_TABLES_ENDPOINT.*WEBCTI_TABLES_CONNECTION_STRING/);
    expect(run.output).not.toMatch(/WEBPUBSUB|    at /);
  });

  it("stores a panel's widget protocol and settings, and refuses an unknown protocol or panel setting, naming it", async () => {
    const { writeFile, mkdtemp } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(join(tmpdir(), "webcti-ops-"));
    const panel = { widgetUrl: "https://cti.example/widget", trustedOrigins: ["https://cti.example"] };
    const put = async (extra: object) => {
      const file = join(dir, `p-${Math.random().toString(36).slice(2)}.json`);
      await writeFile(file, JSON.stringify({ panel: { ...panel, ...extra } }));
      return ops("provider", "put", "--tenant", "fabrikam", "--provider", "hub-voice", "--label", "Hub Voice", "--file", file);
    };
    expect((await put({ widgetProtocol: "hubspot", settings: { region: "eu", "queue.default": "support" } })).code).toBe(0);
    expect((await getProvider(services, "fabrikam", "hub-voice")).panel).toMatchObject({ widgetProtocol: "hubspot", settings: { region: "eu", "queue.default": "support" } });

    const unknownProtocol = await put({ widgetProtocol: "genesys" });
    expect(unknownProtocol.code).not.toBe(0);
    expect(unknownProtocol.output).toContain("widgetProtocol");
    const unknownSetting = await put({ widgetProtocl: "hubspot" });
    expect(unknownSetting.code).not.toBe(0);
    expect(unknownSetting.output).toContain("widgetProtocl");
    // The host reports calls only from a HubSpot widget's messages; a WebCTI widget reports its own.
    const reportingWebCti = await put({ widgetProtocol: "webcti", reportCalls: true });
    expect(reportingWebCti.code).not.toBe(0);
    expect(reportingWebCti.output).toContain("reportCalls is for HubSpot widgets");
    // Refused input changed nothing: the stored panel is the one before.
    expect((await getProvider(services, "fabrikam", "hub-voice")).panel).toMatchObject({ widgetProtocol: "hubspot" });
    expect((await put({ widgetProtocol: "hubspot", reportCalls: true })).code).toBe(0);
    expect((await getProvider(services, "fabrikam", "hub-voice")).panel).toMatchObject({ widgetProtocol: "hubspot", reportCalls: true });
  });

  it("refuses bad input with a usage message and writes nothing", async () => {
    expect((await ops()).code).toBe(2);
    expect((await ops("tenant", "put", "--tenant", "x")).output).toContain("missing --name");
    expect((await ops("frobnicate")).output).toContain("unknown command");
    expect((await ops("tenant", "put", "--tenant", "bad|id", "--name", "X")).code).toBe(2);
    expect((await ops("agent", "put", "--tenant", "nobody", "--agent", "a", "--name", "A")).output).toContain("no tenant 'nobody'");
    expect((await ops("key", "issue", "--tenant", "fabrikam", "--provider", "nope")).output).toContain("no provider 'nope'");
    expect((await ops("key", "revoke", "--key", "0000000000000000")).output).toContain("no key");
    expect(await findTenant(services, "nobody")).toBeUndefined();
    expect(await findTenant(services, "bad|id")).toBeUndefined();
    const agents = [];
    for await (const row of services.tables.agents.listEntities({ queryOptions: { filter: "PartitionKey eq 'nobody'" } })) agents.push(row);
    expect(agents).toEqual([]);
  });
});

describe("the operator CLI against a deployment's tables endpoint (Azurite in OAuth mode over https)", () => {
  let azurite: AzuriteTables;
  beforeAll(async () => {
    azurite = await startOAuthAzurite();
  });
  afterAll(() => azurite?.close());

  it("signs in with the credential the app's service factory gives it and writes a tenant, with no Web PubSub setting", async () => {
    const credential = new TestIdentityCredential();
    const deployment = { WEBCTI_TABLES_ENDPOINT: azurite.endpoint, WEBCTI_TABLE_PREFIX: uniquePrefix() };
    const run = await opsWith({ env: deployment, services: { credential, tables: trustLocalCert } }, "tenant", "put", "--tenant", "fabrikam", "--name", "Fabrikam");
    expect(run).toMatchObject({ code: 0, json: { tenantId: "fabrikam", name: "Fabrikam" } });
    expect(credential.scopes).toContain("https://storage.azure.com/.default");
    const tables = createTables(readTablesConfig(deployment), trustLocalCert, credential);
    expect((await tables.tenants.getEntity("fabrikam", "")).name).toBe("Fabrikam");
  });
});
