import type { WebPubSubServiceClient } from "@azure/web-pubsub";
import { WebPubSubClient } from "@azure/web-pubsub-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startLocalWebPubSub, type LocalWebPubSub } from "../../../local/webpubsub/index.js";
import {
  clientToken,
  clientUrl,
  connectClient,
  RawClient,
  refusedStatus,
  serviceClient,
  stopAllClients,
  waitFor,
  type ProtocolName,
} from "./support.js";

let service: LocalWebPubSub;

beforeAll(async () => {
  service = await startLocalWebPubSub();
});
afterAll(async () => {
  await service.close();
});
afterEach(stopAllClients);

describe("client authentication", () => {
  it("refuses a token signed with another key, an expired one, or one for another hub", async () => {
    const wrongKey = await clientToken(service, "auth", {}, { key: "some other key" });
    expect(await refusedStatus(clientUrl(service, "auth", { access_token: wrongKey }))).toBe(401);
    const expired = await clientToken(service, "auth", {}, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    expect(await refusedStatus(clientUrl(service, "auth", { access_token: expired }))).toBe(401);
    const otherHub = await clientToken(service, "other", {});
    expect(await refusedStatus(clientUrl(service, "auth", { access_token: otherHub }))).toBe(401);
    expect(await refusedStatus(clientUrl(service, "auth", {}))).toBe(401);
  });

  it("makes the SDK's start() fail for a bad token", async () => {
    const bad = await clientToken(service, "auth", {}, { key: "some other key" });
    const client = new WebPubSubClient(clientUrl(service, "auth", { access_token: bad }), { autoReconnect: false });
    await expect(client.start()).rejects.toBeDefined();
    const wrongKeyHub = serviceClient(
      service,
      "auth",
      service.connectionString.replace(service.accessKey, Buffer.from("nope").toString("base64")),
    );
    const url = (await wrongKeyHub.getClientAccessToken()).url;
    await expect(new WebPubSubClient(url, { autoReconnect: false }).start()).rejects.toBeDefined();
  });

  it("accepts a token from the server SDK and reports the user id", async () => {
    const hub = serviceClient(service, "auth");
    const c = await connectClient(hub, { userId: "auth-user" });
    expect(c.connectedEvents).toBe(1);
    expect(await hub.userExists("auth-user")).toBe(true);
  });
});

describe.each<ProtocolName>(["json", "reliable"])("client requests over %s", (protocol) => {
  const hubName = `proto_${protocol}`;
  let hub: WebPubSubServiceClient;
  beforeAll(() => {
    hub = serviceClient(service, hubName);
  });

  it("refuses joinGroup without the joinLeaveGroup role", async () => {
    const c = await connectClient(hub, { protocol });
    await expect(c.client.joinGroup("g")).rejects.toMatchObject({ errorDetail: { name: "Forbidden" } });
    expect(await hub.groupExists("g")).toBe(false);
  });

  it("lets webpubsub.joinLeaveGroup.<g> join only <g>", async () => {
    const c = await connectClient(hub, { protocol, roles: ["webpubsub.joinLeaveGroup.only"] });
    await c.client.joinGroup("only");
    expect(await hub.groupExists("only")).toBe(true);
    await expect(c.client.joinGroup("another")).rejects.toMatchObject({ errorDetail: { name: "Forbidden" } });
    await c.client.leaveGroup("only");
    expect(await hub.groupExists("only")).toBe(false);
  });

  it("lets webpubsub.joinLeaveGroup join any group", async () => {
    const c = await connectClient(hub, { protocol, roles: ["webpubsub.joinLeaveGroup"] });
    await c.client.joinGroup("any1");
    await c.client.joinGroup("any2");
    expect(await hub.groupExists("any2")).toBe(true);
  });

  it("checks sendToGroup roles and delivers group messages", async () => {
    const receiver = await connectClient(hub, { protocol, userId: "rx", groups: ["chat", "other"] });
    const none = await connectClient(hub, { protocol, userId: "none" });
    const scoped = await connectClient(hub, { protocol, userId: "scoped", roles: ["webpubsub.sendToGroup.chat"] });
    const global = await connectClient(hub, { protocol, userId: "global", roles: ["webpubsub.sendToGroup"] });

    await expect(none.client.sendToGroup("chat", "x", "text")).rejects.toMatchObject({ errorDetail: { name: "Forbidden" } });
    await expect(scoped.client.sendToGroup("other", "x", "text")).rejects.toMatchObject({ errorDetail: { name: "Forbidden" } });
    await scoped.client.sendToGroup("chat", { from: "scoped" }, "json");
    await global.client.sendToGroup("other", "hi", "text");
    await global.client.sendToGroup("chat", new Uint8Array([9, 8, 7]).buffer, "binary");

    await waitFor(() => receiver.group.length === 3, 5_000, "three group messages");
    expect(receiver.group[0]).toMatchObject({ group: "chat", fromUserId: "scoped", dataType: "json", data: { from: "scoped" } });
    expect(receiver.group[1]).toMatchObject({ group: "other", fromUserId: "global", dataType: "text", data: "hi" });
    expect(receiver.group[2]).toMatchObject({ group: "chat", dataType: "binary" });
    expect([...new Uint8Array(receiver.group[2]!.data as ArrayBuffer)]).toEqual([9, 8, 7]);
    if (protocol === "reliable") {
      expect(receiver.group.map((m) => m.sequenceId)).toEqual([1, 2, 3]);
    }
  });

  it("echoes to the sender unless noEcho is set", async () => {
    const c = await connectClient(hub, { protocol, roles: ["webpubsub.sendToGroup", "webpubsub.joinLeaveGroup"] });
    await c.client.joinGroup("echo");
    await c.client.sendToGroup("echo", "quiet", "text", { noEcho: true });
    await c.client.sendToGroup("echo", "loud", "text");
    await waitFor(() => c.group.length === 1);
    await hub.sendToConnection(c.connectionId, "marker", { contentType: "text/plain" });
    await waitFor(() => c.server.length === 1);
    expect(c.group.map((m) => m.data)).toEqual(["loud"]);
  });

  it("joins the token's groups on connect", async () => {
    const c = await connectClient(hub, { protocol, groups: ["t1", "t2"] });
    expect(await hub.groupExists("t1")).toBe(true);
    await hub.group("t2").sendToAll("to t2", { contentType: "text/plain" });
    await waitFor(() => c.server.some((m) => m.data === "to t2"));
  });

  it("acks events (no upstream handler is configured)", async () => {
    const c = await connectClient(hub, { protocol });
    await expect(c.client.sendEvent("custom", { a: 1 }, "json")).resolves.toMatchObject({ isDuplicated: false });
    // invokeEvent needs an upstream answer; without a handler it fails instead of hanging.
    await expect(c.client.invokeEvent("custom", { a: 1 }, "json")).rejects.toMatchObject({
      errorDetail: { name: "NotSupported" },
    });
  });
});

describe("raw subprotocol frames", () => {
  it("answers ping with pong and echoes the negotiated subprotocol", async () => {
    for (const protocol of ["json.webpubsub.azure.v1", "json.reliable.webpubsub.azure.v1"]) {
      const token = await clientToken(service, "raw", {}, { sub: "raw-user" });
      const raw = await RawClient.open(clientUrl(service, "raw", { access_token: token }), protocol);
      expect(raw.ws.protocol).toBe(protocol);
      const connected = await raw.next((f) => f.type === "system");
      expect(connected).toMatchObject({ event: "connected", userId: "raw-user" });
      expect(typeof connected.connectionId).toBe("string");
      expect(connected.reconnectionToken !== undefined).toBe(protocol.includes("reliable"));
      raw.send({ type: "ping" });
      expect(await raw.next((f) => f.type === "pong")).toEqual({ type: "pong" });
      await raw.close();
    }
  });

  it("answers a repeated ackId with Duplicate", async () => {
    const token = await clientToken(service, "raw", { role: ["webpubsub.sendToGroup"] });
    const raw = await RawClient.open(clientUrl(service, "raw", { access_token: token }), "json.webpubsub.azure.v1");
    const frame = { type: "sendToGroup", group: "dup", dataType: "text", data: "d", ackId: 7 };
    raw.send(frame);
    expect(await raw.next((f) => f.type === "ack")).toEqual({ type: "ack", ackId: 7, success: true });
    raw.send(frame);
    expect(await raw.next((f) => f.type === "ack")).toMatchObject({ ackId: 7, success: false, error: { name: "Duplicate" } });
    raw.send({ type: "joinGroup", group: "dup", ackId: 8 });
    expect(await raw.next((f) => f.type === "ack")).toMatchObject({ ackId: 8, success: false, error: { name: "Forbidden" } });
    await raw.close();
  });

  it("refuses unsupported subprotocols and closes on malformed frames", async () => {
    const token = await clientToken(service, "raw", {});
    expect(await refusedStatus(clientUrl(service, "raw", { access_token: token }), "protobuf.webpubsub.azure.v1")).toBe(400);
    const raw = await RawClient.open(clientUrl(service, "raw", { access_token: token }), "json.webpubsub.azure.v1");
    raw.ws.send("not json");
    expect(await raw.next((f) => f.type === "system" && f.event === "disconnected")).toBeDefined();
    await waitFor(() => raw.closeCode === 1008);
  });

  it("gives a client without subprotocol the bare data", async () => {
    const token = await clientToken(service, "raw", {}, { sub: "simple" });
    const ws = new (await import("ws")).default(clientUrl(service, "raw", { access_token: token }));
    const received: { data: string; binary: boolean }[] = [];
    ws.on("message", (data, binary) => received.push({ data: binary ? [...(data as Buffer)].join(",") : data.toString(), binary }));
    await new Promise((resolve) => ws.once("open", resolve));
    const hub = serviceClient(service, "raw");
    await hub.sendToUser("simple", { a: 1 });
    await hub.sendToUser("simple", "text", { contentType: "text/plain" });
    await hub.sendToUser("simple", new Uint8Array([1, 2]));
    await waitFor(() => received.length === 3);
    expect(received).toEqual([
      { data: '{"a":1}', binary: false },
      { data: "text", binary: false },
      { data: "1,2", binary: true },
    ]);
    ws.close();
  });
});
