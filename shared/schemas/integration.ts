import { z } from "zod";
import { AgentId, TenantId } from "./ids.js";

/** The agent-token lifetimes a CRM backend may ask for: short, so a leaked token is worth little. */
export const agentTokenTtl = { minSeconds: 60, maxSeconds: 3600, defaultSeconds: 900 } as const;

export const AgentTokenRequest = z
  .object({
    agentId: AgentId,
    ttlSeconds: z
      .number()
      .int()
      .min(agentTokenTtl.minSeconds)
      .max(agentTokenTtl.maxSeconds)
      .default(agentTokenTtl.defaultSeconds)
      .describe("How long the token is valid, in seconds (60 to 3600; default 900)."),
  })
  .meta({ id: "AgentTokenRequest" });
export type AgentTokenRequest = z.infer<typeof AgentTokenRequest>;

export const AgentToken = z
  .object({
    token: z.string().describe("Opaque to clients: send it as `Authorization: Bearer <token>` on the agent routes."),
    tokenType: z.literal("Bearer"),
    expiresAt: z.iso.datetime().describe("When the token stops working; ask for a new one before (the browser client does, 60 s early)."),
    tenantId: TenantId,
    agentId: AgentId,
  })
  .meta({ id: "AgentToken" });
export type AgentToken = z.infer<typeof AgentToken>;
