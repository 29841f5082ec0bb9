import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { startStack, type Stack } from "../../local/stack.js";
import { seedDemo, type DemoSeed } from "../../local/seedDemo.js";

/** A table prefix no other test file uses, so files run in parallel against one Azurite. */
export function uniquePrefix(): string {
  return `t${randomBytes(6).toString("hex")}`;
}

/** The local stack in-process (functions host + local Web PubSub) on the shared Azurite, seeded with the demo tenant. */
export async function startTestStack(options: { timers?: boolean } = {}): Promise<{ stack: Stack; seed: DemoSeed }> {
  const stack = await startStack({
    ...options,
    port: 0,
    tablePrefix: uniquePrefix(),
    tablesConnectionString: inject("tablesConnectionString"),
  });
  const seed = await seedDemo(stack.services, undefined, { widgetBaseUrl: stack.widgetUrl });
  return { stack, seed };
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** A small fetch wrapper: JSON in, parsed JSON (or text) out. */
export async function call<T = any>(
  url: string,
  init: { method?: string; key?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(url, { method: init.method ?? (body === undefined ? "GET" : "POST"), headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}
