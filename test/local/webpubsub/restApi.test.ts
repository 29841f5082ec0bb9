import { odata, type WebPubSubServiceClient } from "@azure/web-pubsub";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startLocalWebPubSub, type LocalWebPubSub } from "../../../local/webpubsub/index.js";
import {
  connectClient,
  restToken,
  serviceClient,
  stopAllClients,
  waitFor,
  type ProtocolName,
  type TestClient,
} from "./support.js";

let service: LocalWebPubSub;

beforeAll(async () => {
  service = await startLocalWebPubSub();
});
afterAll(async () => {
  await service.close();
});
afterEach(stopAllClients);

/**
 * Sends a marker to the connection and waits for it. Delivery per connection is
 * ordered, so whatever was sent before has arrived by then (or never will):
 * returns the data received before the marker and clears the record.
 */
async function drain(hub: WebPubSubServiceClient, c: TestClient): Promise<unknown[]> {
  const marker = `marker-${Math.random()}`;
  await hub.sendToConnection(c.connectionId, marker, { contentType: "text/plain" });
  await waitFor(() => c.server.some((m) => m.data === marker), 5_000, "marker");
  const data = c.server.filter((m) => m.data !== marker).map((m) => m.data);
  c.server.splice(0, c.server.length);
  return data;
}

describe("connection string", () => {
  it("names the http endpoint with a Port the server SDK applies", () => {
    const { port } = new URL(service.endpoint);
    expect(service.connectionString).toBe(`Endpoint=http://127.0.0.1;Port=${port};AccessKey=${service.accessKey};Version=1.0;`);
    expect(serviceClient(service, "hub").endpoint).toBe(`${service.endpoint}/`);
  });
});

describe.each<ProtocolName>(["json", "reliable"])("sending with the %s subprotocol", (protocol) => {
  const hubName = `send_${protocol}`;

  it("delivers sendToAll/sendToUser/sendToConnection/sendToGroup with json, text and binary data", async () => {
    const hub = serviceClient(service, hubName);
    const a = await connectClient(hub, { protocol, userId: "alice", groups: ["room"] });
    const b = await connectClient(hub, { protocol, userId: "bob" });

    await hub.sendToAll({ hello: "world", n: 1 });
    await hub.sendToAll("plain text", { contentType: "text/plain" });
    await hub.sendToAll(new Uint8Array([0, 1, 2, 255]));
    for (const c of [a, b]) {
      await waitFor(() => c.server.length === 3, 5_000, "three messages");
      expect(c.server[0]).toMatchObject({ kind: "serverData", dataType: "json", data: { hello: "world", n: 1 } });
      expect(c.server[1]).toMatchObject({ dataType: "text", data: "plain text" });
      expect(c.server[2]!.dataType).toBe("binary");
      expect([...new Uint8Array(c.server[2]!.data as ArrayBuffer)]).toEqual([0, 1, 2, 255]);
      if (protocol === "reliable") {
        expect(c.server.map((m) => m.sequenceId)).toEqual([1, 2, 3]);
      } else {
        expect(c.server[0]!.sequenceId).toBeUndefined();
      }
    }

    await hub.sendToUser("bob", { to: "bob" });
    await hub.sendToConnection(a.connectionId, "to-a", { contentType: "text/plain" });
    await hub.group("room").sendToAll({ to: "room" });
    await waitFor(() => b.server.length === 4 && a.server.length === 5);
    expect(b.server[3]!.data).toEqual({ to: "bob" });
    expect(a.server.slice(3).map((m) => m.data)).toEqual(["to-a", { to: "room" }]);
    expect(a.server[4]).toMatchObject({ dataType: "json" });
  });
});

describe("REST management", () => {
  const hubName = "manage";
  let hub: WebPubSubServiceClient;
  beforeAll(() => {
    hub = serviceClient(service, hubName);
  });

  it("answers existence checks for connections, users and groups", async () => {
    const c = await connectClient(hub, { userId: "exists-user", groups: ["exists-group"] });
    expect(await hub.connectionExists(c.connectionId)).toBe(true);
    expect(await hub.connectionExists("nope")).toBe(false);
    expect(await hub.userExists("exists-user")).toBe(true);
    expect(await hub.userExists("nobody")).toBe(false);
    expect(await hub.groupExists("exists-group")).toBe(true);
    expect(await hub.groupExists("empty-group")).toBe(false);
  });

  it("adds and removes connections and users to and from groups", async () => {
    const c = await connectClient(hub, { userId: "grp-user" });
    const g = hub.group("g1");

    await g.addConnection(c.connectionId);
    expect(await hub.groupExists("g1")).toBe(true);
    await g.sendToAll("one", { contentType: "text/plain" });
    await waitFor(() => c.server.some((m) => m.data === "one"));

    await g.removeConnection(c.connectionId);
    expect(await hub.groupExists("g1")).toBe(false);
    await g.sendToAll("lost", { contentType: "text/plain" });
    expect(await drain(hub, c)).toEqual(["one"]);

    await g.addUser("grp-user");
    await hub.group("g2").addUser("grp-user");
    await g.sendToAll("two", { contentType: "text/plain" });
    await waitFor(() => c.server.some((m) => m.data === "two"));
    await g.removeUser("grp-user");
    expect(await hub.groupExists("g1")).toBe(false);
    expect(await hub.groupExists("g2")).toBe(true);
    await hub.removeUserFromAllGroups("grp-user");
    expect(await hub.groupExists("g2")).toBe(false);

    await hub.group("g3").addConnection(c.connectionId);
    await hub.removeConnectionFromAllGroups(c.connectionId);
    expect(await hub.groupExists("g3")).toBe(false);

    await expect(g.addConnection("missing-connection")).rejects.toMatchObject({ statusCode: 404 });
  });

  it("adds and removes filtered connections to groups in bulk and lists group members", async () => {
    const a = await connectClient(hub, { userId: "bulk-a" });
    const b = await connectClient(hub, { userId: "bulk-b" });
    await hub.addConnectionsToGroups(["bulk1", "bulk2"], odata`userId eq ${"bulk-a"} or userId eq ${"bulk-b"}`);
    const members: string[] = [];
    for await (const m of await hub.group("bulk1").listConnections({ maxPageSize: 1 })) members.push(m.connectionId);
    expect(members.sort()).toEqual([a.connectionId, b.connectionId].sort());
    await hub.removeConnectionsFromGroups(["bulk1"], odata`userId eq ${"bulk-a"}`);
    const left: string[] = [];
    for await (const m of await hub.group("bulk1").listConnections()) left.push(m.userId ?? "");
    expect(left).toEqual(["bulk-b"]);
  });

  it("honours excluded connections and OData filters on sends", async () => {
    const a = await connectClient(hub, { userId: "f-a", groups: ["fg"] });
    const b = await connectClient(hub, { userId: "f-b", groups: ["fg"] });
    await hub.sendToAll({ n: 1 }, { excludedConnections: [a.connectionId] });
    await hub.group("fg").sendToAll({ n: 2 }, { excludedConnections: [b.connectionId] });
    await hub.sendToAll({ n: 3 }, { filter: odata`userId eq ${"f-b"}` });
    await hub.sendToAll({ n: 4 }, { filter: "'fg' in groups and not(userId eq 'f-b')" });
    await hub.sendToUser("f-a", { n: 5 }, { filter: "startswith(userId, 'F-')" });
    expect(await drain(hub, a)).toEqual([{ n: 2 }, { n: 4 }, { n: 5 }]);
    expect(await drain(hub, b)).toEqual([{ n: 1 }, { n: 3 }]);
    await expect(hub.sendToAll("x", { contentType: "text/plain", filter: "bogus(" })).rejects.toMatchObject({ statusCode: 400 });
  });

  it("closes connections and the client sees a disconnected message", async () => {
    const noReconnect = { options: { autoReconnect: false } };
    const a = await connectClient(hub, { userId: "close-a", ...noReconnect });
    const b = await connectClient(hub, { userId: "close-b", groups: ["cg"], ...noReconnect });
    const c = await connectClient(hub, { userId: "close-c", groups: ["cg"], ...noReconnect });
    const d = await connectClient(hub, { userId: "close-d", protocol: "reliable", ...noReconnect });

    await hub.closeConnection(a.connectionId, { reason: "bye" });
    await waitFor(() => a.stopped, 5_000, "a stopped");
    expect(a.disconnected).toBe(1);
    expect(await hub.connectionExists(a.connectionId)).toBe(false);

    // The generated operation sends `excluded`, though the public options type doesn't declare it.
    const groupClose = { reason: "group close", excluded: [c.connectionId] };
    await hub.group("cg").closeAllConnections(groupClose);
    await waitFor(() => b.stopped, 5_000, "b stopped");
    expect(await hub.connectionExists(c.connectionId)).toBe(true);

    await hub.closeUserConnections("close-c");
    await waitFor(() => c.stopped, 5_000, "c stopped");

    // A reliable client must not try to recover a connection the server closed.
    await hub.closeAllConnections();
    await waitFor(() => d.stopped, 5_000, "d stopped");
    expect(await hub.userExists("close-d")).toBe(false);
  });

  it("grants, checks and revokes permissions", async () => {
    const c = await connectClient(hub, { userId: "perm" });
    expect(await hub.hasPermission(c.connectionId, "joinLeaveGroup", { targetName: "pg" })).toBe(false);
    await expect(c.client.joinGroup("pg")).rejects.toMatchObject({ errorDetail: { name: "Forbidden" } });
    await hub.grantPermission(c.connectionId, "joinLeaveGroup", { targetName: "pg" });
    expect(await hub.hasPermission(c.connectionId, "joinLeaveGroup", { targetName: "pg" })).toBe(true);
    expect(await hub.hasPermission(c.connectionId, "joinLeaveGroup")).toBe(false);
    await c.client.joinGroup("pg");
    expect(await hub.groupExists("pg")).toBe(true);
    await hub.revokePermission(c.connectionId, "joinLeaveGroup", { targetName: "pg" });
    expect(await hub.hasPermission(c.connectionId, "joinLeaveGroup", { targetName: "pg" })).toBe(false);
    await expect(c.client.leaveGroup("pg")).rejects.toMatchObject({ errorDetail: { name: "Forbidden" } });
  });
});

describe("REST authentication", () => {
  const url = (path: string) => `${service.endpoint}${path}`;

  it("rejects calls signed with another key", async () => {
    const wrongKey = serviceClient(
      service,
      "auth",
      service.connectionString.replace(service.accessKey, Buffer.from("not the key").toString("base64")),
    );
    await expect(wrongKey.sendToAll({ a: 1 })).rejects.toMatchObject({ statusCode: 401 });
    await expect(wrongKey.userExists("u")).rejects.toMatchObject({ statusCode: 401 });
  });

  it("rejects missing, expired and wrong-audience tokens", async () => {
    const target = url("/api/hubs/auth/:send?api-version=2024-12-01");
    const post = (headers: Record<string, string>) =>
      fetch(target, { method: "POST", headers: { "content-type": "text/plain", ...headers }, body: "x" });

    expect((await post({})).status).toBe(401);
    const expired = await restToken(service.accessKey, target, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    expect((await post({ authorization: `Bearer ${expired}` })).status).toBe(401);
    const otherPath = await restToken(service.accessKey, target, { audience: url("/api/hubs/other/:send?api-version=2024-12-01") });
    expect((await post({ authorization: `Bearer ${otherPath}` })).status).toBe(401);
    const otherHost = await restToken(service.accessKey, target, { audience: target.replace("127.0.0.1", "example.com") });
    expect((await post({ authorization: `Bearer ${otherHost}` })).status).toBe(401);

    const good = await restToken(service.accessKey, target);
    const ok = await post({ authorization: `Bearer ${good}` });
    expect(ok.status).toBe(202);
  });

  it("answers 404 for unknown routes and 400 without api-version", async () => {
    const unknown = url("/api/hubs/auth/nothing/here?api-version=2024-12-01");
    const r1 = await fetch(unknown, { method: "POST", headers: { authorization: `Bearer ${await restToken(service.accessKey, unknown)}` } });
    expect(r1.status).toBe(404);
    expect(await r1.json()).toMatchObject({ code: "NotFound" });
    expect((await fetch(url("/nowhere"))).status).toBe(404);
    const noVersion = url("/api/hubs/auth/:send");
    const r2 = await fetch(noVersion, {
      method: "POST",
      headers: { authorization: `Bearer ${await restToken(service.accessKey, noVersion)}`, "content-type": "text/plain" },
      body: "x",
    });
    expect(r2.status).toBe(400);
  });

  it("generates client tokens honouring userId, role, group and minutesToExpire", async () => {
    const target = url("/api/hubs/tokens/:generateToken?api-version=2024-12-01&userId=gen-user&role=webpubsub.sendToGroup&group=gen-group&minutesToExpire=5");
    const res = await fetch(target, { method: "POST", headers: { authorization: `Bearer ${await restToken(service.accessKey, target)}` } });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({
      sub: "gen-user",
      role: ["webpubsub.sendToGroup"],
      "webpubsub.group": ["gen-group"],
      aud: `${service.endpoint}/client/hubs/tokens`,
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(300);

    const hub = serviceClient(service, "tokens");
    const { WebPubSubClient } = await import("@azure/web-pubsub-client");
    const client = new WebPubSubClient(`${service.endpoint.replace("http", "ws")}/client/hubs/tokens?access_token=${token}`);
    let userId = "";
    client.on("connected", (e) => (userId = e.userId));
    await client.start();
    await waitFor(() => userId === "gen-user");
    expect(await hub.groupExists("gen-group")).toBe(true);
    client.stop();
  });
});
