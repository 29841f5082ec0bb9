import type { Services } from "../services.js";
import type { RecordMatch } from "../schemas/directory.js";
import {
  CustomerLookupAnswer,
  lookupTimeoutMs,
  maxLookupAnswerBytes,
  type CustomerLookupData,
} from "../schemas/directoryLookup.js";
import { checkWebhookUrl } from "../webhooks/endpointStore.js";
import { crmSigningSecrets } from "../webhooks/crmEndpoint.js";
import { newDeliveryId } from "../webhooks/deliveryRow.js";
import { signatureHeaders } from "../webhooks/signing.js";
import { outboundFailureText, postOutbound, type OutboundFailure } from "../webhooks/outbound.js";

const lookupFailureOf: Record<OutboundFailure, LookupFailure> = {
  timeout: "timeout",
  answer_too_large: "too_large",
  address_refused: "url_refused",
  name_not_resolved: "unreachable",
  connection_failed: "unreachable",
};

/** Why a look-up gave no matches to use: each leads to the tenant's `lookupWebhook.fallback`. */
export type LookupFailure =
  | "no_secret"
  | "url_refused"
  | "timeout"
  | "unreachable"
  | "http_status"
  | "too_large"
  | "malformed";

export type WebhookLookup = { ok: true; matches: RecordMatch[] } | { ok: false; failure: LookupFailure; detail: string };

/**
 * Asks the tenant's look-up endpoint who is calling (docs/webhooks.md, "customer.lookup"): one signed POST
 * (Standard Webhooks headers, the CRM endpoint's secrets), no redirects, within 1.5 s for the whole
 * exchange, an answer of at most 64 KiB and 50 matches. Never throws: every way it can fail is a
 * `LookupFailure`, which the caller turns into the fallback, so a partner never gets a 5xx for it.
 */
export async function callLookupWebhook(
  services: Pick<Services, "tables" | "now" | "caches" | "config">,
  url: string,
  data: CustomerLookupData,
): Promise<WebhookLookup> {
  try {
    checkWebhookUrl(services.config, url);
  } catch {
    return { ok: false, failure: "url_refused", detail: "the look-up URL is not allowed (see webhook endpoint URLs)" };
  }
  const secrets = await crmSigningSecrets(services, data.tenantId);
  if (secrets.length === 0) return { ok: false, failure: "no_secret", detail: "the tenant has no CRM webhook endpoint to sign with" };
  const now = services.now();
  const body = JSON.stringify({ type: "customer.lookup", timestamp: now.toISOString(), data });
  const headers = signatureHeaders(secrets, newDeliveryId(now), now, body);
  const answer = await postOutbound(url, {
    headers: { "content-type": "application/json", accept: "application/json", "user-agent": "WebCTI-Webhooks/1", ...headers },
    body,
    timeoutMs: lookupTimeoutMs,
    allowPrivate: services.config.WEBCTI_WEBHOOKS_ALLOW_HTTP,
    maxAnswerBytes: maxLookupAnswerBytes,
  });
  if (!answer.ok) return { ok: false, failure: lookupFailureOf[answer.failure], detail: outboundFailureText[answer.failure] };
  if (answer.status !== 200) return { ok: false, failure: "http_status", detail: `answered ${answer.status}` };
  const text = answer.text;
  return parseAnswer(text);
}

function parseAnswer(text: string): WebhookLookup {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, failure: "malformed", detail: "the answer is not JSON" };
  }
  const answer = CustomerLookupAnswer.safeParse(json);
  if (!answer.success) {
    const where = [...new Set(answer.error.issues.map((issue) => `#/${issue.path.join("/")}`))].slice(0, 5).join(", ");
    return { ok: false, failure: "malformed", detail: `the answer does not match CustomerLookupAnswer at ${where}` };
  }
  // A match without a name shows its id: pops and look-ups always have something to show.
  const matches = answer.data.matches.map(({ type, id, name, phone, email }): RecordMatch => ({
    type,
    id,
    name: name ?? id,
    ...(phone ? { phone } : {}),
    ...(email ? { email } : {}),
  }));
  return { ok: true, matches };
}

