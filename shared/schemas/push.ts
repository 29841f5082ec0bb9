import { z } from "zod";
import { ScreenPop } from "./screenPop.js";
import { Presence } from "./presence.js";
import { Activity } from "./activity.js";
import { ConversationEvent } from "./conversationEvent.js";

/**
 * Messages the service pushes to an agent's browser over Web PubSub (see docs/push-protocol.md).
 * `v` lets a newer server add message kinds that an older browser client ignores.
 */
export const AgentPushMessage = z
  .discriminatedUnion("kind", [
    z.object({
      v: z.literal(1),
      kind: z.literal("screenPop"),
      pop: ScreenPop,
      traceparent: z
        .string()
        .optional()
        .describe("W3C trace context of the push when the service traces; the browser client sends it back with the ack."),
    }),
    z.object({ v: z.literal(1), kind: z.literal("presence"), presence: Presence }),
    z
      .object({ v: z.literal(1), kind: z.literal("activity"), activity: Activity })
      .describe("An activity was stored on a record's timeline; sent to the activity's agent."),
    z
      .object({
        v: z.literal(1),
        kind: z.literal("kpis"),
        providerId: z.string(),
        intervalStarts: z.array(z.iso.datetime()).describe("The 15-minute intervals whose figures changed."),
      })
      .describe("Channel KPIs changed (conversations ended, or late events arrived); sent to the tenant's supervisors."),
    z
      .object({
        v: z.literal(1),
        kind: z.literal("conversationEvent"),
        providerId: z.string().describe("The provider whose conversation it is: the host gives the event to that provider's widget."),
        source: z.enum(["partner", "agent"]).describe("Who reported it: the partner's server (partner API) or an agent's browser (`POST /v1/agent/conversations/events`)."),
        event: ConversationEvent.describe("The event as stored (validated, defaults applied, unknown fields kept)."),
      })
      .describe(
        "A conversation event that names the agent, stored for a provider whose panel has `conversationEvents: true`; sent to that agent. Best effort, once per attempt (drop repeats by `event.eventId`).",
      ),
  ])
  .meta({ id: "AgentPushMessage" });
export type AgentPushMessage = z.infer<typeof AgentPushMessage>;
