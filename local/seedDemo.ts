import type { Services } from "../shared/services.js";
import { putAgent, putProvider, putTenant } from "../shared/tenancy/tenancyStore.js";
import { linkPrincipal } from "../shared/auth/agentPrincipal.js";
import { authenticatePartner, issuePartnerKey } from "../shared/auth/partnerKeys.js";
import { saveRecord } from "../shared/directory/saveRecord.js";
import { getRecord } from "../shared/directory/directoryStore.js";
import type { DirectoryRecordInput } from "../shared/schemas/directory.js";
import { demoIdentityProvider } from "./easyAuthEmulator.js";
import { WebCtiError } from "../shared/errors.js";
import { findEndpoint, putEndpoint } from "../shared/webhooks/endpointStore.js";
import { setDemoDialerSecret } from "./demoPartner.js";

/** The demo tenant `npm start` seeds; the README and the call simulator name these numbers. */
export const demo = {
  tenantId: "contoso",
  providerId: "demo-softphone",
  /** A provider without a widget: a click the softphone does not take goes to its server as a webhook. */
  dialerProviderId: "demo-dialer",
  agentId: "demo-agent",
  agentName: "Dana Reyes",
  /** The demo sign-in user (identity provider "demo") linked to the demo agent. */
  signInUser: "dana",
  numbers: {
    oneContact: "+1 206 555 0101", // Alice Johnson
    sharedByTwo: "+1 206 555 0150", // Bob and Carol Smith share a home line
    unknown: "+1 206 555 0199",
  },
} as const;

const accounts: Array<[string, DirectoryRecordInput]> = [
  ["acc-fabrikam", { name: "Fabrikam Inc.", phones: [{ number: "+1 425 555 0100", label: "main" }], emails: ["info@fabrikam.example"] }],
  ["acc-northwind", { name: "Northwind Traders", phones: [{ number: "(206) 555-0140", label: "main" }] }],
];

const contacts: Array<[string, DirectoryRecordInput]> = [
  ["c-alice", { name: "Alice Johnson", title: "Head of IT", accountId: "acc-fabrikam", phones: [{ number: "206-555-0101", label: "mobile" }, { number: "+1 425 555 0100 ext. 204", label: "work" }], emails: ["alice@fabrikam.example"] }],
  ["c-bob", { name: "Bob Smith", accountId: "acc-northwind", phones: [{ number: "+12065550150", label: "home" }, { number: "206.555.0151", label: "mobile" }], emails: ["bob@northwind.example"] }],
  ["c-carol", { name: "Carol Smith", accountId: "acc-northwind", phones: [{ number: "(206) 555-0150", label: "home" }], emails: ["carol@northwind.example"] }],
  ["c-dave", { name: "Dave Kim", title: "Buyer", accountId: "acc-fabrikam", phones: [{ number: "+44 20 7946 0958", label: "work" }], emails: ["dave@fabrikam.example"] }],
];

export interface DemoSeed {
  tenantId: string;
  providerId: string;
  agentId: string;
  signInUser: string;
  apiKey: string;
}

export interface DemoSeedOptions {
  /** Where the demo partner widgets are served (their own origin); the softphone is `${widgetBaseUrl}/softphone/`. */
  widgetBaseUrl?: string;
}

/** The widget origin `npm start` uses by default (the port after the functions host's 7071). */
export const defaultWidgetBaseUrl = "http://127.0.0.1:7072";

/**
 * Seeds the demo tenant idempotently (configuration is upserted, records created when missing). The partner key is kept if it still
 * authenticates (`knownKey`, read from the git-ignored data folder); otherwise a new one is issued.
 */
export async function seedDemo(services: Services, knownKey?: string, options: DemoSeedOptions = {}): Promise<DemoSeed> {
  const { tenantId, providerId, agentId } = demo;
  const widgetBaseUrl = (options.widgetBaseUrl ?? defaultWidgetBaseUrl).replace(/\/+$/, "");
  await putTenant(services, { tenantId, name: "Contoso Ltd", defaultCountry: "US" });
  await putProvider(services, {
    tenantId,
    providerId,
    label: "Demo Softphone",
    panel: {
      widgetUrl: `${widgetBaseUrl}/softphone/`,
      trustedOrigins: [new URL(widgetBaseUrl).origin],
      order: 10,
      clickToAct: true,
      defaultMode: "docked",
      width: { default: 360, min: 240, max: 800 },
    },
  });
  await seedDialer(services, widgetBaseUrl);
  await putAgent(services, { tenantId, agentId, displayName: demo.agentName, supervisor: true });
  await linkPrincipal(services, { identityProvider: demoIdentityProvider, principalId: demo.signInUser }, { tenantId, agentId });
  // Records are created once: what the agent edits in the desktop survives a restart.
  for (const [id, input] of accounts) {
    if (!(await getRecord(services.tables, tenantId, "account", id))) await saveRecord(services, tenantId, "account", id, input);
  }
  for (const [id, input] of contacts) {
    if (!(await getRecord(services.tables, tenantId, "contact", id))) await saveRecord(services, tenantId, "contact", id, input);
  }
  let apiKey = knownKey;
  if (apiKey && !(await stillValid(services, apiKey, tenantId))) apiKey = undefined;
  apiKey ??= (await issuePartnerKey(services.tables, tenantId, providerId, services.now())).apiKey;
  return { tenantId, providerId, agentId, signInUser: demo.signInUser, apiKey };
}

/**
 * The demo dialer: no widget, a webhook endpoint subscribed to `clickToAct.requested` on the demo partner's
 * backend (local/demoPartner.ts), which is told the signing secret. An http URL needs
 * WEBCTI_WEBHOOKS_ALLOW_HTTP (the local stack sets it); without it the dialer has no endpoint.
 */
async function seedDialer(services: Services, widgetBaseUrl: string) {
  const { tenantId, dialerProviderId: providerId } = demo;
  await putProvider(services, { tenantId, providerId, label: "Demo Dialer" });
  const url = `${widgetBaseUrl}/demo-partner/webhooks`;
  if (url.startsWith("http:") && !services.config.WEBCTI_WEBHOOKS_ALLOW_HTTP) return;
  // Created once with its secret; later seeds keep the secret and enable the endpoint again.
  await putEndpoint(services, tenantId, providerId, { url, eventTypes: ["clickToAct.requested"] });
  const stored = await findEndpoint(services, tenantId, providerId);
  if (stored) setDemoDialerSecret(widgetBaseUrl, stored.secrets[0]!);
}

async function stillValid(services: Services, apiKey: string, tenantId: string): Promise<boolean> {
  try {
    const caller = await authenticatePartner(services, new Headers({ authorization: `Bearer ${apiKey}` }));
    return caller.tenantId === tenantId;
  } catch (error) {
    if (error instanceof WebCtiError && error.code === "unauthenticated") return false;
    throw error;
  }
}
