import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { readConfig, type Config } from "../../shared/config.js";
import { createPushClient } from "../../shared/services.js";
import { createTables, ensureTables } from "../../shared/storage/tables.js";
import { getAgentClientAccess, pushToAgent } from "../../shared/realtime/agentPush.js";
import { startLocalWebPubSub, type LocalWebPubSub } from "../../local/webpubsub/index.js";
import type { AzuriteTables } from "../../local/azurite.js";
import { uniquePrefix } from "../support/stack.js";
import { TestIdentityCredential, identityKeys as keys, startOAuthAzurite, tlsCert as cert, tlsKey as key, trustLocalCert } from "../support/identity.js";

/**
 * The managed-identity path (endpoints + a TokenCredential) without Azure: the same SDK clients the
 * services build, against the local Web PubSub service in its Entra test mode and an Azurite with OAuth,
 * both on TLS (test/support/identity.ts says what Azure adds that is not tested here).
 */
let service: LocalWebPubSub;
let azurite: AzuriteTables;
let tablesEndpoint: string;

beforeAll(async () => {
  service = await startLocalWebPubSub({ tls: { key, cert }, entraTestKey: keys.publicKey });
  azurite = await startOAuthAzurite();
  tablesEndpoint = azurite.endpoint;
});
afterAll(async () => {
  await azurite?.close();
  await service?.close();
});

function identityConfig(): Config {
  return readConfig({
    WEBCTI_TABLES_ENDPOINT: tablesEndpoint,
    WEBCTI_WEBPUBSUB_ENDPOINT: service.endpoint,
    WEBCTI_WEBPUBSUB_HUB: "identity",
    WEBCTI_TABLE_PREFIX: uniquePrefix(),
    AZURE_CLIENT_ID: "00000000-0000-4000-8000-0000000000c1",
  });
}

describe("Web PubSub with a managed identity (endpoint + TokenCredential)", () => {
  it("negotiates through the service's generateToken and pushes to the connection", async () => {
    const credential = new TestIdentityCredential(keys.privateKey);
    const push = createPushClient(identityConfig(), credential, trustLocalCert);
    const access = await getAgentClientAccess(push, "contoso", "agent-1", 5, new Date());
    expect(credential.scopes).toContain("https://webpubsub.azure.com/.default");
    expect(access.url).toMatch(new RegExp(`^wss://127\\.0\\.0\\.1:\\d+/client/hubs/identity\\?access_token=`));

    const socket = new WebSocket(access.url, "json.webpubsub.azure.v1", { ca: cert });
    const messages: Array<{ type: string; data?: unknown }> = [];
    socket.on("message", (data) => void messages.push(JSON.parse(String(data))));
    try {
      await expect.poll(() => messages.some((m) => m.type === "system")).toBe(true);
      await pushToAgent(push, "contoso", "agent-1", { v: 1, kind: "presence", presence: { agentId: "agent-1", status: "available", changedAt: new Date().toISOString(), source: { kind: "agent" } } } as never);
      await expect.poll(() => messages.find((m) => m.type === "message")?.data).toMatchObject({ kind: "presence" });
    } finally {
      socket.close();
    }
  });

  it("refuses a token for another audience or signed by another key (401), as Azure would", async () => {
    const otherKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
    for (const credential of [new TestIdentityCredential(keys.privateKey, "https://storage.azure.com"), new TestIdentityCredential(otherKeys.privateKey)]) {
      const push = createPushClient(identityConfig(), credential, trustLocalCert);
      await expect(push.getClientAccessToken({ userId: "x" })).rejects.toMatchObject({ statusCode: 401 });
    }
  });

  it("without the test mode, the local service accepts only access-key tokens", async () => {
    const plain = await startLocalWebPubSub({ tls: { key, cert } });
    try {
      const config = { ...identityConfig(), WEBCTI_WEBPUBSUB_ENDPOINT: plain.endpoint };
      const push = createPushClient(config, new TestIdentityCredential(keys.privateKey), trustLocalCert);
      await expect(push.getClientAccessToken({ userId: "x" })).rejects.toMatchObject({ statusCode: 401 });
    } finally {
      await plain.close();
    }
  });

  it("needs a credential when an endpoint is configured", () => {
    expect(() => createPushClient(identityConfig())).toThrow(/token credential/);
  });
});

describe("Tables with a managed identity (endpoint + TokenCredential)", () => {
  it("creates the tables and writes and reads an entity with a bearer token for storage", async () => {
    const credential = new TestIdentityCredential(keys.privateKey);
    const tables = createTables(identityConfig(), trustLocalCert, credential);
    await ensureTables(tables);
    await tables.tenants.createEntity({ partitionKey: "contoso", rowKey: "", name: "Contoso" });
    expect((await tables.tenants.getEntity("contoso", "")).name).toBe("Contoso");
    expect(credential.scopes).toContain("https://storage.azure.com/.default");
  });

  it("is refused with a token for another audience", async () => {
    const tables = createTables(identityConfig(), trustLocalCert, new TestIdentityCredential(keys.privateKey, "https://webpubsub.azure.com"));
    await expect(tables.tenants.createTable()).rejects.toMatchObject({ statusCode: 403 }); // Azurite: AuthenticationFailed
  });
});
