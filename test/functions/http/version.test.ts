import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../../support/stack.js";
import type { Stack } from "../../../local/stack.js";
import type { DemoSeed } from "../../../local/seedDemo.js";
import { demo } from "../../../local/seedDemo.js";
import { currentVersion, requestedVersion, supportedVersions } from "../../../functions/http/version.js";
import { httpFunctions } from "../../../functions/index.js";
import { buildOpenApiDocument } from "../../../functions/http/openApi.js";

let stack: Stack;
let seed: DemoSeed;

beforeAll(async () => {
  ({ stack, seed } = await startTestStack());
});
afterAll(() => stack?.close());

const ringing = {
  type: "ringing",
  eventId: "v-1",
  conversationId: "v-conv",
  occurredAt: "2026-11-24T09:00:00Z",
  agentId: demo.agentId,
  customer: { phone: "+1 206 555 0199" },
};

describe("WebCTI-Version", () => {
  it("keeps the supported dates in one list, the last one the default", () => {
    expect(supportedVersions.length).toBeGreaterThan(0);
    for (const v of supportedVersions) expect(v).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(currentVersion).toBe(supportedVersions.at(-1));
    expect(requestedVersion(new Headers())).toBe(currentVersion);
  });

  it("says which version served every answer: success, problem, anonymous", async () => {
    const ok = await call(`${stack.apiUrl}/v1/conversations/events`, { key: seed.apiKey, json: ringing });
    expect(ok.status).toBe(202);
    expect(ok.headers.get("webcti-version")).toBe(currentVersion);
    const unauthenticated = await call(`${stack.apiUrl}/v1/agent/me`);
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get("webcti-version")).toBe(currentVersion);
    const invalid = await call(`${stack.apiUrl}/v1/conversations/events`, { key: seed.apiKey, json: { type: "ringing" } });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get("webcti-version")).toBe(currentVersion);
    const anonymous = await call(`${stack.apiUrl}/v1/openapi.json`);
    expect(anonymous.headers.get("webcti-version")).toBe(currentVersion);
    // Paths no route takes, and a method a route does not have, are API answers too.
    const unknown = await call(`${stack.apiUrl}/v1/no-such-thing`, { key: seed.apiKey });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("webcti-version")).toBe(currentVersion);
    const wrongMethod = await call(`${stack.apiUrl}/v1/openapi.json`, { method: "DELETE" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("webcti-version")).toBe(currentVersion);
  });

  it("serves a pinned supported version", async () => {
    const pinned = await call(`${stack.apiUrl}/v1/conversations/events`, {
      key: seed.apiKey,
      json: ringing,
      headers: { "webcti-version": supportedVersions[0] },
    });
    expect(pinned.status).toBe(202);
    expect(pinned.headers.get("webcti-version")).toBe(supportedVersions[0]);
  });

  it.each(["2020-01-01", "latest", "2026-11-01x"])("refuses the unknown version %s with 400 naming the header, storing nothing", async (version) => {
    let before = 0;
    for await (const _ of stack.services.tables.conversations.listEntities({ queryOptions: { filter: "RowKey ge 'event|' and RowKey lt 'event}'" } })) before++;
    const res = await call(`${stack.apiUrl}/v1/conversations/events`, {
      key: seed.apiKey,
      json: { ...ringing, eventId: "v-2" },
      headers: { "webcti-version": version },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("webcti-version")).toBe(currentVersion);
    expect(res.body).toMatchObject({ code: "invalid_request", errors: [{ header: "WebCTI-Version" }] });
    let after = 0;
    for await (const _ of stack.services.tables.conversations.listEntities({ queryOptions: { filter: "RowKey ge 'event|' and RowKey lt 'event}'" } })) after++;
    expect(after).toBe(before);
  });

  it("is a request header parameter of every /v1/ operation in the OpenAPI document", () => {
    const document = buildOpenApiDocument(httpFunctions);
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      if (!path.startsWith("/api/v1/")) continue;
      for (const [method, op] of Object.entries(item as Record<string, { parameters?: Array<{ $ref?: string; in?: string; name?: string }> }>)) {
        const names = (op.parameters ?? []).map((p) => (p.$ref ? p.$ref.split("/").pop() : p.name));
        expect(names, `${method} ${path}`).toContain("WebCTI-Version");
      }
    }
  });
});
