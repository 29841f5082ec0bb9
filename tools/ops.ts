/**
 * The operator CLI: `npm run ops -- <command> [options]`. There is no admin API; this writes tenants,
 * providers, agents, sign-in links and partner keys straight into the tables the configuration points at.
 * It reads only the tables' settings (a connection string locally, or WEBCTI_TABLES_ENDPOINT with the
 * operator's own Azure sign-in against a deployment) and reaches them through the app's own service
 * factory (docs/operations.md).
 */
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { readTablesConfig } from "../shared/config.js";
import { connectTables, type Caches, type ServiceOverrides } from "../shared/services.js";
import type { Tables } from "../shared/storage/tables.js";
import { putAgent, putProvider, putTenant } from "../shared/tenancy/tenancyStore.js";
import { drainKpiProjection } from "../shared/analytics/runProjection.js";
import { requestRebuild } from "../shared/analytics/kpiStore.js";
import { linkPrincipal } from "../shared/auth/agentPrincipal.js";
import { issuePartnerKey, listProviderKeys, revokePartnerKey } from "../shared/auth/partnerKeys.js";
import { issueIntegrationKey, listIntegrationKeys, revokeIntegrationKey } from "../shared/auth/integrationKeys.js";
import { listParked, unpark } from "../shared/analytics/projectionFailures.js";
import { listParkedAttempts, unparkAttempts } from "../shared/webhooks/deliverySchedule.js";
import { removeAgent, removeProvider } from "../shared/tenancy/removeTenancy.js";
import { TtlCache } from "../shared/ttlCache.js";

export const usage = `Usage: npm run ops -- <command> [options]

  tenant put   --tenant ID --name NAME [--country US]
  provider put --tenant ID --provider ID --label LABEL [--file provider.json]
                 (the file holds the rest of the provider: screenPopPolicy, panel, rateLimit)
  agent put    --tenant ID --agent ID --name "DISPLAY NAME" [--supervisor]
                 (a supervisor also sees the KPI dashboard, exports facts and sets KPI settings)
  agent remove --tenant ID --agent ID     its sign-in links, agent tokens, presence and partner ids, then the
                 agent (its conversations, activities and KPI figures stay)
  provider remove --tenant ID --provider ID   revokes its keys, deletes its webhook endpoint and partner ids,
                 then the provider (its conversations, activities and KPI figures stay)
  agent link   --tenant ID --agent ID --principal OBJECT_ID [--idp aad]
                 (the Entra object id of the user who signs in as this agent;
                  locally --idp demo --principal <the user name given at the demo sign-in>)
  key issue    --tenant ID --provider ID      prints the new key once; store it at the partner
  key list     --tenant ID --provider ID      key ids, creation time, revoked or not (never secrets)
  key revoke   --key KEY_ID
  integration-key issue  --tenant ID    prints the tenant's new integration key (the CRM backend's) once
  integration-key list   --tenant ID    key ids, creation time, revoked or not (never secrets)
  integration-key revoke --key KEY_ID   (rotation: issue a new key, move the CRM to it, revoke the old)
  kpis rebuild --tenant ID [--no-wait]
                 recomputes every KPI figure of the tenant from its stored conversation events (docs/kpis.md);
                 waits until done, or with --no-wait leaves the work to the projection timer
  kpis parked  [--tenant ID]   the KPI projection's parked items (failed 8 tries): item, attempts, last error
  kpis unpark  [--tenant ID]   puts them back for the next run (once their cause is fixed)
  webhooks parked               webhook retries the timer could not work on 8 times: delivery, error
  webhooks unpark               puts them back at their due time (once their cause is fixed)

Settings (the tables' only): WEBCTI_TABLES_CONNECTION_STRING (local), or WEBCTI_TABLES_ENDPOINT with your
Azure sign-in (az login; DefaultAzureCredential); WEBCTI_TABLE_PREFIX (default webcti).`;

const options = {
  tenant: { type: "string" },
  provider: { type: "string" },
  agent: { type: "string" },
  name: { type: "string" },
  label: { type: "string" },
  country: { type: "string" },
  file: { type: "string" },
  principal: { type: "string" },
  idp: { type: "string", default: "aad" },
  key: { type: "string" },
  supervisor: { type: "boolean" },
  "no-wait": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export class UsageError extends Error {}

function need(values: Record<string, unknown>, ...names: string[]): string[] {
  const missing = names.filter((n) => typeof values[n] !== "string" || values[n] === "");
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((n) => `--${n}`).join(", ")}`);
  return names.map((n) => values[n] as string);
}

export interface OpsIo {
  env: Record<string, string | undefined>;
  /** One JSON document per result. */
  print: (line: string) => void;
  now?: () => Date;
  /** The credential and client options of the table clients (tests: a test identity, a local certificate). */
  services?: Pick<ServiceOverrides, "credential" | "tables">;
}

/** Runs one command; resolves with the exit code (0 done, 2 usage error). Storage errors reject. */
export async function runOps(argv: string[], io: OpsIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    io.print(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals.join(" ");
  if (values.help || command === "") {
    io.print(usage);
    return values.help ? 0 : 2;
  }
  const now = io.now ?? (() => new Date());
  try {
    const run = commands[command];
    if (!run) throw new UsageError(`unknown command '${command}'`);
    const tables = await connectTables(tablesSettings(io.env), io.services);
    const result = await run(values, tables, now);
    io.print(JSON.stringify(result, null, 2));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.print(`${error.message}\n\n${usage}`);
      return 2;
    }
    if ((error as { name?: string }).name === "ZodError") {
      io.print(`invalid input: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}

type Values = Record<string, string | boolean | undefined>;
const commands: Record<string, (values: Values, tables: Tables, now: () => Date) => Promise<unknown>> = {
  "tenant put": async (values, tables) => {
    const [tenantId, name] = need(values, "tenant", "name");
    return putTenant({ tables }, { tenantId: tenantId!, name: name!, ...(values.country ? { defaultCountry: values.country as string } : {}) });
  },
  "provider put": async (values, tables) => {
    const [tenantId, providerId, label] = need(values, "tenant", "provider", "label");
    const rest = values.file ? (JSON.parse(await readFile(values.file as string, "utf8")) as object) : {};
    await requireTenant(tables, tenantId!);
    return putProvider({ tables }, { ...rest, tenantId: tenantId!, providerId: providerId!, label: label! });
  },
  "agent put": async (values, tables) => {
    const [tenantId, agentId, displayName] = need(values, "tenant", "agent", "name");
    await requireTenant(tables, tenantId!);
    return putAgent({ tables }, { tenantId: tenantId!, agentId: agentId!, displayName: displayName!, supervisor: values.supervisor === true });
  },
  "agent remove": async (values, tables) => {
    const [tenantId, agentId] = need(values, "tenant", "agent");
    await requireRow(tables.agents, tenantId!, agentId!, `agent '${agentId}' of tenant '${tenantId}'`);
    return removeAgent({ tables, caches: uncached() }, tenantId!, agentId!);
  },
  "provider remove": async (values, tables) => {
    const [tenantId, providerId] = need(values, "tenant", "provider");
    await requireRow(tables.providers, tenantId!, providerId!, `provider '${providerId}' of tenant '${tenantId}'`);
    return removeProvider({ tables, caches: uncached() }, tenantId!, providerId!);
  },
  "agent link": async (values, tables) => {
    const [tenantId, agentId, principalId, identityProvider] = need(values, "tenant", "agent", "principal", "idp");
    await requireRow(tables.agents, tenantId!, agentId!, `agent '${agentId}' of tenant '${tenantId}'`);
    await linkPrincipal({ tables }, { identityProvider: identityProvider!, principalId: principalId! }, { tenantId: tenantId!, agentId: agentId! });
    return { tenantId, agentId, identityProvider, principalId };
  },
  "key issue": async (values, tables, now) => {
    const [tenantId, providerId] = need(values, "tenant", "provider");
    await requireRow(tables.providers, tenantId!, providerId!, `provider '${providerId}' of tenant '${tenantId}'`);
    const issued = await issuePartnerKey(tables, tenantId!, providerId!, now());
    return { tenantId, providerId, ...issued };
  },
  "key list": async (values, tables) => {
    const [tenantId, providerId] = need(values, "tenant", "provider");
    return listProviderKeys(tables, tenantId!, providerId!);
  },
  "key revoke": async (values, tables) => {
    const [keyId] = need(values, "key");
    await requireRow(tables.partnerKeys, keyId!, "", `key '${keyId}'`);
    // This process caches nothing; app instances drop a revoked key within WEBCTI_CACHE_TTL_SECONDS.
    await revokePartnerKey({ tables, caches: uncached() }, keyId!);
    return { keyId, revoked: true };
  },
  "integration-key issue": async (values, tables, now) => {
    const [tenantId] = need(values, "tenant");
    await requireTenant(tables, tenantId!);
    return { tenantId, ...(await issueIntegrationKey(tables, tenantId!, now())) };
  },
  "integration-key list": async (values, tables) => {
    const [tenantId] = need(values, "tenant");
    return listIntegrationKeys(tables, tenantId!);
  },
  "integration-key revoke": async (values, tables, now) => {
    const [keyId] = need(values, "key");
    await requireRow(tables.integrationKeys, keyId!, "", `integration key '${keyId}'`);
    // As for partner keys: app instances drop a revoked key within WEBCTI_CACHE_TTL_SECONDS.
    await revokeIntegrationKey({ tables, caches: uncached() }, keyId!, now());
    return { keyId, revoked: true };
  },
  "kpis rebuild": async (values, tables, now) => {
    const [tenantId] = need(values, "tenant");
    await requireTenant(tables, tenantId!);
    await requestRebuild(tables, tenantId!, "all");
    if (values["no-wait"]) return { tenantId, rebuild: "requested" };
    const run = await drainKpiProjection({ tables, now }, { perShard: 500 });
    return { tenantId, rebuild: "done", conversations: run.conversations, quarterHours: run.quarters, ...(run.failed ? { failed: run.failed } : {}) };
  },
  "kpis parked": async (values, tables) => ({ parked: await listParked(tables.kpiDirty, optionalTenant(values)) }),
  "kpis unpark": async (values, tables) => ({ unparked: await unpark(tables.kpiDirty, optionalTenant(values)) }),
  "webhooks parked": async (_values, tables) => ({ parked: await listParkedAttempts({ tables }) }),
  "webhooks unpark": async (_values, tables) => ({ unparked: await unparkAttempts({ tables }) }),
};

function optionalTenant(values: Record<string, unknown>): string | undefined {
  return typeof values.tenant === "string" && values.tenant ? values.tenant : undefined;
}

/** A setting missing or malformed is the operator's to fix, like a missing option: said without a stack. */
function tablesSettings(env: OpsIo["env"]) {
  try {
    return readTablesConfig(env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function uncached(): Caches {
  const none = () => new TtlCache<never>(0);
  return {
    partnerKeys: none(),
    tenants: none(),
    providers: none(),
    agents: none(),
    principals: none(),
    integrationKeys: none(),
    agentTokens: none(),
    crmSettings: none(),
    crmIndex: none(),
    crmLookupSecrets: none(),
  };
}

async function requireTenant(tables: Tables, tenantId: string) {
  await requireRow(tables.tenants, tenantId, "", `tenant '${tenantId}' (create it with: tenant put)`);
}

async function requireRow(table: Tables[keyof Tables], partitionKey: string, rowKey: string, what: string) {
  try {
    await table.getEntity(partitionKey, rowKey);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) throw new UsageError(`no ${what}`);
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  runOps(process.argv.slice(2), { env: process.env, print: (line) => console.log(line) }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(String((error as Error)?.stack ?? error));
      process.exit(1);
    },
  );
}
