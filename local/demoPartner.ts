import azureFunctions from "@azure/functions";
import type { HttpRequest } from "@azure/functions";
import type { HostedFunction } from "./functionsHost.js";

const { HttpResponse } = azureFunctions;

/**
 * The demo partner's own backend, as far as its softphone needs one: the call simulator (playing the
 * partner's telephony) tells it about calls, and the softphone widget long-polls it for calls to ring.
 * It lives on the widget origin, like a partner's widget backend lives on the partner's. Demo only:
 * in memory, no authentication.
 */
export interface DemoCall {
  /** Position in the agent's call log; the softphone asks for calls after the last one it saw. */
  seq: number;
  callId: string;
  from: string;
  agentId: string;
  state: "ringing" | "ended";
}

export function demoPartnerFunctions(): HostedFunction[] {
  // A short log per agent rather than a queue: a poll whose page went away must not take calls with it.
  const logs = new Map<string, DemoCall[]>();
  let seq = 0;
  const waiters = new Map<string, Set<() => void>>();
  const json = (status: number, body: unknown) =>
    new HttpResponse({ status, jsonBody: body, headers: { "access-control-allow-origin": "*", "cache-control": "no-store" } });

  return [
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
