import { z } from "zod";
import { ProviderId, TenantId } from "./ids.js";
import { PanelConfig } from "./panel.js";
import { ScreenPopPolicy } from "./screenPopPolicy.js";

export { ScreenPopPolicy };

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
