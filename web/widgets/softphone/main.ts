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

async function main() {
  let host: WebCtiHost;
  try {
    host = await connectToHost();
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
  document.getElementById("dialer")!.addEventListener("submit", (event) => {
    event.preventDefault();
    const number = (document.getElementById("number") as HTMLInputElement).value.trim();
    if (number) logCall(`Dialing ${number}`);
  });
}

void main();
