import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The secret half of WebCTI's credentials — partner keys (`wcti_`), integration keys (`wcik_`) and agent
 * tokens (`wcat_`) — in one place. Each credential reads `<prefix>_<…its own parts>_<id>_<secret>`: the
 * id (16 hex digits) finds its row with one point read, and only the SHA-256 of the secret is stored. The
 * secret is 32 random bytes, so a plain hash is enough (a slow password hash protects guessable secrets,
 * which these are not) and keeps authentication cheap; it is compared in constant time.
 */
export const credentialIdSource = "[a-z0-9]{16}";
export const credentialSecretSource = "[A-Za-z0-9_-]{43}";

export interface NewCredentialSecret {
  /** The row's key. */
  id: string;
  /** Shown once in the credential; never stored. */
  secret: string;
  /** What the row keeps (base64). */
  secretSha256: string;
}

export function newCredentialSecret(): NewCredentialSecret {
  const secret = randomBytes(32).toString("base64url");
  return { id: randomBytes(8).toString("hex"), secret, secretSha256: sha256(secret).toString("base64") };
}

/** Whether a presented secret is the one whose hash a row keeps (constant time). */
export function secretMatches(secretSha256: string, secret: string): boolean {
  const stored = Buffer.from(secretSha256, "base64");
  const presented = sha256(secret);
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}

/** The credential of `Authorization: Bearer <credential>` (the one documented scheme), if any. */
export function bearerCredential(headers: { get(name: string): string | null }): string | undefined {
  return headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
}

function sha256(secret: string): Buffer {
  return createHash("sha256").update(secret).digest();
}
