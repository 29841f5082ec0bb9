import { createServer, type Server } from "node:http";
import { hostname } from "node:os";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkOutboundHost, isPrivateAddress, postOutbound } from "../../../shared/webhooks/outbound.js";
import { checkWebhookTarget } from "../../../shared/webhooks/endpointStore.js";
import { WebCtiError } from "../../../shared/errors.js";

/**
 * Requests to tenants' URLs (webhooks, the CRM's look-up) never reach WebCTI's own network: a host name is
 * resolved and its addresses checked at registration and at each send, the connection goes to a checked
 * address, and failures are reported by class, never with the socket's error (no port scanning).
 */
let server: Server;
let port: number;
const received: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    received.push(request.url ?? "");
    if (request.url === "/slow") return void setTimeout(() => response.end("late"), 2_000);
    if (request.url === "/big") return void response.end("x".repeat(10_000));
    response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (url: string, allowPrivate: boolean, extra: { timeoutMs?: number; maxAnswerBytes?: number } = {}) =>
  postOutbound(url, { headers: { "content-type": "application/json" }, body: "{}", timeoutMs: extra.timeoutMs ?? 1_000, allowPrivate, ...extra });

describe("outbound requests to tenants' URLs", () => {
  it("knows loopback, private, link-local, reserved and mapped addresses", () => {
    for (const address of ["127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1"]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ["20.42.65.1", "8.8.8.8", "2606:4700::1111"]) expect(isPrivateAddress(address), address).toBe(false);
  });

  it("refuses a name that resolves to a loopback address, at registration and at send, and sends nothing", async () => {
    const url = `http://localhost:${port}/hook`;
    expect(await checkOutboundHost(url, false)).toBe("address_refused");
    // The machine's own name resolves to one of its addresses (loopback or private), never a public one.
    await expect(checkWebhookTarget({ WEBCTI_WEBHOOKS_ALLOW_HTTP: false }, `https://${hostname()}:${port}/hook`)).rejects.toMatchObject({
      code: "invalid_request",
      errors: [{ pointer: "#/url", detail: expect.stringContaining("private") }],
    } satisfies Partial<WebCtiError>);
    const before = received.length;
    expect(await post(url, false)).toEqual({ ok: false, failure: "address_refused" });
    expect(await post(`http://127.0.0.1:${port}/hook`, false)).toEqual({ ok: false, failure: "address_refused" });
    expect(received.length).toBe(before);
  });

  it("reaches a private address where the deployment allows it (local development)", async () => {
    expect(await post(`http://localhost:${port}/hook`, true)).toMatchObject({ ok: true, status: 200 });
    expect(await post(`http://localhost:${port}/hook`, true, { maxAnswerBytes: 1_000 })).toEqual({ ok: true, status: 200, text: '{"ok":true}' });
  });

  it("reports failures by class only: no socket error, address or port", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await post(`http://127.0.0.1:${closedPort}/`, true)).toEqual({ ok: false, failure: "connection_failed" });
    expect(await post("http://no-such-host.invalid/", true)).toEqual({ ok: false, failure: "name_not_resolved" });
    expect(await post(`http://127.0.0.1:${port}/slow`, true, { timeoutMs: 200 })).toEqual({ ok: false, failure: "timeout" });
    expect(await post(`http://127.0.0.1:${port}/big`, true, { maxAnswerBytes: 1_000 })).toEqual({ ok: false, failure: "answer_too_large" });
  });
});
