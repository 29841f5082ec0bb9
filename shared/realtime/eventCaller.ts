import { createHmac, timingSafeEqual } from "node:crypto";
import { jwtVerify, type JWTPayload } from "jose";
import { describeJwtFailure, jwksAt } from "../auth/entraTokens.js";
import type { Services } from "../services.js";
import { WebCtiError } from "../errors.js";
import { webPubSubService, type Config } from "../config.js";

/**
 * Who may call the hub's event handler (functions/webPubSubEvents.ts): our Web PubSub service only.
 * - In Azure the service has no access key (local auth off): the hub's event handler is configured with upstream
 *   auth ManagedIdentity (infra/modules/webpubsubhub.bicep), so the service sends `Authorization: Bearer <token>`,
 *   an Entra access token it gets with its own managed identity. With WEBCTI_PUSH_EVENTS_TENANT_ID, _AUDIENCE and
 *   _CALLER_OID set, only such a token is accepted: signed by the directory's keys, issued by that directory
 *   (`iss` and `tid`), for that audience (`aud`), of that identity (`oid`), not expired. `ce-signature` is then
 *   not trusted: a leaked or local key must not stand in for the service's identity.
 * - Without them (the local stack), each event carries `ce-signature`, the HMAC of its connection id with the
 *   access key of the Web PubSub connection string.
 * Either way the call is refused with 401 before anything is read or written.
 */
type Headers = { get(name: string): string | null };

const unauthenticated = (message: string) => new WebCtiError("unauthenticated", message);

interface EntraCaller {
  tenantId: string;
  audience: string;
  callerOid: string;
  jwksUri: string;
}

/** The Entra settings of the event handler, or undefined (the signature check applies). */
export function entraCaller(config: Config): EntraCaller | undefined {
  const tenantId = config.WEBCTI_PUSH_EVENTS_TENANT_ID;
  const audience = config.WEBCTI_PUSH_EVENTS_AUDIENCE;
  const callerOid = config.WEBCTI_PUSH_EVENTS_CALLER_OID;
  if (!tenantId || !audience || !callerOid) return undefined;
  const jwksUri = config.WEBCTI_PUSH_EVENTS_JWKS_URI ?? `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`;
  return { tenantId, audience, callerOid, jwksUri };
}

/** Checks the event call's caller (see above); returns its `ce-connectionId`. */
export async function verifyEventCaller(services: Services, headers: Headers): Promise<string> {
  const entra = entraCaller(services.config);
  if (entra === undefined) return verifyEventSignature(services, headers);
  const connectionId = headers.get("ce-connectionid");
  if (!connectionId) throw unauthenticated("A Web PubSub event needs ce-connectionId.");
  await verifyServiceToken(entra, headers.get("authorization"), services.now());
  return connectionId;
}

/** Entra v1 and v2 access tokens name their directory differently; the service's tokens may be either. */
function issuers(tenantId: string): string[] {
  return [`https://sts.windows.net/${tenantId}/`, `https://login.microsoftonline.com/${tenantId}/v2.0`];
}

async function verifyServiceToken(entra: EntraCaller, authorization: string | null, now: Date): Promise<void> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "")?.[1];
  if (!token) throw unauthenticated("A Web PubSub event needs the service's Entra access token (Authorization: Bearer).");
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, jwksAt(entra.jwksUri), {
      issuer: issuers(entra.tenantId),
      audience: entra.audience,
      algorithms: ["RS256"],
      currentDate: now,
      clockTolerance: 60,
      requiredClaims: ["exp", "iat"],
    }));
  } catch (error) {
    throw unauthenticated(`The event's access token is not valid: ${describeJwtFailure(error, "the directory's")}`);
  }
  if (payload.tid !== entra.tenantId) throw unauthenticated("The event's access token is from another directory.");
  if (payload.oid !== entra.callerOid) throw unauthenticated("The event's access token is not our Web PubSub service's identity.");
}

function accessKey(config: Config): string | undefined {
  return webPubSubService(config).accessKey;
}

/**
 * Checks `ce-signature` (`sha256=<hex>` values, comma-separated: one per service key) against the HMAC-SHA256
 * of `ce-connectionId` keyed with our access key. Without a key (identity access) no event is trusted.
 */
export function verifyEventSignature(services: Services, headers: Headers): string {
  const key = accessKey(services.config);
  const connectionId = headers.get("ce-connectionid");
  const signature = headers.get("ce-signature");
  if (key === undefined) {
    throw unauthenticated("This deployment has neither a Web PubSub access key nor WEBCTI_PUSH_EVENTS_* settings to check events with.");
  }
  if (!connectionId || !signature) throw unauthenticated("A Web PubSub event needs ce-connectionId and ce-signature.");
  const expected = Buffer.from(`sha256=${createHmac("sha256", key).update(connectionId).digest("hex")}`);
  const matches = signature.split(",").some((value) => {
    const given = Buffer.from(value.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw unauthenticated("The event's ce-signature does not match.");
  return connectionId;
}
