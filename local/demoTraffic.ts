import type { Services } from "../shared/services.js";
import type { ConversationEvent, ConversationEventInput } from "../shared/schemas/conversationEvent.js";
import { ConversationEvent as ConversationEventSchema } from "../shared/schemas/conversationEvent.js";
import { ingestConversationEvents } from "../shared/conversation/ingestBatch.js";
import { putAgent } from "../shared/tenancy/tenancyStore.js";
import { demo } from "./seedDemo.js";
import { random } from "./random.js";

/** Two colleagues of the demo agent, so the dashboard's split by agent has something to split. */
const colleagues = [
  { agentId: "demo-agent-2", displayName: "Sam Ortiz" },
  { agentId: "demo-agent-3", displayName: "Priya Natarajan" },
];
const queues = ["support", "sales", "billing"];

/**
 * `npm start`'s demo history: the last few hours of calls and chats of the demo softphone, sent through the
 * real ingestion path (the KPI projection then counts them like any other), so the supervisor dashboard
 * has figures from the first sign-in. Deterministic per start hour: a restart within the hour resends the
 * same events (stored once); the signed-in demo agent gets no pop (its colleagues take the calls).
 */
export async function seedDemoTraffic(services: Services, hours = 6): Promise<number> {
  for (const colleague of colleagues) await putAgent(services, { tenantId: demo.tenantId, ...colleague });
  const now = services.now().getTime();
  const startHour = Math.floor(now / 3_600_000) * 3_600_000;
  const next = random(startHour / 3_600_000);
  const events: ConversationEvent[] = [];
  let count = 0;
  for (let at = startHour - hours * 3_600_000; at < now - 20 * 60_000; at += 60_000 * (2 + Math.floor(next() * 6))) {
    count += 1;
    const id = `demo-${new Date(startHour).toISOString().slice(0, 13).replace(/[-T]/g, "")}-${String(count).padStart(3, "0")}`;
    for (const event of conversation(id, at, next)) events.push(ConversationEventSchema.parse(event));
  }
  const partner = { tenantId: demo.tenantId, providerId: demo.providerId, keyId: "demo-traffic" };
  for (let start = 0; start < events.length; start += 100) await ingestConversationEvents(services, partner, events.slice(start, start + 100));
  return count;
}

/** One conversation starting at `at`: mostly answered, some abandoned, a few to voicemail, some chats. */
function conversation(conversationId: string, at: number, next: () => number): ConversationEventInput[] {
  const chat = next() < 0.25;
  const channel = chat ? "chat" : "voice";
  const queue = chat ? "webchat" : queues[Math.floor(next() * queues.length)]!;
  const agentId = colleagues[Math.floor(next() * colleagues.length)]!.agentId;
  const list: ConversationEventInput[] = [];
  let t = at;
  const e = (type: string, fields: Record<string, unknown> = {}) =>
    list.push({ type, eventId: `${conversationId}-e${list.length + 1}`, conversationId, occurredAt: new Date(t).toISOString(), channel, direction: "inbound", ...fields } as ConversationEventInput);
  const seconds = (min: number, max: number) => (t += Math.round((min + next() * (max - min)) * 1000));

  e("initiated");
  e("queued", { queue });
  const roll = next();
  if (roll < 0.12) {
    seconds(2, 90); // gave up waiting
    e("ended", { queue, endedBy: "customer" });
    return list;
  }
  if (roll < 0.16) {
    seconds(30, 120);
    e("ended", { queue, endedBy: "system", reason: "voicemail" });
    return list;
  }
  seconds(3, 45);
  e("ringing", { queue, agentId });
  if (roll < 0.2) {
    seconds(3, 15); // hung up while it rang
    e("ended", { queue, agentId, endedBy: "customer" });
    return list;
  }
  seconds(2, 8);
  e("answered", { queue, agentId });
  seconds(chat ? 120 : 60, chat ? 600 : 420);
  if (!chat && next() < 0.25) {
    e("held", { queue, agentId });
    seconds(10, 60);
    e("resumed", { queue, agentId });
    seconds(20, 120);
  }
  e("ended", { queue, agentId, endedBy: next() < 0.7 ? "customer" : "agent" });
  seconds(10, 90);
  e("wrapUpCompleted", { queue, agentId, disposition: "resolved" });
  return list;
}
