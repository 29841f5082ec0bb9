import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startLocalWebPubSub, type LocalWebPubSub } from "../../../local/webpubsub/index.js";
import {
  clientToken,
  clientUrl,
  connectClient,
  RawClient,
  restToken,
  serviceClient,
  stopAllClients,
  waitFor,
} from "./support.js";

const RELIABLE = "json.reliable.webpubsub.azure.v1";
let service: LocalWebPubSub;
/** A second instance whose reconnect window is short enough to expire within a test. */
let shortWindow: LocalWebPubSub;

beforeAll(async () => {
  service = await startLocalWebPubSub();
  shortWindow = await startLocalWebPubSub({ reconnectWindowMs: 200 });
});
afterAll(async () => {
  await Promise.all([service.close(), shortWindow.close()]);
});
afterEach(stopAllClients);

async function openReliable(target: LocalWebPubSub, hub: string, userId: string) {
  const token = await clientToken(target, hub, {}, { sub: userId });
  const raw = await RawClient.open(clientUrl(target, hub, { access_token: token }), RELIABLE);
  const connected = await raw.next((f) => f.event === "connected");
  return { raw, connectionId: connected.connectionId as string, reconnectionToken: connected.reconnectionToken as string };
}

describe("reliable reconnection with the SDK", () => {
  it("resumes the same connection after a drop and receives every message exactly once, in order", async () => {
    const hub = serviceClient(service, "rel");
    const c = await connectClient(hub, { protocol: "reliable", userId: "rel-user", groups: ["rel-group"] });
    const originalId = c.connectionId;

    await hub.sendToUser("rel-user", { n: 0 });
    await waitFor(() => c.server.length === 1);

    expect(service.dropConnections({ userId: "rel-user" })).toBe(1);
    // Sent concurrently right after the drop, so most land while the socket is gone.
    const sends = [];
    for (let n = 1; n <= 30; n++) {
      sends.push(n % 2 === 0 ? hub.sendToUser("rel-user", { n }) : hub.group("rel-group").sendToAll({ n }));
    }
    await Promise.all(sends);
    for (let n = 31; n <= 40; n++) await hub.sendToConnection(originalId, { n });

    await waitFor(() => c.server.length >= 41, 10_000, "41 messages");
    const ns = c.server.map((m) => (m.data as { n: number }).n);
    // Concurrent REST calls may be processed in any order, so compare as a set for those...
    expect(new Set(ns).size).toBe(41);
    expect([...ns].sort((a, b) => a - b)).toEqual(Array.from({ length: 41 }, (_, i) => i));
    // ...but sequence ids must be exactly 1..41 in arrival order: nothing lost, nothing duplicated.
    expect(c.server.map((m) => m.sequenceId)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    expect(ns.slice(31)).toEqual([31, 32, 33, 34, 35, 36, 37, 38, 39, 40]);

    // Same connection: no new `connected` event, no `disconnected`, the old id still works.
    expect(c.connectedEvents).toBe(1);
    expect(c.disconnected).toBe(0);
    expect(await hub.connectionExists(originalId)).toBe(true);
    expect(await hub.groupExists("rel-group")).toBe(true);
  });

  it("exposes the drop over HTTP with a token signed like the SDK's", async () => {
    const hub = serviceClient(service, "relhttp");
    const c = await connectClient(hub, { protocol: "reliable", userId: "http-user" });
    const url = `${service.endpoint}/local/hubs/relhttp/users/http-user/:drop`;

    const unauthorized = await fetch(url, { method: "POST" });
    expect(unauthorized.status).toBe(401);

    const res = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${await restToken(service.accessKey, url)}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ dropped: 1 });

    await hub.sendToUser("http-user", "after drop", { contentType: "text/plain" });
    await waitFor(() => c.server.some((m) => m.data === "after drop"));
    expect(c.connectedEvents).toBe(1);
    expect(c.server).toHaveLength(1);
  });
});

describe("reliable protocol on the wire", () => {
  it("buffers messages for a dropped connection and replays unacknowledged ones with their sequence ids", async () => {
    const hub = serviceClient(service, "wire");
    const first = await openReliable(service, "wire", "wire-user");
    await hub.sendToUser("wire-user", { n: 1 });
    await hub.sendToUser("wire-user", { n: 2 });
    await first.raw.next((f) => f.sequenceId === 2);
    first.raw.send({ type: "sequenceAck", sequenceId: 1 });
    first.raw.send({ type: "ping" });
    await first.raw.next((f) => f.type === "pong"); // the ack has been processed too

    expect(service.dropConnections({ hub: "wire", userId: "wire-user" })).toBe(1);
    await waitFor(() => first.raw.closeCode !== undefined);
    expect(first.raw.closeCode).toBe(1006);
    expect(await hub.userExists("wire-user")).toBe(true);
    await hub.sendToUser("wire-user", { n: 3 });
    await hub.sendToConnection(first.connectionId, "four", { contentType: "text/plain" });

    const resumed = await RawClient.open(
      clientUrl(service, "wire", {
        awps_connection_id: first.connectionId,
        awps_reconnection_token: first.reconnectionToken,
      }),
      RELIABLE,
    );
    expect(await resumed.next()).toMatchObject({ type: "system", event: "connected", connectionId: first.connectionId });
    expect(await resumed.next()).toMatchObject({ sequenceId: 2, data: { n: 2 } });
    expect(await resumed.next()).toMatchObject({ sequenceId: 3, data: { n: 3 } });
    expect(await resumed.next()).toMatchObject({ sequenceId: 4, dataType: "text", data: "four" });
    await hub.sendToUser("wire-user", { n: 5 });
    expect(await resumed.next()).toMatchObject({ sequenceId: 5, data: { n: 5 } });
    await resumed.close();
    // A close with a close frame ends the connection for good.
    await waitFor(async () => !(await hub.connectionExists(first.connectionId)));
  });

  it("declines a resume with a wrong token, and one after the reconnect window, with 1008", async () => {
    const first = await openReliable(shortWindow, "late", "late-user");
    shortWindow.dropConnections({ userId: "late-user" });

    const wrong = await RawClient.open(
      clientUrl(shortWindow, "late", { awps_connection_id: first.connectionId, awps_reconnection_token: "forged" }),
      RELIABLE,
    );
    expect(await wrong.next()).toMatchObject({ type: "system", event: "disconnected" });
    await waitFor(() => wrong.closeCode === 1008);

    const hub = serviceClient(shortWindow, "late");
    await waitFor(async () => !(await hub.connectionExists(first.connectionId)), 5_000, "window expiry");
    expect(await hub.userExists("late-user")).toBe(false);
    const late = await RawClient.open(
      clientUrl(shortWindow, "late", {
        awps_connection_id: first.connectionId,
        awps_reconnection_token: first.reconnectionToken,
      }),
      RELIABLE,
    );
    expect(await late.next()).toMatchObject({ type: "system", event: "disconnected" });
    await waitFor(() => late.closeCode === 1008);
  });

  it("drops a plain json connection for good", async () => {
    const hub = serviceClient(service, "plain");
    const token = await clientToken(service, "plain", {}, { sub: "plain-user" });
    const raw = await RawClient.open(clientUrl(service, "plain", { access_token: token }), "json.webpubsub.azure.v1");
    const connected = await raw.next();
    expect(service.dropConnections({ hub: "plain" })).toBe(1);
    expect(await hub.connectionExists(connected.connectionId as string)).toBe(false);
  });
});

describe("throughput", () => {
  it("fans a few thousand messages out to many connections without losing any", async () => {
    const hub = serviceClient(service, "load");
    const clients = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        connectClient(hub, { protocol: i % 2 === 0 ? "reliable" : "json", userId: `load-${i}`, groups: ["all"] }),
      ),
    );
    const sender = clients[0]!;
    const total = 2_000;
    const started = Date.now();
    const batch: Promise<unknown>[] = [];
    for (let n = 0; n < total; n++) {
      batch.push(hub.group("all").sendToAll({ n }));
      if (batch.length === 50) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
    await waitFor(() => clients.every((c) => c.server.length === total), 20_000, "all deliveries");
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(new Set(sender.server.map((m) => (m.data as { n: number }).n)).size).toBe(total);
  });
});
