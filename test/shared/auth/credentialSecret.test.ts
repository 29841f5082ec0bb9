import { describe, expect, it } from "vitest";
import { bearerCredential, credentialIdSource, credentialSecretSource, newCredentialSecret, secretMatches } from "../../../shared/auth/credentialSecret.js";

const headers = (authorization?: string) => new Headers(authorization ? { authorization } : {});

describe("credential secrets (partner keys, integration keys, agent tokens)", () => {
  it("mints an id and a secret of the documented shapes, and keeps only the secret's hash", () => {
    const minted = newCredentialSecret();
    expect(minted.id).toMatch(new RegExp(`^${credentialIdSource}$`));
    expect(minted.secret).toMatch(new RegExp(`^${credentialSecretSource}$`));
    expect(minted.secretSha256).not.toContain(minted.secret);
    expect(newCredentialSecret().id).not.toBe(minted.id);
  });

  it("matches the secret whose hash is stored, and nothing else (another secret, a hash of another length)", () => {
    const minted = newCredentialSecret();
    expect(secretMatches(minted.secretSha256, minted.secret)).toBe(true);
    expect(secretMatches(minted.secretSha256, newCredentialSecret().secret)).toBe(false);
    expect(secretMatches("AAAA", minted.secret)).toBe(false);
  });

  it("reads one credential from Authorization: Bearer, in any case of the scheme", () => {
    expect(bearerCredential(headers("Bearer wcti_x"))).toBe("wcti_x");
    expect(bearerCredential(headers("bearer   wcik_y"))).toBe("wcik_y");
    expect(bearerCredential(headers("Basic dXNlcg=="))).toBeUndefined();
    expect(bearerCredential(headers("Bearer two parts"))).toBeUndefined();
    expect(bearerCredential(headers())).toBeUndefined();
  });
});
