import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startLocalWebPubSub, type LocalWebPubSub } from "../../../local/webpubsub/index.js";
import { agentUserId, pushToAgent } from "../../../shared/realtime/agentPush.js";
import { connectClient, serviceClient, stopAllClients, waitFor } from "../../local/webpubsub/support.js";

/**
 * An agent's Web PubSub user id names the tenant and the agent unambiguously: ids may contain `:`, so
 * tenant `a` with agent `x:y` and tenant `a:x` with agent `y` are two users, and a pop for one never
 * reaches the other (the local Web PubSub service behaves as the documented service does).
 */
let service: LocalWebPubSub;

beforeAll(async () => {
  service = await startLocalWebPubSub();
});
afterEach(() => stopAllClients());
afterAll(() => service?.close());

describe("agent user ids", () => {
  it("differ for every tenant and agent pair, whatever the ids hold", () => {
    expect(agentUserId("a", "x:y")).not.toBe(agentUserId("a:x", "y"));
    expect(agentUserId("a", "x.y")).not.toBe(agentUserId("a.x", "y"));
  });

  it("keep one tenant's pushes from the other's agent whose ids only differ by where the colon is", async () => {
    const hub = serviceClient(service, "webcti");
    const first = await connectClient(hub, { userId: agentUserId("a", "x:y") });
    const second = await connectClient(hub, { userId: agentUserId("a:x", "y") });
    await pushToAgent(hub, "a", "x:y", { v: 1, kind: "presence", presence: { agentId: "x:y", status: "busy" } } as never);
    await pushToAgent(hub, "a:x", "y", { v: 1, kind: "presence", presence: { agentId: "y", status: "away" } } as never);
    await waitFor(() => first.server.length === 1 && second.server.length === 1, 5_000, "one push each");
    expect((first.server[0]!.data as { presence: { agentId: string } }).presence.agentId).toBe("x:y");
    expect((second.server[0]!.data as { presence: { agentId: string } }).presence.agentId).toBe("y");
  });
});
