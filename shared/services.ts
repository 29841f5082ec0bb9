import { WebPubSubServiceClient, type WebPubSubServiceClientOptions } from "@azure/web-pubsub";
import type { TableServiceClientOptions } from "@azure/data-tables";
import type { TokenCredential } from "@azure/identity";
import { tablesAccess, usesIdentity, webPubSubAccess, type Config, type TablesConfig } from "./config.js";
import { createStorageGuard, createTables, ensureTables, type Tables } from "./storage/tables.js";
import { createCallGuard, defaultCallTimeoutMs, type CallGuard } from "./storage/callGuard.js";
import { TtlCache } from "./ttlCache.js";
import type { PartnerPrincipal } from "./auth/partnerKeys.js";
import type { Agent } from "./schemas/agent.js";
import type { Provider, Tenant } from "./schemas/provider.js";
import type { AgentIdentity } from "./auth/agentPrincipal.js";
import type { CachedIntegrationKey } from "./auth/integrationKeys.js";
import type { StoredAgentToken } from "./auth/agentTokens.js";
import type { CrmSettings } from "./schemas/crmSettings.js";

export interface Caches {
  partnerKeys: TtlCache<PartnerPrincipal>;
  tenants: TtlCache<Tenant>;
  providers: TtlCache<Provider>;
  agents: TtlCache<Agent>;
  principals: TtlCache<AgentIdentity>;
  integrationKeys: TtlCache<CachedIntegrationKey>;
  agentTokens: TtlCache<StoredAgentToken>;
  crmSettings: TtlCache<CrmSettings>;
  /** The tenants that list an origin or an Entra issuer in their CRM settings (shared/tenancy/crmSettingsStore.ts). */
  crmIndex: TtlCache<string[]>;
  /** The signing secrets of a tenant's CRM webhook endpoint: a webhook look-up signs with them at ringing time. */
  crmLookupSecrets: TtlCache<string[]>;
}

/** Everything the domain needs from the outside world; built once per process and passed in. */
export interface Services {
  config: Config;
  tables: Tables;
  push: WebPubSubServiceClient;
  caches: Caches;
  now: () => Date;
  /** Per-call deadlines and what is known of each backing service's health (shared/storage/callGuard.ts). */
  guards: { storage: CallGuard; push: CallGuard };
}

export interface ServiceOverrides {
  now?: () => Date;
  /** Used for the services given by endpoint (the managed identity in Azure; a test credential in tests). */
  credential?: TokenCredential;
  /** Client options for the Web PubSub client (tests: trust a local TLS certificate). */
  webPubSub?: WebPubSubServiceClientOptions;
  /** Client options for the table clients (tests: trust a local TLS certificate). */
  tables?: TableServiceClientOptions;
}

export function createServices(config: Config, overrides: ServiceOverrides = {}): Services {
  const ttlMs = config.WEBCTI_CACHE_TTL_SECONDS * 1000;
  const guards = {
    storage: createStorageGuard(config),
    push: createCallGuard({ service: "Web PubSub", code: "push_unavailable", timeoutMs: config.WEBCTI_PUSH_TIMEOUT_MS ?? defaultCallTimeoutMs }),
  };
  const webPubSub = overrides.webPubSub ?? {};
  return {
    config,
    guards,
    tables: createTables(config, overrides.tables, overrides.credential, guards.storage),
    push: createPushClient(config, overrides.credential, {
      ...webPubSub,
      additionalPolicies: [...(webPubSub.additionalPolicies ?? []), { policy: guards.push.policy, position: "perCall" }],
    }),
    caches: {
      partnerKeys: new TtlCache(ttlMs),
      tenants: new TtlCache(ttlMs),
      providers: new TtlCache(ttlMs),
      agents: new TtlCache(ttlMs),
      principals: new TtlCache(ttlMs),
      integrationKeys: new TtlCache(ttlMs),
      agentTokens: new TtlCache(ttlMs),
      crmSettings: new TtlCache(ttlMs),
      crmIndex: new TtlCache(ttlMs),
      crmLookupSecrets: new TtlCache(ttlMs),
    },
    now: overrides.now ?? (() => new Date()),
  };
}

/**
 * The Web PubSub service client, from a connection string (the local service) or from the endpoint with a
 * token credential (Azure; role "Web PubSub Service Owner"). With a credential, negotiate's
 * `getClientAccessToken` asks the service for the client token (its generateToken operation).
 */
export function createPushClient(
  config: Config,
  credential?: TokenCredential,
  options: WebPubSubServiceClientOptions = {},
): WebPubSubServiceClient {
  const access = webPubSubAccess(config);
  if (access.kind === "identity") {
    if (!credential) throw new Error("WEBCTI_WEBPUBSUB_ENDPOINT is set: a token credential (managed identity) is needed");
    return new WebPubSubServiceClient(access.endpoint, credential, config.WEBCTI_WEBPUBSUB_HUB, options);
  }
  const allowInsecureConnection = /Endpoint=http:/i.test(access.connectionString);
  return new WebPubSubServiceClient(access.connectionString, config.WEBCTI_WEBPUBSUB_HUB, { allowInsecureConnection, ...options });
}

/**
 * The app's identity: the user-assigned managed identity named by AZURE_CLIENT_ID, or, without it,
 * whatever DefaultAzureCredential finds (a developer's `az login` when pointing a local run at Azure).
 * @azure/identity is imported only here, and only when an endpoint is configured: cold starts with
 * connection strings never load it.
 */
export async function createCredential(config: Pick<Config, "AZURE_CLIENT_ID">): Promise<TokenCredential> {
  const identity = await import("@azure/identity");
  return config.AZURE_CLIENT_ID
    ? new identity.ManagedIdentityCredential({ clientId: config.AZURE_CLIENT_ID })
    : new identity.DefaultAzureCredential();
}

/**
 * Builds the services once and makes sure the tables exist before the first request uses them. The
 * promise is shared, so concurrent first requests wait for the same set-up.
 */
export function lazyServices(load: () => Config, overrides: ServiceOverrides = {}): () => Promise<Services> {
  let ready: Promise<Services> | undefined;
  return () => {
    ready ??= (async () => {
      const config = load();
      const credential = overrides.credential ?? (usesIdentity(config) ? await createCredential(config) : undefined);
      const services = createServices(config, { ...overrides, ...(credential ? { credential } : {}) });
      await ensureTables(services.tables);
      return services;
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
}

/**
 * The tables alone, reached as the app's services reach them (a connection string, or the endpoint with
 * the same credential: the managed identity, or an operator's `az login`), and created if missing. For
 * the operator CLI, which needs nothing else.
 */
export async function connectTables(
  config: TablesConfig,
  overrides: Pick<ServiceOverrides, "credential" | "tables"> = {},
): Promise<Tables> {
  const credential = overrides.credential ?? (tablesAccess(config).kind === "identity" ? await createCredential(config) : undefined);
  const tables = createTables(config, overrides.tables, credential);
  await ensureTables(tables);
  return tables;
}
