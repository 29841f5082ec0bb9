import { WebPubSubServiceClient } from "@azure/web-pubsub";
import type { Config } from "./config.js";
import { createTables, ensureTables, type Tables } from "./storage/tables.js";
import { TtlCache } from "./ttlCache.js";
import type { PartnerPrincipal } from "./auth/partnerKeys.js";
import type { Agent } from "./schemas/agent.js";
import type { Provider, Tenant } from "./schemas/provider.js";
import type { AgentIdentity } from "./auth/agentPrincipal.js";

export interface Caches {
  partnerKeys: TtlCache<PartnerPrincipal>;
  tenants: TtlCache<Tenant>;
  providers: TtlCache<Provider>;
  agents: TtlCache<Agent>;
  principals: TtlCache<AgentIdentity>;
}

/** Everything the domain needs from the outside world; built once per process and passed in. */
export interface Services {
  config: Config;
  tables: Tables;
  push: WebPubSubServiceClient;
  caches: Caches;
  now: () => Date;
}

export function createServices(config: Config, overrides: Partial<Pick<Services, "now">> = {}): Services {
  const ttlMs = config.WEBCTI_CACHE_TTL_SECONDS * 1000;
  const insecure = /Endpoint=http:/i.test(config.WEBCTI_WEBPUBSUB_CONNECTION_STRING);
  return {
    config,
    tables: createTables(config),
    push: new WebPubSubServiceClient(config.WEBCTI_WEBPUBSUB_CONNECTION_STRING, config.WEBCTI_WEBPUBSUB_HUB, {
      allowInsecureConnection: insecure,
    }),
    caches: {
      partnerKeys: new TtlCache(ttlMs),
      tenants: new TtlCache(ttlMs),
      providers: new TtlCache(ttlMs),
      agents: new TtlCache(ttlMs),
      principals: new TtlCache(ttlMs),
    },
    now: overrides.now ?? (() => new Date()),
  };
}

/**
 * Builds the services once and makes sure the tables exist before the first request uses them. The
 * promise is shared, so concurrent first requests wait for the same set-up.
 */
export function lazyServices(load: () => Config): () => Promise<Services> {
  let ready: Promise<Services> | undefined;
  return () => {
    ready ??= (async () => {
      const services = createServices(load());
      await ensureTables(services.tables);
      return services;
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
}
