import type { Services } from "../services.js";
import type { ConversationEvent } from "../schemas/conversationEvent.js";
import type { Provider } from "../schemas/provider.js";
import { pushToAgent } from "../realtime/agentPush.js";

/** Which API reported an event: the partner's server, or the agent's browser (its widget). */
export type EventSource = "partner" | "agent";

/**
 * Sends stored events that name an agent to that agent's browser (`conversationEvent`, docs/push-protocol.md),
 * where the host gives them to the provider's widget: the widget learns of its calls without a channel of
 * its own. Only for providers whose panel asks for it (`panel.conversationEvents`); for the others this is one
 * property read and nothing else.
 *
 * Best effort: the events are stored whatever happens here; a failed push is dropped, never an error of the
 * event (the widget reads nothing it could not do without; the partner's retry would not help a closed tab).
 * Sent once per attempt: a retried event is pushed again, so the widget drops repeats by `event.eventId`.
 */
export async function pushConversationEvents(
  services: Pick<Services, "push">,
  tenantId: string,
  provider: Pick<Provider, "providerId" | "panel">,
  events: readonly ConversationEvent[],
  source: EventSource,
): Promise<void> {
  if (!provider.panel?.conversationEvents) return;
  await Promise.all(
    events.map((event) => {
      const agentId = typeof event.agentId === "string" ? event.agentId : undefined;
      if (!agentId) return undefined;
      const message = { v: 1 as const, kind: "conversationEvent" as const, providerId: provider.providerId, source, event };
      return pushToAgent(services.push, tenantId, agentId, message).catch(() => undefined);
    }),
  );
}
