import { z } from "zod";

/**
 * Every setting the code reads, validated in one place. Locally the stack passes connection strings
 * (Azurite, the local Web PubSub service); the Bicep deployment sets the same names.
 */
export const ConfigSchema = z.object({
  WEBCTI_TABLES_CONNECTION_STRING: z.string().min(1),
  WEBCTI_WEBPUBSUB_CONNECTION_STRING: z.string().min(1),
  WEBCTI_WEBPUBSUB_HUB: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,127}$/).default("webcti"),
  /** Prefix of every table name, so several deployments or test runs can share one account. */
  WEBCTI_TABLE_PREFIX: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,30}$/).default("webcti"),
  /** How long authenticated partner keys, agents and providers stay cached in one process. */
  WEBCTI_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** Lifetime of the Web PubSub client token returned by negotiate. */
  WEBCTI_CLIENT_TOKEN_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
  /** Partner API rate per key for providers without their own `rateLimit` (per instance; docs/api-conventions.md). */
  WEBCTI_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(100_000).default(50),
  WEBCTI_RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(1_000_000).default(100),
  /**
   * Lets partners register `http://` webhook endpoints and ones on loopback or private addresses. Off in
   * production: plain http sends signed payloads in clear text, and internal addresses would let a partner
   * make this service call into its own network (SSRF). The local stack and the tests turn it on.
   */
  WEBCTI_WEBHOOKS_ALLOW_HTTP: z.stringbool().default(false),
});
export type Config = z.infer<typeof ConfigSchema>;

export function readConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`WebCTI configuration is not valid:\n${lines}`);
  }
  return parsed.data;
}

/**
 * The settings a production deployment (managed identity, no connection strings) must set; infra/main.bicep
 * sets each of them (test/infra checks it). TEMPORARY (deploy issue, infra half): the runtime half replaces it.
 */
export const productionSettings: string[] = [
  "WEBCTI_TABLES_ENDPOINT",
  "WEBCTI_WEBPUBSUB_ENDPOINT",
  "WEBCTI_WEBPUBSUB_HUB",
  "WEBCTI_TABLE_PREFIX",
  "WEBCTI_TELEMETRY",
  "AZURE_CLIENT_ID",
  "APPLICATIONINSIGHTS_CONNECTION_STRING",
];
