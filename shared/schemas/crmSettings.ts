import { z } from "zod";

/**
 * A web origin the CRM's agent page is served from: scheme, host and port only (`https://crm.contoso.com`),
 * exactly as a browser sends it in `Origin`. http is accepted for loopback development origins only.
 */
export const CrmOrigin = z
  .string()
  .max(200)
  .refine((value) => {
    try {
      const url = new URL(value);
      const loopback = url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
      return url.origin === value && (url.protocol === "https:" || (url.protocol === "http:" && loopback));
    } catch {
      return false;
    }
  }, "an origin: https://host[:port] (http only for localhost / 127.0.0.1), no path, no trailing slash")
  .meta({ id: "CrmOrigin" });

/**
 * Where caller look-ups and the widget's record operations go (docs/crm-integration.md):
 * `directory`: WebCTI's own customer directory (the embedded default);
 * `host`: the CRM page's adapter (the browser client asks it, and applies the provider's pop policy);
 * `webhook`: the tenant's signed look-up endpoint, called by WebCTI at ringing time.
 */
export const RecordSource = z.enum(["directory", "host", "webhook"]).meta({ id: "RecordSource" });
export type RecordSource = z.infer<typeof RecordSource>;

export const LookupWebhook = z
  .object({
    url: z
      .url({ protocol: /^https?$/, hostname: z.regexes.hostname })
      .max(2000)
      .describe("Where WebCTI POSTs a signed look-up at ringing time. https only (http only where the deployment allows it)."),
    fallback: z
      .enum(["directory", "search"])
      .default("search")
      .describe("What a slow (over 1.5 s), failed or malformed look-up falls back to: the directory, or a search pop."),
  })
  .meta({ id: "LookupWebhook" });

export const EntraSignIn = z
  .object({
    issuer: z.url({ protocol: /^https?$/ }).max(500).describe("The `iss` the tokens carry, e.g. https://login.microsoftonline.com/<tenant id>/v2.0."),
    audience: z.string().min(1).max(200).describe("The `aud` the tokens carry: WebCTI's API as registered in the CRM's Entra tenant."),
    jwksUri: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .optional()
      .describe("Where the signing keys are; default: the `jwks_uri` of the issuer's OpenID configuration."),
  })
  .meta({ id: "EntraSignIn" });

/** How one tenant's CRM uses WebCTI: its origins, where records live, how its agents sign in. */
export const CrmSettings = z
  .object({
    origins: z.array(CrmOrigin).max(20).default([]).describe("The CRM's agent-page origins: CORS, frame-ancestors and cookie requests are allowed from these."),
    records: RecordSource.default("directory"),
    lookupWebhook: LookupWebhook.optional().describe("Required when `records` is `webhook`."),
    entra: EntraSignIn.optional().describe("Agents may present Entra ID access tokens from this authority."),
  })
  .superRefine((settings, ctx) => {
    if (settings.records === "webhook" && !settings.lookupWebhook) {
      ctx.addIssue({ code: "custom", path: ["lookupWebhook"], message: "required when records is webhook" });
    }
  })
  .meta({ id: "CrmSettings" });
export type CrmSettings = z.infer<typeof CrmSettings>;
export type CrmSettingsInput = z.input<typeof CrmSettings>;

export const defaultCrmSettings: CrmSettings = CrmSettings.parse({});
