import { WebCtiError } from "../../shared/errors.js";

/**
 * The API versions this code serves, oldest first; the last one is the default. A version is the date
 * its contract was fixed. A request pins one with `WebCTI-Version: 2026-11-01`; every answer says which
 * one served it. Add a date here (and branch on `HandlerInput.version` where behaviour differs) when a
 * change would break a partner that pinned an older one.
 */
export const supportedVersions = ["2026-11-01"] as const;
export type ApiVersion = (typeof supportedVersions)[number];
export const currentVersion: ApiVersion = supportedVersions[supportedVersions.length - 1]!;

export const versionHeader = "WebCTI-Version";

/** The version the request pinned, or the current one; an unknown one is a 400 that names the header. */
export function requestedVersion(headers: { get(name: string): string | null }): ApiVersion {
  const value = headers.get(versionHeader)?.trim();
  if (value === undefined || value === "") return currentVersion;
  const known = supportedVersions.find((v) => v === value);
  if (!known) {
    throw new WebCtiError("invalid_request", `API version '${value.slice(0, 40)}' is not served here.`, {
      errors: [{ header: versionHeader, detail: `not a supported version; supported: ${supportedVersions.join(", ")}` }],
    });
  }
  return known;
}
