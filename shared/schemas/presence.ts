import { z } from "zod";
import { displayText } from "./displayText.js";
import { AgentId, ProviderId } from "./ids.js";

export const PresenceStatus = z
  .enum(["available", "busy", "away", "offline"])
  .meta({ id: "PresenceStatus", description: "Whether the agent can take a call or chat now." });
export type PresenceStatus = z.infer<typeof PresenceStatus>;

/** Printable text only: it is shown in the agent desktop and sent in webhooks. */
const PresenceReason = displayText({ max: 64, trim: true }).describe('Why, in a few words ("Lunch", "Training"); cleared by an update without one.');

export const PresenceSource = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("partner"), providerId: ProviderId }),
    z.object({ kind: z.literal("agent") }),
  ])
  .meta({ id: "PresenceSource", description: "Who set it: a provider's server, or the agent in the desktop." });
export type PresenceSource = z.infer<typeof PresenceSource>;

export const Presence = z
  .object({
    agentId: AgentId,
    status: PresenceStatus,
    reason: PresenceReason.optional(),
    changedAt: z.iso
      .datetime()
      .optional()
      .describe("When the status was set (UTC, millisecond precision); absent when it never was (status `offline`)."),
    source: PresenceSource.optional().describe("Absent when the status was never set."),
  })
  .meta({ id: "Presence" });
export type Presence = z.infer<typeof Presence>;

/** What the agent desktop sends: the time is the service's. */
export const AgentPresenceInput = z
  .object({ status: PresenceStatus, reason: PresenceReason.optional() })
  .meta({ id: "AgentPresenceInput" });
export type AgentPresenceInput = z.infer<typeof AgentPresenceInput>;

/** What a partner sends: `changedAt` orders updates that arrive late or out of order. */
export const PresenceInput = z
  .object({
    status: PresenceStatus,
    reason: PresenceReason.optional(),
    changedAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe(
        "When the status changed at the partner (RFC 3339); default: when the request arrives. An update older " +
          "than the stored one is ignored. At most one minute ahead of the service's clock.",
      ),
  })
  .meta({ id: "PresenceInput" });
export type PresenceInput = z.infer<typeof PresenceInput>;

export const AgentPath = z.object({ agentId: AgentId });
