import { z } from "zod";

const httpsUrl = (what: string) =>
  z
    .url({ protocol: /^https$/, error: `${what} must be an https:// URL (a token is only sent over TLS)` })
    .transform((url) => url.replace(/\/+$/, ""));

/** How the tables are reached: all the operator CLI (tools/ops.ts) needs. */
const tablesSettings = {
  WEBCTI_TABLES_CONNECTION_STRING: z.string().min(1).optional(),
  /** https://<account>.table.core.windows.net, used with the managed identity. */
  WEBCTI_TABLES_ENDPOINT: httpsUrl("WEBCTI_TABLES_ENDPOINT").optional(),
  /** Prefix of every table name, so several deployments or test runs can share one account. */
  WEBCTI_TABLE_PREFIX: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,30}$/).default("webcti"),
  /** The client id of the user-assigned managed identity (read by @azure/identity); only with endpoints. */
  AZURE_CLIENT_ID: z.string().min(1).optional(),
  /** The most one Table storage call may take, its SDK retries included; then it fails with a 503 (shared/storage/callGuard.ts). */
  WEBCTI_STORAGE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8000),
};

/**
 * Every setting the code reads, validated in one place (docs/architecture.md, "Configuration").
 *
 * Each service is reached one of two ways, never both:
 * - locally (Azurite, the local Web PubSub service) with a connection string (`*_CONNECTION_STRING`);
 * - in Azure with an endpoint (`*_ENDPOINT`) and the app's managed identity (`@azure/identity`; the
 *   user-assigned identity is named by `AZURE_CLIENT_ID`), so no key is kept in the app settings.
 * The Bicep deployment (infra/main.bicep) sets the names in `productionSettings`.
 */
export const ConfigSchema = z
  .object({
    ...tablesSettings,
    WEBCTI_WEBPUBSUB_CONNECTION_STRING: z.string().min(1).optional(),
    /** https://<name>.webpubsub.azure.com, used with the managed identity. */
    WEBCTI_WEBPUBSUB_ENDPOINT: httpsUrl("WEBCTI_WEBPUBSUB_ENDPOINT").optional(),
    WEBCTI_WEBPUBSUB_HUB: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,127}$/).default("webcti"),
    /** The most one Web PubSub call may take, its SDK retries included; then it fails with a 503. */
    WEBCTI_PUSH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8000),
    /** `off`: no spans are recorded; `azure`: Application Insights; `console`: spans printed (local debugging). */
    WEBCTI_TELEMETRY: z.enum(["off", "azure", "console"]).default("off"),
    APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().min(1).optional(),
    /** How long authenticated partner keys, agents and providers stay cached in one process. */
    WEBCTI_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
    /**
     * Lifetime of the Web PubSub client token returned by negotiate: it only has to open one connection
     * (every reconnection negotiates again), so it is short. Whole minutes, at least 1 (the service's minimum).
     */
    WEBCTI_CLIENT_TOKEN_MINUTES: z.coerce.number().int().min(1).max(1440).default(5),
    /** Push connections one agent may hold at once (tabs, pop-outs); the hub's connect handler refuses the next (functions/webPubSubEvents.ts). */
    WEBCTI_MAX_CONNECTIONS_PER_AGENT: z.coerce.number().int().min(1).max(1000).default(10),
    /**
     * In Azure the hub's event handler authenticates with the Web PubSub resource's managed identity (infra/
     * modules/webpubsubhub.bicep): an Entra access token from this directory (`tid`), for this audience (`aud`),
     * of this identity (`oid`, its principal id). All three set = only such tokens are accepted
     * (shared/realtime/eventCaller.ts); none = events must carry the access key's `ce-signature` (local).
     */
    WEBCTI_PUSH_EVENTS_TENANT_ID: z.string().regex(/^[A-Za-z0-9.-]{1,100}$/).optional(),
    WEBCTI_PUSH_EVENTS_AUDIENCE: z.string().min(1).max(200).optional(),
    WEBCTI_PUSH_EVENTS_CALLER_OID: z.string().min(1).max(100).optional(),
    /** Where the directory's signing keys are; default https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys. */
    WEBCTI_PUSH_EVENTS_JWKS_URI: z.url({ protocol: /^https?$/ }).optional(),
    /** Partner API rate per key for providers without their own `rateLimit` (per instance; docs/api-conventions.md). */
    WEBCTI_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(100_000).default(50),
    WEBCTI_RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(1_000_000).default(100),
    /** Rate per signed-in agent on the agent routes, all its tabs and widgets together (per instance; docs/api-conventions.md). */
    WEBCTI_AGENT_RATE_PER_SECOND: z.coerce.number().positive().max(100_000).default(20),
    WEBCTI_AGENT_RATE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(100),
    /**
     * Lets partners register `http://` webhook endpoints and ones on loopback or private addresses. Off in
     * production: plain http sends signed payloads in clear text, and internal addresses would let a partner
     * make this service call into its own network (SSRF). The local stack and the tests turn it on.
     */
    WEBCTI_WEBHOOKS_ALLOW_HTTP: z.stringbool().default(false),
    /** Set by App Service in Azure only (read-only, the app's name): its presence means the app runs in Azure. */
    WEBSITE_SITE_NAME: z.string().min(1).optional(),
    /** Set by App Service to "True" when App Service Authentication (Easy Auth) is on; any other value or none = off. */
    WEBSITE_AUTH_ENABLED: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    exactlyOne(ctx, env, "WEBCTI_TABLES_CONNECTION_STRING", "WEBCTI_TABLES_ENDPOINT");
    exactlyOne(ctx, env, "WEBCTI_WEBPUBSUB_CONNECTION_STRING", "WEBCTI_WEBPUBSUB_ENDPOINT");
    allOrNone(ctx, env, ["WEBCTI_PUSH_EVENTS_TENANT_ID", "WEBCTI_PUSH_EVENTS_AUDIENCE", "WEBCTI_PUSH_EVENTS_CALLER_OID"]);
    if (env.WEBCTI_TELEMETRY === "azure" && !env.APPLICATIONINSIGHTS_CONNECTION_STRING) {
      ctx.addIssue({
        code: "custom",
        path: ["APPLICATIONINSIGHTS_CONNECTION_STRING"],
        message: "required when WEBCTI_TELEMETRY=azure",
      });
    }
  });
export type Config = z.infer<typeof ConfigSchema>;

/** The tables' settings alone, the same schemas as in ConfigSchema: a table command needs no Web PubSub setting. */
export const TablesConfigSchema = z
  .object(tablesSettings)
  .superRefine((env, ctx) => exactlyOne(ctx, env, "WEBCTI_TABLES_CONNECTION_STRING", "WEBCTI_TABLES_ENDPOINT"));
export type TablesConfig = z.infer<typeof TablesConfigSchema>;

/**
 * The settings a production deployment (endpoints + managed identity + Application Insights) must set;
 * infra/main.bicep sets exactly these (a test compares them).
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

/** How one service is reached: a connection string (local), or an endpoint with a token credential (Azure). */
export type ServiceAccess = { kind: "connectionString"; connectionString: string } | { kind: "identity"; endpoint: string };

export function tablesAccess(config: TablesConfig): ServiceAccess {
  return access(config.WEBCTI_TABLES_CONNECTION_STRING, config.WEBCTI_TABLES_ENDPOINT);
}

export function webPubSubAccess(config: Config): ServiceAccess {
  return access(config.WEBCTI_WEBPUBSUB_CONNECTION_STRING, config.WEBCTI_WEBPUBSUB_ENDPOINT);
}

/**
 * The Web PubSub service's host and, with a connection string, its access key (the hub's event handler
 * checks calls with them): undefined parts when the setting gives none.
 */
export function webPubSubService(config: Config): { host?: string; accessKey?: string } {
  const service = webPubSubAccess(config);
  if (service.kind === "identity") return { host: new URL(service.endpoint).hostname };
  const field = (name: string) => new RegExp(`(?:^|;)\\s*${name}=([^;]+)`, "i").exec(service.connectionString)?.[1];
  const endpoint = field("Endpoint");
  const accessKey = field("AccessKey");
  return { ...(endpoint && URL.canParse(endpoint) ? { host: new URL(endpoint).hostname } : {}), ...(accessKey ? { accessKey } : {}) };
}

/**
 * True when the app runs in Azure (App Service names it) without App Service Authentication in front: then
 * nothing strips a caller's forged `x-ms-client-principal`, so agent sessions must not be trusted
 * (shared/auth/agentPrincipal.ts). The local host plays Easy Auth and sets neither setting.
 */
export function easyAuthMissing(config: Pick<Config, "WEBSITE_SITE_NAME" | "WEBSITE_AUTH_ENABLED">): boolean {
  return config.WEBSITE_SITE_NAME !== undefined && config.WEBSITE_AUTH_ENABLED?.trim().toLowerCase() !== "true";
}

/** True when some service is reached with the managed identity (so a TokenCredential is needed). */
export function usesIdentity(config: Config): boolean {
  return tablesAccess(config).kind === "identity" || webPubSubAccess(config).kind === "identity";
}

export function readConfig(env: Record<string, string | undefined> = process.env): Config {
  return parseSettings(ConfigSchema, env);
}

/** Only what reaching the tables needs (the operator CLI); other settings are neither read nor required. */
export function readTablesConfig(env: Record<string, string | undefined> = process.env): TablesConfig {
  return parseSettings(TablesConfigSchema, env);
}

function parseSettings<T>(schema: z.ZodType<T>, env: Record<string, string | undefined>): T {
  // An empty app setting means "not set" (Azure and shells both produce them).
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(settings)"}: ${i.message}`).join("\n");
    throw new Error(`WebCTI configuration is not valid:\n${lines}`);
  }
  return parsed.data;
}

function access(connectionString: string | undefined, endpoint: string | undefined): ServiceAccess {
  if (connectionString) return { kind: "connectionString", connectionString };
  if (endpoint) return { kind: "identity", endpoint };
  throw new Error("unreachable: the schema requires a connection string or an endpoint");
}

function exactlyOne(ctx: z.RefinementCtx, env: Record<string, unknown>, connectionString: string, endpoint: string): void {
  const has = (name: string) => env[name] !== undefined;
  if (has(connectionString) && has(endpoint)) {
    ctx.addIssue({
      code: "custom",
      path: [endpoint],
      message: `set either ${connectionString} (local) or ${endpoint} (Azure, managed identity), not both`,
    });
  } else if (!has(connectionString) && !has(endpoint)) {
    ctx.addIssue({
      code: "custom",
      path: [endpoint],
      message: `set ${endpoint} (Azure, managed identity) or ${connectionString} (local)`,
    });
  }
}

function allOrNone(ctx: z.RefinementCtx, env: Record<string, unknown>, names: string[]): void {
  const missing = names.filter((name) => env[name] === undefined);
  if (missing.length > 0 && missing.length < names.length) {
    ctx.addIssue({ code: "custom", path: [missing[0]!], message: `set all of ${names.join(", ")} or none` });
  }
}
