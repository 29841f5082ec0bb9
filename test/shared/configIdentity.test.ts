import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import WebSocket from "ws";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { readConfig, type Config } from "../../shared/config.js";
import { createPushClient } from "../../shared/services.js";
import { createTables, ensureTables } from "../../shared/storage/tables.js";
import { getAgentClientAccess, pushToAgent } from "../../shared/realtime/agentPush.js";
import { startLocalWebPubSub, type LocalWebPubSub } from "../../local/webpubsub/index.js";
import { waitForOutput } from "../../local/childProcess.js";
import { uniquePrefix } from "../support/stack.js";

/**
 * The managed-identity path (endpoints + a TokenCredential) without Azure: the same SDK clients the
 * services build, against the local Web PubSub service in its Entra test mode and an Azurite with OAuth,
 * both on TLS (the SDKs send bearer tokens over https only). What Azure adds and is not tested here: real
 * Entra tokens (signature by Entra's keys) and the role assignments (Azure checks them, these emulators
 * do not).
 */
const tlsDir = fileURLToPath(new URL("../local/webpubsub/tls/", import.meta.url));
const cert = readFileSync(join(tlsDir, "localhost.crt"));
const key = readFileSync(join(tlsDir, "localhost.key"));
const tenant = "72f988bf-0000-4000-8000-000000000001";

/** A TokenCredential issuing Entra-shaped tokens (as a managed identity gets them) signed by a test key. */
class TestIdentityCredential implements TokenCredential {
  readonly scopes: string[] = [];
  constructor(
    private readonly signingKey: KeyObject,
    private readonly audienceOverride?: string,
  ) {}
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? scopes[0]! : scopes;
    this.scopes.push(scope);
    const expiresOnTimestamp = Date.now() + 3_600_000;
    const token = await new SignJWT({ oid: "00000000-0000-4000-8000-00000000beef", tid: tenant })
      .setProtectedHeader({ alg: "RS256", typ: "JWT" })
      .setIssuer(`https://sts.windows.net/${tenant}/`)
      .setAudience(this.audienceOverride ?? scope.replace(/\/\.default$/, ""))
      .setIssuedAt()
      .setNotBefore("0s")
      .setExpirationTime("1h")
      .sign(this.signingKey);
    return { token, expiresOnTimestamp };
  }
}

const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
let service: LocalWebPubSub;
let azurite: ChildProcess;
let tablesEndpoint: string;

beforeAll(async () => {
  service = await startLocalWebPubSub({ tls: { key, cert }, entraTestKey: keys.publicKey });
  const main = join(dirname(createRequire(import.meta.url).resolve("azurite/package.json")), "dist", "src", "table", "main.js");
  const port = await freePort();
  azurite = spawn(
    process.execPath,
    [main, "--tableHost", "127.0.0.1", "--tablePort", String(port), "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck", "--oauth", "basic", "--cert", join(tlsDir, "localhost.crt"), "--key", join(tlsDir, "localhost.key")],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await waitForOutput(azurite, "Azurite", (output) => (/successfully (listening|started)/i.test(output) ? true : undefined), 30_000);
  tablesEndpoint = `https://127.0.0.1:${port}/devstoreaccount1`;
});
afterAll(async () => {
  azurite?.kill("SIGINT");
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

const trustLocalCert = { tlsOptions: { ca: cert.toString() }, retryOptions: { maxRetries: 0 } } as never;

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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
