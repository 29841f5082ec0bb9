import { createHash } from "node:crypto";
import { WebCtiError } from "../../shared/errors.js";
import type { PartnerPrincipal } from "../../shared/auth/partnerKeys.js";
import type { AgentIdentity } from "../../shared/auth/agentPrincipal.js";
import type { IntegrationPrincipal } from "../../shared/auth/integrationKeys.js";
import type { IdempotencyScope, RequestFingerprint } from "../../shared/idempotency/idempotencyStore.js";

export const idempotencyKeyHeader = "Idempotency-Key";
export const replayedHeader = "Idempotent-Replayed";

const invalid = (detail: string) =>
  new WebCtiError("invalid_request", `The ${idempotencyKeyHeader} header is not valid: ${detail}.`, {
    errors: [{ header: idempotencyKeyHeader, detail }],
  });

/** A bare key: visible ASCII without the characters that delimit structured fields (`"` `,` `;` `\`). */
const bareKey = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/;

/**
 * Reads `Idempotency-Key`. The draft makes it a structured-field string (RFC 9651: `"…"`, with `\"` and
 * `\\` escapes, printable ASCII); a bare token (`Idempotency-Key: 8e03978e-…`, as many clients send it)
 * is accepted too. The key is 1–255 characters. Undefined when the header is absent and not required.
 */
export function readIdempotencyKey(headers: { get(name: string): string | null }, required: boolean): string | undefined {
  const raw = headers.get(idempotencyKeyHeader);
  if (raw === null || raw.trim() === "") {
    if (!required) return undefined;
    throw new WebCtiError("invalid_request", `This operation needs an ${idempotencyKeyHeader} header: a new unique value per request, the same one on retries.`, {
      errors: [{ header: idempotencyKeyHeader, detail: "required on this operation" }],
    });
  }
  const value = raw.trim();
  const key = value.startsWith('"') ? parseSfString(value) : value;
  if (!value.startsWith('"') && !bareKey.test(key)) throw invalid('a bare key may not hold spaces, quotes, commas, semicolons or backslashes; quote it as a string ("…")');
  if (key.length < 1 || key.length > 255) throw invalid("the key must be 1 to 255 characters long");
  return key;
}

/** An RFC 9651 sf-string: the whole value, nothing after the closing quote. */
function parseSfString(value: string): string {
  let out = "";
  for (let i = 1; i < value.length; i++) {
    const c = value[i]!;
    if (c === "\\") {
      const next = value[++i];
      if (next !== '"' && next !== "\\") throw invalid("a quoted key may only escape \\\" and \\\\");
      out += next;
    } else if (c === '"') {
      if (i !== value.length - 1) throw invalid("nothing may follow the closing quote (send the header once)");
      return out;
    } else if (c < " " || c > "~") {
      throw invalid("a quoted key holds printable ASCII only");
    } else {
      out += c;
    }
  }
  throw invalid("the quoted key has no closing quote");
}

/**
 * Keys are per caller: a partner's provider in its tenant, one agent in theirs, or the tenant's CRM
 * backend (all its integration keys together, so a retry sent with the rotated key still replays).
 */
export function idempotencyScope(caller: PartnerPrincipal | AgentIdentity | IntegrationPrincipal): IdempotencyScope {
  if ("providerId" in caller) return { tenantId: caller.tenantId, kind: "provider", id: caller.providerId };
  if ("agentId" in caller) return { tenantId: caller.tenantId, kind: "agent", id: caller.agentId };
  return { tenantId: caller.tenantId, kind: "integration", id: "crm" };
}

export function requestFingerprint(method: string, url: URL, body: Uint8Array): RequestFingerprint {
  return {
    method: method.toUpperCase(),
    target: `${url.pathname}${url.search}`,
    bodySha256: createHash("sha256").update(body).digest("base64"),
  };
}
