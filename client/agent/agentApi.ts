import type { AgentMe, NegotiateResponse } from "../../shared/schemas/agent.js";
import type { ScreenPop, ScreenPopList } from "../../shared/schemas/screenPop.js";
import type { Problem } from "../../shared/schemas/problem.js";
import type { DirectoryRecord, DirectoryRecordInput } from "../../shared/schemas/directory.js";
import type { LookupResult } from "../../shared/schemas/directoryRoutes.js";
import type { AgentPanel, ClickToActWebhookProvider } from "../../shared/schemas/panel.js";
import type { ClickToActInput } from "../../shared/webhooks/schemas.js";
import type { ConversationEventAccepted, ConversationEventReport, LoggedActivity, Presence, PresenceRequest, UpdatedActivity } from "../protocol.js";
import { createAgentTokenSource, type AgentTokenSource, type GetToken } from "./agentToken.js";
import { isApiErrorCode, type AgentApiErrorCode } from "./widgetCodeForApiCode.js";

/** A provider's panel as GET /v1/agent/panels returns it. */
export type PanelConfigView = AgentPanel;
/** A provider without a widget that takes click-to-act by webhook, as GET /v1/agent/panels returns it. */
export type ClickToActWebhookView = ClickToActWebhookProvider;

/** POST /v1/agent/click-to-act's body. */
export type ClickToActRequest = ClickToActInput;

/** The part of the webhook delivery (WebhookDelivery in the OpenAPI document) the browser client reads. */
export interface ClickToActDelivery {
  deliveryId: string;
  status: "pending" | "delivered" | "failed";
}

/** An agent API call that failed; `code` is the problem's stable code (docs/errors.md), or "network". */
export class AgentApiError extends Error {
  override readonly name = "AgentApiError";
  constructor(
    readonly code: AgentApiErrorCode,
    message: string,
    readonly status: number,
    readonly problem?: Problem,
  ) {
    super(message);
  }
  /** Worth trying again later: the network, a 5xx or a 429. */
  get retryable(): boolean {
    return this.code === "network" || this.status >= 500 || this.status === 429;
  }
}

export interface AgentApiOptions {
  /**
   * Where the WebCTI API is served: "/api" on the page's origin (the session cookie goes along), or an
   * absolute URL on WebCTI's own origin ("https://webcti.example.com/api") with `getToken`.
   */
  apiBase: string;
  fetch?: typeof fetch;
  /** Extra request headers (outside App Service Authentication: a test or a proxy's own auth). */
  headers?: Record<string, string>;
  /** With it, every call sends `Authorization: Bearer` and no cookie (agentToken.ts). */
  getToken?: GetToken;
}

/** The agent API calls the browser client makes. */
export class AgentApi {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;
  private readonly tokens: AgentTokenSource | undefined;

  constructor(private readonly options: AgentApiOptions) {
    this.base = options.apiBase.replace(/\/$/, "");
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.tokens = options.getToken ? createAgentTokenSource(options.getToken) : undefined;
  }

  /**
   * Where the tenant's records live, as the last GET /v1/agent/me said: with "host", the widgets' record
   * calls go to the page's adapter (widgetHostMethods.ts). "directory" until asked.
   */
  recordsIn: "directory" | "host" | "webhook" = "directory";

  async me(): Promise<AgentMe> {
    const me = await this.request<AgentMe>("GET", "/v1/agent/me");
    this.recordsIn = me.crm?.records ?? "directory"; // a service older than `crm` has only the directory
    return me;
  }

  panels(): Promise<{ panels: PanelConfigView[]; clickToActWebhooks?: ClickToActWebhookView[] }> {
    return this.request("GET", "/v1/agent/panels");
  }

  search(query: { phone?: string; email?: string }): Promise<LookupResult> {
    const params = new URLSearchParams();
    if (query.phone) params.set("phone", query.phone);
    if (query.email) params.set("email", query.email);
    return this.request("GET", `/v1/agent/search?${params}`);
  }

  negotiate(): Promise<NegotiateResponse> {
    return this.request("POST", "/v1/agent/negotiate");
  }

  pendingPops(since: string): Promise<ScreenPopList> {
    return this.request("GET", `/v1/agent/screen-pops?since=${encodeURIComponent(since)}`);
  }

  /** `traceparent`: the one pushed with the pop, so the ack joins the pop's trace (docs/push-protocol.md). */
  acknowledge(popId: string, traceparent?: string): Promise<ScreenPop> {
    return this.request("POST", `/v1/agent/screen-pops/${encodeURIComponent(popId)}/ack`, undefined, traceparent ? { traceparent } : {});
  }

  record(collection: "contacts" | "accounts", id: string): Promise<DirectoryRecord> {
    return this.request("GET", `/v1/agent/directory/${collection}/${encodeURIComponent(id)}`);
  }

  saveRecord(collection: "contacts" | "accounts", id: string, input: DirectoryRecordInput): Promise<DirectoryRecord> {
    return this.request("PUT", `/v1/agent/directory/${collection}/${encodeURIComponent(id)}`, input);
  }

  deleteRecord(collection: "contacts" | "accounts", id: string): Promise<{ type: string; id: string; deleted: true }> {
    return this.request("DELETE", `/v1/agent/directory/${collection}/${encodeURIComponent(id)}`);
  }

  /** A click for a provider without a widget: its server gets a `clickToAct.requested` webhook (202 with the delivery). */
  clickToAct(input: ClickToActRequest): Promise<ClickToActDelivery> {
    return this.request("POST", "/v1/agent/click-to-act", input);
  }

  logActivity(activity: Record<string, unknown>): Promise<LoggedActivity> {
    return this.request("POST", "/v1/agent/activities", activity);
  }

  presence(): Promise<Presence> {
    return this.request("GET", "/v1/agent/presence");
  }

  setPresence(presence: PresenceRequest): Promise<Presence> {
    return this.request("PUT", "/v1/agent/presence", presence);
  }

  /** POST /v1/agent/conversations/events: one of the agent's conversation events, for the widget's provider. */
  reportConversationEvent(event: ConversationEventReport & { providerId: string }): Promise<ConversationEventAccepted> {
    return this.request("POST", "/v1/agent/conversations/events", event);
  }

  /** PATCH /v1/agent/activities/{id}: with `ifMatch` only if the activity is still at that etag. */
  async updateActivity(activityId: string, change: Record<string, unknown>, ifMatch?: string): Promise<UpdatedActivity> {
    const path = `/v1/agent/activities/${encodeURIComponent(activityId)}`;
    const { value, headers } = await this.exchange<LoggedActivity>("PATCH", path, change, ifMatch ? { "if-match": ifMatch } : {});
    return { ...value, etag: headers.get("etag") ?? "" };
  }

  private async request<T>(method: string, path: string, body?: unknown, extraHeaders?: Record<string, string>): Promise<T> {
    return (await this.exchange<T>(method, path, body, extraHeaders)).value;
  }

  /** A call and its answer's headers (the ETag of an update). */
  private async exchange<T>(method: string, path: string, body?: unknown, extraHeaders?: Record<string, string>): Promise<{ value: T; headers: Headers }> {
    let { response, token } = await this.send(method, path, body, extraHeaders);
    // A token the service refused (revoked, or expired early): one more try with a new one.
    if (response.status === 401 && token !== undefined) {
      this.tokens?.refused(token);
      ({ response } = await this.send(method, path, body, extraHeaders));
    }
    const text = await response.text();
    if (!response.ok) {
      let problem: Problem | undefined;
      try {
        problem = JSON.parse(text) as Problem;
      } catch {
        /* not a problem document */
      }
      const code = isApiErrorCode(problem?.code) ? problem.code : (`http_${response.status}` as const);
      throw new AgentApiError(code, problem?.detail ?? `${method} ${path}: ${response.status}`, response.status, problem);
    }
    return { value: JSON.parse(text) as T, headers: response.headers };
  }

  /** One request: the page's cookie on its own origin, or the page's token and no cookie. */
  private async send(method: string, path: string, body: unknown, extraHeaders?: Record<string, string>): Promise<{ response: Response; token?: string }> {
    const call = `${method} ${path}`;
    const token = this.tokens ? await this.tokens.token().catch((cause: unknown) => fail(call, "getToken() failed", cause)) : undefined;
    try {
      const response = await this.fetchImpl(`${this.base}${path}`, {
        method,
        credentials: token === undefined ? "same-origin" : "omit",
        headers: {
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...this.options.headers,
          ...extraHeaders,
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { response, ...(token === undefined ? {} : { token }) };
    } catch (cause) {
      return fail(call, "failed", cause);
    }
  }
}

function fail(call: string, what: string, cause: unknown): never {
  throw new AgentApiError("network", `${call} ${what}: ${String((cause as Error)?.message ?? cause)}`, 0);
}
