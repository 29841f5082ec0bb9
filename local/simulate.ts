import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { randomUUID } from "node:crypto";
import { projectRoot } from "../shared/projectRoot.js";
import { demo } from "./seedDemo.js";

/**
 * The call simulator: plays the demo partner's server against the partner API.
 *
 *   npm run simulate -- call --from "+1 206 555 0101" [--agent demo-agent] [--answer-after 3] [--end-after 10]
 *   npm run simulate -- pop <popId>            read a pop's delivery status
 *
 * Reads the API URL and key from .data/demo.json (written by npm start) unless --url / --key are given.
 */
const usage = `Usage:
  npm run simulate -- call --from <number> [--agent <agentId>] [--channel voice] [--answer-after <s>] [--end-after <s>]
  npm run simulate -- pop <popId>
Options: --url <api base, e.g. http://127.0.0.1:7071/api>  --key <partner API key>
         --widget-url <the demo softphone's origin, to ring it too>`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    from: { type: "string" },
    email: { type: "string" },
    name: { type: "string" },
    agent: { type: "string", default: demo.agentId },
    channel: { type: "string", default: "voice" },
    "answer-after": { type: "string" },
    "end-after": { type: "string" },
    url: { type: "string" },
    "widget-url": { type: "string" },
    key: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

async function settings(): Promise<{ apiUrl: string; apiKey: string; widgetUrl?: string }> {
  const saved = await readFile(join(projectRoot(), ".data", "demo.json"), "utf8")
    .then((t) => JSON.parse(t) as { apiUrl?: string; apiKey?: string; widgetUrl?: string })
    .catch(() => ({}) as { apiUrl?: string; apiKey?: string; widgetUrl?: string });
  const apiUrl = values.url ?? saved.apiUrl;
  const apiKey = values.key ?? saved.apiKey;
  if (!apiUrl || !apiKey) {
    throw new Error("No API URL or key: run `npm start` first (it writes .data/demo.json) or pass --url and --key.");
  }
  const widgetUrl = values["widget-url"] ?? saved.widgetUrl;
  return { apiUrl: apiUrl.replace(/\/$/, ""), apiKey, ...(widgetUrl ? { widgetUrl: widgetUrl.replace(/\/$/, "") } : {}) };
}

async function send(apiUrl: string, apiKey: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!response.ok) {
    throw new Error(`${method} ${path} → ${response.status}\n${JSON.stringify(parsed, null, 2)}`);
  }
  return parsed;
}

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

async function call() {
  if (!values.from && !values.email) throw new Error("Give the caller: --from <number> (or --email <address>).");
  const { apiUrl, apiKey, widgetUrl } = await settings();
  const conversationId = `sim-${randomUUID()}`;
  // The partner's telephony also rings its own softphone (the demo widget), through the partner's backend.
  const ringSoftphone = async (state: "ringing" | "ended") => {
    if (!widgetUrl || !values.from) return;
    await fetch(`${widgetUrl}/demo-partner/calls`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ callId: conversationId, from: values.from, agentId: values.agent, state }),
    }).catch(() => console.warn("(the demo softphone's backend did not answer; is npm start running?)"));
  };
  const base = {
    conversationId,
    agentId: values.agent,
    channel: values.channel,
    direction: "inbound",
    customer: { phone: values.from, email: values.email, name: values.name },
  };
  const event = async (type: string) => {
    const result = await send(apiUrl, apiKey, "POST", "/v1/conversations/events", {
      ...base,
      type,
      eventId: `${conversationId}:${type}`,
      occurredAt: new Date().toISOString(),
    });
    console.log(`${type.padEnd(8)} ${conversationId}  screen pop: ${JSON.stringify(result.screenPop)}`);
    return result;
  };
  const ringing = await event("ringing");
  await ringSoftphone("ringing");
  const pop = ringing.screenPop as { href: string } | null;
  if (pop) {
    await sleep(1);
    const origin = new URL(apiUrl).origin;
    const read = (await fetch(`${origin}${pop.href}`, { headers: { authorization: `Bearer ${apiKey}` } }).then((r) => r.json())) as {
      status?: string;
      target?: { kind: string; record?: { name: string }; results?: Array<{ name: string }>; prefill?: Record<string, string> };
    };
    const target = read.target;
    const opens =
      target?.kind === "record" ? `record ${target.record?.name}` :
      target?.kind === "search" ? `search (${target.results?.map((r) => r.name).join(", ")})` :
      target?.kind === "newRecord" ? `new record ${JSON.stringify(target.prefill)}` : "?";
    console.log(`pop      opens ${opens}; status after 1 s: ${read.status} (delivered once the agent's page acknowledged it)`);
  }
  const answerAfter = values["answer-after"];
  const endAfter = values["end-after"];
  if (answerAfter !== undefined) {
    await sleep(Number(answerAfter));
    await event("answered");
  }
  if (endAfter !== undefined) {
    await sleep(Number(endAfter));
    await event("ended");
    await ringSoftphone("ended");
  }
}

async function popStatus(popId: string | undefined) {
  if (!popId) throw new Error("Give the pop id: npm run simulate -- pop <popId>");
  const { apiUrl, apiKey } = await settings();
  console.log(JSON.stringify(await send(apiUrl, apiKey, "GET", `/v1/screen-pops/${encodeURIComponent(popId)}`), null, 2));
}

try {
  const [command, arg] = positionals;
  if (values.help || !command) console.log(usage);
  else if (command === "call") await call();
  else if (command === "pop") await popStatus(arg);
  else throw new Error(`Unknown command '${command}'.\n${usage}`);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
