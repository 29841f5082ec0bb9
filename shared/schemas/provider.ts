import { z } from "zod";
import { displayText } from "./displayText.js";
import { ProviderId, TenantId } from "./ids.js";
import { PanelConfig } from "./panel.js";
import { ScreenPopPolicy } from "./screenPopPolicy.js";

export { ScreenPopPolicy };

/**
 * How many partner API requests one key of the provider may send: a token bucket per key and per
 * instance (functions/http/rateLimit.ts). Without it, the deployment's defaults apply
 * (`WEBCTI_RATE_LIMIT_PER_SECOND`, `WEBCTI_RATE_LIMIT_BURST`: 50/s, burst 100).
 */
export const RateLimit = z
  .object({
    requestsPerSecond: z.number().positive().max(100_000).describe("Sustained rate: tokens added per second."),
    burst: z.number().int().min(1).max(1_000_000).describe("Bucket size: requests allowed at once after a quiet spell."),
  })
  .meta({ id: "RateLimit" });
export type RateLimit = z.infer<typeof RateLimit>;

export const Provider = z
  .object({
    tenantId: TenantId,
    providerId: ProviderId,
    label: displayText({ max: 100 }),
    screenPopPolicy: ScreenPopPolicy,
    panel: PanelConfig.optional().describe("The provider's widget in the agent desktop; none for providers without a widget."),
    rateLimit: RateLimit.optional().describe("Partner API rate per key; the deployment's defaults when absent."),
  })
  .meta({ id: "Provider" });
export type Provider = z.infer<typeof Provider>;

export const Tenant = z
  .object({
    tenantId: TenantId,
    name: displayText({ max: 200 }),
    defaultCountry: z.string().regex(/^[A-Z]{2}$/).default("US")
      .describe("ISO 3166 country used to read national-format phone numbers."),
  })
  .meta({ id: "Tenant" });
export type Tenant = z.infer<typeof Tenant>;
