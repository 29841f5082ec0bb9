import { createHmac, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

/**
 * Upstream event handlers, as a hub's settings configure them in the service (reference-cloud-events,
 * howto-develop-eventhandler): for the system events `connect` (blocking: the service waits for the answer
 * before it accepts the WebSocket), `connected` and `disconnected` (fire and forget), the service POSTs a
 * CloudEvents request in binary mode to the handler's URL. Before the first event to a URL it runs the
 * CloudEvents abuse protection: an OPTIONS request with `WebHook-Request-Origin`, answered with
 * `WebHook-Allowed-Origin` naming the service's host or `*`.
 */
export type SystemEvent = "connect" | "connected" | "disconnected";

/**
 * Gets an access token for `resource` with the service's managed identity. In Azure the service does this
 * itself with the identity its resource is given; here the caller hands in the stand-in (a test signs tokens).
 */
export type IdentityTokenSource = (resource: string) => Promise<string>;

/**
 * Upstream auth (the hub setting's `auth`, UpstreamAuthSettings): `None` (the default) or `ManagedIdentity`, with
 * which every event request, not the abuse-protection OPTIONS, carries `Authorization: Bearer <token>` for
 * `managedIdentity.resource` (the token's `aud`). `identity` is local only: the service's managed identity.
 */
export type UpstreamAuth =
  | { type: "None" }
  | { type: "ManagedIdentity"; managedIdentity: { resource: string }; identity?: IdentityTokenSource };

export interface EventHandlerSetting {
  /** The upstream URL; `{hub}` and `{event}` are replaced by the hub's and the event's names. */
  urlTemplate: string;
  systemEvents: SystemEvent[];
  auth?: UpstreamAuth;
}

export interface ConnectionContext {
  hub: string;
  connectionId: string;
  userId: string | undefined;
  subprotocol: string | undefined;
}

/** What a `connect` handler's 200 may set: the connection's user, groups, roles and subprotocol. */
export interface ConnectResponse {
  userId?: string;
  groups?: string[];
  roles?: string[];
  subprotocol?: string;
}

export type ConnectOutcome =
  | { accepted: true; response: ConnectResponse }
  | { accepted: false; status: 400 | 401 | 403 | 500; message: string };

/** How long the service waits for an upstream's answer. */
const UPSTREAM_TIMEOUT_MS = 10_000;

export class UpstreamEvents {
  private readonly settings = new Map<string, EventHandlerSetting[]>();
  /** URLs whose abuse protection passed; a failed one is asked again next time. */
  private readonly validated = new Set<string>();

  /** @param origin the service's host name, sent as `WebHook-Request-Origin`. */
  constructor(
    private readonly accessKey: string,
    private readonly origin: string,
  ) {}

  configure(hub: string, handlers: EventHandlerSetting[]): void {
    this.settings.set(hub.toLowerCase(), handlers.map((h) => ({ ...h, systemEvents: [...h.systemEvents] })));
  }

  /** The first handler of `hub` that takes `event`, as the service picks one, with its URL. */
  private handler(hub: string, event: SystemEvent): { url: string; auth: UpstreamAuth | undefined } | undefined {
    const handler = this.settings.get(hub.toLowerCase())?.find((h) => h.systemEvents.includes(event));
    if (handler === undefined) return undefined;
    return { url: handler.urlTemplate.replaceAll("{hub}", encodeURIComponent(hub)).replaceAll("{event}", event), auth: handler.auth };
  }

  /** The URL of the first handler of `hub` that takes `event`. */
  handlerUrl(hub: string, event: SystemEvent): string | undefined {
    return this.handler(hub, event)?.url;
  }

  /**
   * The blocking `connect` event. No handler: accepted as it is. A 200 (body optional) or 204 accepts;
   * 400, 401 and 403 refuse the WebSocket with that status; anything else, an unreachable upstream or a
   * failed abuse protection refuses it with 500.
   */
  async connect(ctx: ConnectionContext, req: IncomingMessage, url: URL, claims: Record<string, unknown>): Promise<ConnectOutcome> {
    const target = this.handler(ctx.hub, "connect");
    if (target === undefined) return { accepted: true, response: {} };
    const body = {
      claims: multiValued(claims),
      query: multiValued(groupQuery(url)),
      headers: multiValued(req.headers),
      subprotocols: offered(req),
      clientCertificates: [],
    };
    let response: Response;
    try {
      response = await this.post(target, "connect", ctx, body);
    } catch (error) {
      return { accepted: false, status: 500, message: `The upstream could not be reached: ${(error as Error).message}` };
    }
    const text = await response.text().catch(() => "");
    if (response.status === 200 || response.status === 204) {
      const parsed = text.trim() === "" ? {} : safeJson(text);
      if (parsed === undefined) return { accepted: false, status: 500, message: "The upstream's connect answer is not JSON." };
      return { accepted: true, response: connectResponse(parsed) };
    }
    const status = response.status === 400 || response.status === 401 || response.status === 403 ? response.status : 500;
    return { accepted: false, status, message: text.slice(0, 1024) || `The upstream refused the connection (${response.status}).` };
  }

  /** The async `connected` / `disconnected` events: sent when a handler takes them, failures ignored. */
  notify(event: "connected" | "disconnected", ctx: ConnectionContext, body: Record<string, unknown>): void {
    const target = this.handler(ctx.hub, event);
    if (target === undefined) return;
    this.post(target, event, ctx, body).then(
      (r) => r.body?.cancel(),
      () => undefined,
    );
  }

  /** `sha256=<hex>` of the connection id keyed with the access key (one value per key; we have one key). */
  signature(connectionId: string): string {
    return `sha256=${createHmac("sha256", this.accessKey).update(connectionId).digest("hex")}`;
  }

  private async post(target: { url: string; auth: UpstreamAuth | undefined }, event: SystemEvent, ctx: ConnectionContext, body: unknown): Promise<Response> {
    await this.protect(target.url);
    const headers: Record<string, string> = {
      ...(await authorization(target.auth)),
      "content-type": "application/json; charset=utf-8",
      "webhook-request-origin": this.origin,
      "ce-specversion": "1.0",
      "ce-type": `azure.webpubsub.sys.${event}`,
      "ce-source": `/hubs/${ctx.hub}/client/${ctx.connectionId}`,
      "ce-id": randomUUID(),
      "ce-time": new Date().toISOString(),
      "ce-awpsversion": "1.0",
      "ce-hub": ctx.hub,
      "ce-connectionId": ctx.connectionId,
      "ce-eventName": event,
      "ce-signature": this.signature(ctx.connectionId),
    };
    if (ctx.userId !== undefined) headers["ce-userId"] = ctx.userId;
    if (ctx.subprotocol !== undefined) headers["ce-subprotocol"] = ctx.subprotocol;
    return fetch(target.url, { method: "POST", headers, body: JSON.stringify(body), signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS) });
  }

  /** CloudEvents abuse protection, once per URL: the answer must allow this origin (or any). */
  private async protect(target: string): Promise<void> {
    if (this.validated.has(target)) return;
    const response = await fetch(target, {
      method: "OPTIONS",
      headers: { "webhook-request-origin": this.origin },
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    });
    await response.body?.cancel();
    const allowed = (response.headers.get("webhook-allowed-origin") ?? "").split(",").map((o) => o.trim());
    if (!allowed.includes("*") && !allowed.includes(this.origin)) {
      throw new Error(`Abuse protection for '${target}' missing allowed origins.`);
    }
    this.validated.add(target);
  }
}

/** The `Authorization` header upstream auth adds; no token (no identity) fails the event as the service does. */
async function authorization(auth: UpstreamAuth | undefined): Promise<Record<string, string>> {
  if (auth === undefined || auth.type === "None") return {};
  if (auth.identity === undefined) throw new Error("Upstream auth ManagedIdentity, but the service has no managed identity.");
  return { authorization: `Bearer ${await auth.identity(auth.managedIdentity.resource)}` };
}

function multiValued(source: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String) : [String(value)];
  }
  return out;
}

function groupQuery(url: URL): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) (out[name] ??= []).push(value);
  return out;
}

function offered(req: IncomingMessage): string[] {
  const header = req.headers["sec-websocket-protocol"];
  return header === undefined ? [] : header.split(",").map((p) => p.trim()).filter((p) => p !== "");
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function connectResponse(value: unknown): ConnectResponse {
  if (typeof value !== "object" || value === null) return {};
  const v = value as Record<string, unknown>;
  const strings = (x: unknown) => (Array.isArray(x) ? x.filter((s): s is string => typeof s === "string") : undefined);
  const out: ConnectResponse = {};
  if (typeof v.userId === "string" && v.userId !== "") out.userId = v.userId;
  const groups = strings(v.groups);
  if (groups) out.groups = groups;
  const roles = strings(v.roles);
  if (roles) out.roles = roles;
  if (typeof v.subprotocol === "string") out.subprotocol = v.subprotocol;
  return out;
}
