import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { startAzuriteTables, type AzuriteTables } from "../../local/azurite.js";

/**
 * The managed-identity path (endpoints + a TokenCredential) without Azure: Entra-shaped tokens signed by a
 * test key, and the local services on TLS (the SDKs send bearer tokens over https only). What Azure adds
 * and is not tested with these: real Entra tokens (signature by Entra's keys) and the role assignments
 * (Azure checks them, the emulators do not).
 */
export const tlsDir = fileURLToPath(new URL("../local/webpubsub/tls/", import.meta.url));
export const tlsCert = readFileSync(join(tlsDir, "localhost.crt"));
export const tlsKey = readFileSync(join(tlsDir, "localhost.key"));
const tenant = "72f988bf-0000-4000-8000-000000000001";

/** The signing key the test credential uses, and the public half a service in test mode trusts. */
export const identityKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });

/** Client options for the SDK clients: trust the local certificate, fail at once. */
export const trustLocalCert = { tlsOptions: { ca: tlsCert.toString() }, retryOptions: { maxRetries: 0 } } as never;

/** A TokenCredential issuing Entra-shaped tokens (as a managed identity gets them) signed by a test key. */
export class TestIdentityCredential implements TokenCredential {
  readonly scopes: string[] = [];
  constructor(
    private readonly signingKey: KeyObject = identityKeys.privateKey,
    private readonly audienceOverride?: string,
  ) {}
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? scopes[0]! : scopes;
    this.scopes.push(scope);
    const expiresOnTimestamp = Date.now() + 3_600_000;
    const token = await new SignJWT({ oid: "00000000-0000-4000-8000-00000000beef", tid: tenant })
      .setProtectedHeader({ alg: "RS256", typ: "JWT" })
      .setIssuer(`https://sts.windows.net/${tenant}/`)
      .setAudience(this.audienceOverride ?? scope.replace(/\/\.default$/, ""))
      .setIssuedAt()
      .setNotBefore("0s")
      .setExpirationTime("1h")
      .sign(this.signingKey);
    return { token, expiresOnTimestamp };
  }
}

/** Azurite's tables in OAuth mode on https: its `endpoint` takes bearer tokens, as WEBCTI_TABLES_ENDPOINT does. */
export function startOAuthAzurite(): Promise<AzuriteTables> {
  return startAzuriteTables({ oauth: { certFile: join(tlsDir, "localhost.crt"), keyFile: join(tlsDir, "localhost.key") } });
}
