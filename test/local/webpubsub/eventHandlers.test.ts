import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startLocalWebPubSub, type LocalWebPubSub } from "../../../local/webpubsub/index.js";
import { clientToken, clientUrl, RawClient, refusedStatus, serviceClient, waitFor } from "./support.js";

/** A real HTTP upstream that records what the service sends and answers as the test says. */
interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
let upstream: Server;
let upstreamUrl: string;
let requests: Recorded[] = [];
let answer: { allowedOrigin?: string; connectStatus: number; connectBody?: string } = { allowedOrigin: "*", connectStatus: 200 };

let service: LocalWebPubSub;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.method === "OPTIONS") {
        if (answer.allowedOrigin !== undefined) res.setHeader("WebHook-Allowed-Origin", answer.allowedOrigin);
        return res.end();
      }
      const isConnect = req.headers["ce-type"] === "azure.webpubsub.sys.connect";
      res.statusCode = isConnect ? answer.connectStatus : 200;
      res.end(isConnect ? (answer.connectBody ?? "") : "");
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  service = await startLocalWebPubSub();
});
afterAll(async () => {
  await service.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});
beforeEach(() => {
  requests = [];
  answer = { allowedOrigin: "*", connectStatus: 200 };
});
afterEach(() => service.setEventHandlers("events", []));

const events = (type: string) => requests.filter((r) => r.headers["ce-type"] === `azure.webpubsub.sys.${type}`);

async function open(userId: string): Promise<RawClient> {
  const token = await clientToken(service, "events", {}, { sub: userId });
  return RawClient.open(clientUrl(service, "events", { access_token: token }), "json.webpubsub.azure.v1");
}

describe("upstream event handlers", () => {
  it("validates the URL with an OPTIONS first, then sends connect, connected and disconnected as CloudEvents", async () => {
    service.setEventHandlers("events", [{ urlTemplate: `${upstreamUrl}/hooks/{hub}/{event}`, systemEvents: ["connect", "connected", "disconnected"] }]);
    const client = await open("tenant|agent");
    const connected = await client.next((f) => f.event === "connected");
    const connectionId = connected.connectionId as string;

    expect(requests[0]!.method).toBe("OPTIONS");
    expect(requests[0]!.headers["webhook-request-origin"]).toBe("127.0.0.1");
    const [connect] = events("connect");
    expect(connect!.path).toBe("/hooks/events/connect");
    expect(connect!.headers).toMatchObject({
      "ce-specversion": "1.0",
      "ce-source": `/hubs/events/client/${connectionId}`,
      "ce-awpsversion": "1.0",
      "ce-hub": "events",
      "ce-connectionid": connectionId,
      "ce-userid": "tenant|agent",
      "ce-eventname": "connect",
      "ce-subprotocol": "json.webpubsub.azure.v1",
      "ce-signature": `sha256=${createHmac("sha256", service.accessKey).update(connectionId).digest("hex")}`,
    });
    expect(connect!.headers["ce-id"]).toBeTruthy();
    const body = JSON.parse(connect!.body);
    expect(body.claims.sub).toEqual(["tenant|agent"]);
    expect(body.query.access_token).toHaveLength(1);
    expect(body.subprotocols).toEqual(["json.webpubsub.azure.v1"]);
    expect(body.clientCertificates).toEqual([]);
    expect(body.headers["sec-websocket-protocol"]).toEqual(["json.webpubsub.azure.v1"]);

    const connectedEvent = await waitFor(() => events("connected")[0], 5_000, "connected event");
    expect(connectedEvent.path).toBe("/hooks/events/connected");
    expect(connectedEvent.headers["ce-connectionid"]).toBe(connectionId);
    await client.close();
    const disconnected = await waitFor(() => events("disconnected")[0], 5_000, "disconnected event");
    expect(disconnected.headers["ce-connectionid"]).toBe(connectionId);
    // The abuse protection ran once for each URL, not before every event.
    expect(requests.filter((r) => r.method === "OPTIONS").map((r) => r.path).sort()).toEqual([
      "/hooks/events/connect",
      "/hooks/events/connected",
      "/hooks/events/disconnected",
    ]);
  });

  it("refuses the WebSocket with the upstream's 401 or 403, and with 500 for anything else", async () => {
    service.setEventHandlers("events", [{ urlTemplate: `${upstreamUrl}/hook`, systemEvents: ["connect", "connected", "disconnected"] }]);
    const token = await clientToken(service, "events", {}, { sub: "u1" });
    const url = clientUrl(service, "events", { access_token: token });
    for (const [status, expected] of [[401, 401], [403, 403], [429, 500], [500, 500]] as const) {
      answer.connectStatus = status;
      expect(await refusedStatus(url)).toBe(expected);
    }
    // A refused connection never existed: no connected or disconnected event, no user connection.
    await new Promise((r) => setTimeout(r, 200));
    expect(events("connected")).toHaveLength(0);
    expect(events("disconnected")).toHaveLength(0);
    expect(await serviceClient(service, "events").userExists("u1")).toBe(false);
  });

  it("refuses with 500 and sends no event when the abuse protection does not allow the service's origin", async () => {
    // A URL not validated before (a validation that passed is remembered, as the service does).
    service.setEventHandlers("events", [{ urlTemplate: `${upstreamUrl}/unvalidated`, systemEvents: ["connect"] }]);
    answer.allowedOrigin = "someone-else.webpubsub.azure.com";
    const token = await clientToken(service, "events", {}, { sub: "u2" });
    expect(await refusedStatus(clientUrl(service, "events", { access_token: token }))).toBe(500);
    expect(requests.map((r) => r.method)).toEqual(["OPTIONS"]);
  });

  it("applies the groups and user id a connect answer sets", async () => {
    service.setEventHandlers("events", [{ urlTemplate: `${upstreamUrl}/hook`, systemEvents: ["connect"] }]);
    answer.connectBody = JSON.stringify({ userId: "renamed", groups: ["g1"] });
    const client = await open("original");
    const connected = await client.next((f) => f.event === "connected");
    expect(connected.userId).toBe("renamed");
    const hub = serviceClient(service, "events");
    await hub.group("g1").sendToAll("to g1", { contentType: "text/plain" });
    expect((await client.next((f) => f.type === "message")).data).toBe("to g1");
    expect(await hub.userExists("renamed")).toBe(true);
    await client.close();
  });

  it("accepts connections as before when the hub has no connect handler", async () => {
    service.setEventHandlers("events", [{ urlTemplate: `${upstreamUrl}/hook`, systemEvents: ["disconnected"] }]);
    const client = await open("u3");
    await client.next((f) => f.event === "connected");
    expect(events("connect")).toHaveLength(0);
    await client.close();
    await waitFor(() => events("disconnected")[0], 5_000, "disconnected event");
  });
});
