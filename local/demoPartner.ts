import azureFunctions from "@azure/functions";
import type { HttpRequest } from "@azure/functions";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import type { HostedFunction } from "./functionsHost.js";

const { HttpResponse } = azureFunctions;

/**
 * The demo partner's own backend, as far as its products need one:
 *   - the softphone (a widget): the call simulator (playing the partner's telephony) tells it about calls,
 *     and the softphone widget long-polls it for calls to ring;
 *   - the dialer (no widget): WebCTI sends it `clickToAct.requested` webhooks, which it verifies
 *     (Standard Webhooks) and keeps in a log, `GET /demo-partner/webhooks`, newest first.
 * It lives on the widget origin, like a partner's widget backend lives on the partner's. Demo only:
 * in memory, no authentication of its own callers.
 */
export interface DemoCall {
  /** Position in the agent's call log; the softphone asks for calls after the last one it saw. */
  seq: number;
  callId: string;
  from: string;
  agentId: string;
  state: "ringing" | "ended";
}

/** One request that came to the dialer's webhook URL, verified or not; the raw body and headers as received. */
export interface DemoWebhookRequest {
  receivedAt: string;
  verified: boolean;
  /** Why verification failed: no secret configured, a bad signature, a stale timestamp… */
  error?: string;
  /** The same webhook-id seen before (a retry): acknowledged, not processed again. */
  duplicate: boolean;
  headers: { "webhook-id": string; "webhook-timestamp": string; "webhook-signature": string };
  body: string;
  /** The verified event. */
  event?: { type: string; timestamp: string; data: Record<string, unknown> };
}

/**
 * The dialer's signing secret, per demo partner origin: what a partner's admin pastes into its backend's
 * settings after creating the webhook endpoint. seedDemo sets it (the backend runs in the same process).
 */
const dialerSecrets = new Map<string, string>();

export function setDemoDialerSecret(partnerOrigin: string, secret: string) {
  dialerSecrets.set(new URL(partnerOrigin).origin, secret);
}

export function demoPartnerFunctions(): HostedFunction[] {
  // A short log per agent rather than a queue: a poll whose page went away must not take calls with it.
  const logs = new Map<string, DemoCall[]>();
  let seq = 0;
  const waiters = new Map<string, Set<() => void>>();
  const json = corsJson;
  const webhookLog: DemoWebhookRequest[] = [];
  const processed = new Set<string>();

  return [
    {
      name: "demoPartnerWebhook",
      methods: ["POST"],
      route: "demo-partner/webhooks",
      handler: (request: HttpRequest) => receiveWebhook(request, webhookLog, processed),
    },
    {
      name: "demoPartnerWebhookLog",
      methods: ["GET"],
      route: "demo-partner/webhooks",
      handler: async () => json(200, { requests: webhookLog }),
    },
    {
      name: "demoPartnerPostCall",
      methods: ["POST"],
      route: "demo-partner/calls",
      handler: async (request: HttpRequest) => {
        const call = (await request.json().catch(() => undefined)) as Partial<DemoCall> | undefined;
        if (!call?.callId || !call.from || !call.agentId || (call.state !== "ringing" && call.state !== "ended")) {
          return json(400, { error: "give callId, from, agentId and state (ringing | ended)" });
        }
        const log = logs.get(call.agentId) ?? [];
        log.push({ seq: ++seq, callId: call.callId, from: call.from, agentId: call.agentId, state: call.state });
        logs.set(call.agentId, log.slice(-100));
        for (const wake of waiters.get(call.agentId) ?? []) wake();
        return json(202, { queued: true });
      },
    },
    {
      name: "demoPartnerNextCalls",
      methods: ["GET"],
      route: "demo-partner/calls/{agentId}",
      handler: async (request: HttpRequest) => {
        const agentId = request.params.agentId!;
        // Without `after`, a softphone that just loaded starts from now.
        const after = Number(request.query.get("after") ?? seq);
        const take = () => (logs.get(agentId) ?? []).filter((c) => c.seq > after);
        let calls = take();
        if (calls.length === 0) {
          // Long poll: answer when a call comes or after 20 s.
          await new Promise<void>((resolve) => {
            const set = waiters.get(agentId) ?? new Set();
            waiters.set(agentId, set);
            const wake = () => {
              clearTimeout(timer);
              set.delete(wake);
              resolve();
            };
            const timer = setTimeout(wake, 20_000);
            set.add(wake);
          });
          calls = take();
        }
        return json(200, { calls, last: Math.max(after, ...calls.map((c) => c.seq)) });
      },
    },
  ];
}

const corsJson = (status: number, body: unknown) =>
  new HttpResponse({ status, jsonBody: body, headers: { "access-control-allow-origin": "*", "cache-control": "no-store" } });

/** What the demo dialer's backend does with a webhook: verify its signature, log it, act once per id. */
async function receiveWebhook(request: HttpRequest, webhookLog: DemoWebhookRequest[], processed: Set<string>) {
  // Verify the raw body as received: parsing and re-serializing JSON would change the bytes.
  const body = await request.text();
  const headers = {
    "webhook-id": request.headers.get("webhook-id") ?? "",
    "webhook-timestamp": request.headers.get("webhook-timestamp") ?? "",
    "webhook-signature": request.headers.get("webhook-signature") ?? "",
  };
  const entry: DemoWebhookRequest = { receivedAt: new Date().toISOString(), verified: false, duplicate: false, headers, body };
  webhookLog.unshift(entry);
  webhookLog.splice(100);
  const secret = dialerSecrets.get(new URL(request.url).origin);
  if (!secret) {
    entry.error = "no webhook secret configured for the demo dialer";
    return corsJson(503, { error: entry.error });
  }
  try {
    entry.event = new Webhook(secret).verify(body, headers) as DemoWebhookRequest["event"];
    entry.verified = true;
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    entry.error = error.message;
    return corsJson(400, { error: error.message });
  }
  // Deliveries are at least once: a retry of one already processed is acknowledged, not acted on twice.
  entry.duplicate = processed.has(headers["webhook-id"]);
  processed.add(headers["webhook-id"]);
  return new HttpResponse({ status: 204 });
}
