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
  const signal = AbortSignal.timeout(lookupTimeoutMs);
  let text: string;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", "user-agent": "WebCTI-Webhooks/1", ...headers },
      body,
      redirect: "manual",
      signal,
    });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, failure: "http_status", detail: `answered ${response.status}` };
    }
    const read = await readLimited(response, maxLookupAnswerBytes);
    if (read === undefined) return { ok: false, failure: "too_large", detail: `the answer is over ${maxLookupAnswerBytes} bytes` };
    text = read;
  } catch (thrown) {
    const error = thrown as Error & { cause?: { code?: string } };
    if (signal.aborted) return { ok: false, failure: "timeout", detail: `no answer within ${lookupTimeoutMs} ms` };
    return { ok: false, failure: "unreachable", detail: (error.cause?.code ?? error.name).slice(0, 100) };
  }
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

/** The body as text, or undefined once it is past `maxBytes` (the rest is not read). */
async function readLimited(response: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(response.headers.get("content-length"));
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
