// The demo partner widget, written only against the public widget SDK (/webcti/widget.js), served from
// another origin than the agent desktop, as a partner's widget is.
import { connectToHost, type ClickToActPayload, type WebCtiHost } from "/webcti/widget.js";

const status = document.getElementById("status")!;
const calls = document.getElementById("calls")!;
const toggle = document.getElementById("click-to-dial") as HTMLInputElement;

function logCall(text: string, payload?: ClickToActPayload) {
  const item = document.createElement("li");
  item.textContent = text;
  if (payload?.e164) item.dataset.e164 = payload.e164;
  calls.prepend(item);
}

/**
 * The agent desktops this softphone accepts. A partner lists its customers' CRM origins (from its own
 * backend or build); the demo partner's desktops are on its own machine: any port of this page's host,
 * 127.0.0.1 or localhost (npm start's desktop, the tests' CRM pages). Never the embedding page's word for
 * its origin.
 */
const demoDesktops = [new RegExp(`^http://(127\\.0\\.0\\.1|localhost|${location.hostname.replace(/[.]/g, "\\.")})(:\\d+)?$`)];

async function main() {
  let host: WebCtiHost;
  try {
    host = await connectToHost({ hostOrigins: demoDesktops });
  } catch (error) {
    status.dataset.state = "failed";
    status.textContent = `Not connected: ${(error as Error).message}`;
    return;
  }
  (window as unknown as { webctiHost: WebCtiHost }).webctiHost = host; // for the end-to-end tests
  status.dataset.state = "connected";
  status.textContent = `Connected (protocol ${host.protocolVersion})`;
  document.getElementById("agent")!.textContent = `Agent: ${host.environment.agentName}`;
  toggle.checked = await host.getClickToAct();
  toggle.addEventListener("change", () => void host.setClickToAct(toggle.checked));

  host.on("clickToAct", ({ payload }) => {
    const who = payload.record?.name ? ` (${payload.record.name})` : "";
    logCall(`Dialing ${payload.e164 ?? payload.email ?? payload.raw}${payload.extension ? ` ext. ${payload.extension}` : ""}${who}`, payload);
  });
  void watchCalls(host);
  document.getElementById("dialer")!.addEventListener("submit", (event) => {
    event.preventDefault();
    const number = (document.getElementById("number") as HTMLInputElement).value.trim();
    if (number) logCall(`Dialing ${number}`);
  });
}

void main();

interface DemoCall {
  callId: string;
  from: string;
  agentId: string;
  state: "ringing" | "ended";
}

/** Incoming calls come from the partner's own backend (here the demo one on this origin), not from WebCTI. */
async function watchCalls(host: WebCtiHost) {
  const incoming = document.getElementById("incoming")!;
  const state = document.getElementById("call-state")!;
  let current: { call: DemoCall; answeredAt?: Date } | undefined;

  const finish = async () => {
    if (!current) return;
    const { call, answeredAt } = current;
    current = undefined;
    incoming.hidden = true;
    const endedAt = new Date();
    // The call goes on the caller's record when WebCTI knows the number, else on the record the agent has open.
    const { matches } = await host.screenPop({ phone: call.from, searchOnly: true });
    try {
      const activity = await host.logActivity({
        activityId: `demo-${call.callId}`,
        ...(matches.length === 1 ? { record: matches[0]! } : {}),
        subject: `Call from ${call.from}`,
        direction: "inbound",
        conversationId: call.callId,
        from: call.from,
        disposition: answeredAt ? "Completed" : "Missed",
        ...(answeredAt ? { startedAt: answeredAt.toISOString(), durationSeconds: Math.round((endedAt.getTime() - answeredAt.getTime()) / 1000) } : {}),
        endedAt: endedAt.toISOString(),
      });
      logCall(`Logged: ${activity.subject}`);
    } catch (error) {
      logCall(`Not logged: ${(error as Error).message}`);
    }
  };
  document.getElementById("answer")!.addEventListener("click", () => {
    if (!current || current.answeredAt) return;
    current.answeredAt = new Date();
    state.textContent = "Connected";
  });
  document.getElementById("hangup")!.addEventListener("click", () => void finish());

  let after: number | undefined;
  for (;;) {
    try {
      const query = after === undefined ? "" : `?after=${after}`;
      const response = await fetch(`/demo-partner/calls/${encodeURIComponent(host.environment.agentId)}${query}`);
      const { calls, last } = (await response.json()) as { calls: DemoCall[]; last: number };
      after = last;
      for (const call of calls) {
        if (call.state === "ringing") {
          current = { call };
          document.getElementById("incoming-from")!.textContent = `Incoming call from ${call.from}`;
          state.textContent = "Ringing";
          incoming.hidden = false;
        } else if (current?.call.callId === call.callId) {
          await finish();
        }
      }
    } catch {
      await new Promise((r) => setTimeout(r, 2000)); // the backend restarts: try again shortly
    }
  }
}
