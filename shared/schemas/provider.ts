import { z } from "zod";
import { Direction } from "./conversationEvent.js";
import { ProviderId, TenantId } from "./ids.js";
import { PanelConfig } from "./panel.js";

/** When and how a provider's conversations pop records in the agent's browser. */
export const ScreenPopPolicy = z
  .object({
    trigger: z.enum(["ringing", "answered", "manual"]).default("ringing"),
    directions: z.array(Direction).default(["inbound"]),
    onOneMatch: z.enum(["record", "search", "none"]).default("record"),
    onManyMatches: z.enum(["search", "none"]).default("search"),
    onNoMatch: z.enum(["newRecord", "search", "none"]).default("newRecord"),
    ttlSeconds: z.number().int().min(10).max(86_400).default(300)
      .describe("An undelivered pop expires after this long."),
  })
  .meta({ id: "ScreenPopPolicy" });
export type ScreenPopPolicy = z.infer<typeof ScreenPopPolicy>;

export const Provider = z
  .object({
    tenantId: TenantId,
    providerId: ProviderId,
    label: z.string().min(1).max(100),
    screenPopPolicy: ScreenPopPolicy,
    panel: PanelConfig.optional().describe("The provider's widget in the agent desktop; none for providers without a widget."),
  })
  .meta({ id: "Provider" });
export type Provider = z.infer<typeof Provider>;

export const Tenant = z
  .object({
    tenantId: TenantId,
    name: z.string().min(1).max(200),
    defaultCountry: z.string().regex(/^[A-Z]{2}$/).default("US")
      .describe("ISO 3166 country used to read national-format phone numbers."),
  })
  .meta({ id: "Tenant" });
export type Tenant = z.infer<typeof Tenant>;
