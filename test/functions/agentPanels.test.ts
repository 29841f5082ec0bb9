import { ScreenPopPolicy } from "../../shared/schemas/screenPopPolicy.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { demo, seedDemo } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { linkPrincipal } from "../../shared/auth/agentPrincipal.js";
import { getProvider, listProviders, putAgent, putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { AgentPanelList, PanelConfig } from "../../shared/schemas/panel.js";
import { demoIdentityProvider } from "../../local/easyAuthEmulator.js";
import { putEndpoint } from "../../shared/webhooks/endpointStore.js";

const defaultPolicy = ScreenPopPolicy.parse({});
let stack: Stack;
let cookie: string;
let otherCookie: string;

const panels = (session = cookie) => call(`${stack.apiUrl}/v1/agent/panels`, { headers: { cookie: session } });
const ids = (body: { panels: Array<{ providerId: string }> }) => body.panels.map((p) => p.providerId);

const minimal = { widgetUrl: "https://chat.partner.example/widget", trustedOrigins: ["https://chat.partner.example"] };

beforeAll(async () => {
  ({ stack } = await startTestStack());
  cookie = await signInCookie(stack.url);
  const s = stack.services;
  // More providers in the demo tenant: two tied on order, one late, one with defaults, one without a widget.
  await putProvider(s, { tenantId: demo.tenantId, providerId: "b-chat", label: "B Chat", panel: { ...minimal, order: 5 } });
  await putProvider(s, { tenantId: demo.tenantId, providerId: "a-chat", label: "A Chat", panel: { ...minimal, order: 5 } });
  await putProvider(s, { tenantId: demo.tenantId, providerId: "late", label: "Late", panel: { ...minimal, order: 1000 } });
  await putProvider(s, { tenantId: demo.tenantId, providerId: "defaults", label: "Defaults", panel: minimal });
  await putProvider(s, { tenantId: demo.tenantId, providerId: "webhooks-only", label: "Webhooks only" });
  // A second tenant with its own widget provider and agent, signed in as another user.
  await putTenant(s, { tenantId: "fabrikam", name: "Fabrikam" });
  await putProvider(s, { tenantId: "fabrikam", providerId: "fab-phone", label: "Fabrikam Phone", panel: { ...minimal, order: 0 } });
  await putAgent(s, { tenantId: "fabrikam", agentId: demo.agentId, displayName: "Same id, other tenant" });
  await linkPrincipal(s, { identityProvider: demoIdentityProvider, principalId: "frank" }, { tenantId: "fabrikam", agentId: demo.agentId });
  otherCookie = await signInCookie(stack.url, "frank");
});
afterAll(() => stack?.close());

describe("GET v1/agent/panels", () => {
  it("gives the demo agent the demo softphone panel with the seeded values", async () => {
    const res = await panels();
    expect(res.status).toBe(200);
    expect(AgentPanelList.safeParse(res.body).success).toBe(true);
    const softphone = res.body.panels.find((p: { providerId: string }) => p.providerId === demo.providerId);
    expect(softphone).toEqual({
      providerId: demo.providerId,
      label: "Demo Softphone",
      widgetUrl: `${stack.widgetUrl}/softphone/`,
      trustedOrigins: [new URL(stack.widgetUrl).origin],
      order: 10,
      clickToAct: true,
      defaultMode: "docked",
      width: { default: 360, min: 240, max: 800 },
      widgetProtocol: "webcti",
      settings: {},
      screenPopPolicy: defaultPolicy,
    });
  });

  it("lists panels by order, then provider id, and leaves out providers without a widget", async () => {
    const res = await panels();
    expect(ids(res.body)).toEqual(["a-chat", "b-chat", demo.providerId, "defaults", "late"]);
  });

  it("lists the providers without a widget whose endpoint takes click-to-act, by provider id", async () => {
    const url = `${stack.widgetUrl}/demo-partner/webhooks`;
    await putProvider(stack.services, { tenantId: demo.tenantId, providerId: "a-dialer", label: "A Dialer" });
    await putEndpoint(stack.services, demo.tenantId, "a-dialer", { url, eventTypes: ["presence.changed", "clickToAct.requested"] });
    // Not listed: subscribed to presence only, disabled, or with a widget (its widget takes the clicks).
    await putEndpoint(stack.services, demo.tenantId, "webhooks-only", { url, eventTypes: ["presence.changed"] });
    await putProvider(stack.services, { tenantId: demo.tenantId, providerId: "off-dialer", label: "Off" });
    await putEndpoint(stack.services, demo.tenantId, "off-dialer", { url, eventTypes: ["clickToAct.requested"], enabled: false });
    await putEndpoint(stack.services, demo.tenantId, "late", { url, eventTypes: ["clickToAct.requested"] });
    const res = await panels();
    expect(res.status).toBe(200);
    expect(AgentPanelList.safeParse(res.body).success).toBe(true);
    expect(res.body.clickToActWebhooks).toEqual([
      { providerId: "a-dialer", label: "A Dialer" },
      { providerId: demo.dialerProviderId, label: "Demo Dialer" },
    ]);
    expect(ids(res.body)).toEqual(["a-chat", "b-chat", demo.providerId, "defaults", "late"]);
    expect((await panels(otherCookie)).body.clickToActWebhooks).toEqual([]);
  });

  it("fills the defaults of a panel configured with only its URL and origins", async () => {
    const res = await panels();
    expect(res.body.panels.find((p: { providerId: string }) => p.providerId === "defaults")).toEqual({
      providerId: "defaults",
      label: "Defaults",
      ...minimal,
      order: 100,
      clickToAct: true,
      defaultMode: "docked",
      width: { default: 360, min: 240, max: 800 },
      widgetProtocol: "webcti",
      settings: {},
      screenPopPolicy: defaultPolicy,
    });
  });

  it("keeps tenants apart", async () => {
    const mine = await panels();
    expect(ids(mine.body)).not.toContain("fab-phone");
    const theirs = await panels(otherCookie);
    expect(theirs.status).toBe(200);
    expect(ids(theirs.body)).toEqual(["fab-phone"]);
  });

  it("answers 401 without a session and 403 for a signed-in user who is no agent", async () => {
    const anonymous = await call(`${stack.apiUrl}/v1/agent/panels`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toBe("application/problem+json");
    const stranger = await panels(await signInCookie(stack.url, "nobody-linked"));
    expect(stranger.status).toBe(403);
    expect(stranger.body.code).toBe("forbidden");
  });
});

describe("provider panel storage", () => {
  it("reads the panel back with the provider, and drops it when the provider is saved without one", async () => {
    const s = stack.services;
    const panel = {
      ...minimal,
      order: 7,
      clickToAct: false,
      defaultMode: "minimized" as const,
      width: { default: 300, min: 300, max: 300 },
      widgetProtocol: "cif" as const,
      settings: { region: "eu" },
    };
    const saved = await putProvider(s, { tenantId: "fabrikam", providerId: "round-trip", label: "Round trip", panel });
    expect(saved.panel).toEqual(panel);
    expect((await getProvider(s, "fabrikam", "round-trip")).panel).toEqual(panel);
    expect((await listProviders(s, "fabrikam")).find((p) => p.providerId === "round-trip")?.panel).toEqual(panel);

    await putProvider(s, { tenantId: "fabrikam", providerId: "round-trip", label: "Round trip" });
    expect((await listProviders(s, "fabrikam")).find((p) => p.providerId === "round-trip")?.panel).toBeUndefined();
    expect(ids((await panels(otherCookie)).body)).toEqual(["fab-phone"]);
  });

  it("lists only the asked tenant's providers", async () => {
    const contoso = await listProviders(stack.services, demo.tenantId);
    expect(contoso.every((p) => p.tenantId === demo.tenantId)).toBe(true);
    expect(contoso.map((p) => p.providerId)).toContain("webhooks-only");
    expect((await listProviders(stack.services, "nobody")).length).toBe(0);
  });

  it("seeds the demo widget on the given origin, and on 127.0.0.1:7072 by default", async () => {
    // Seeding is idempotent; re-seed with the default, then restore the stack's widget origin.
    try {
      await seedDemo(stack.services);
      expect((await listProviders(stack.services, demo.tenantId)).find((p) => p.providerId === demo.providerId)?.panel).toMatchObject({
        widgetUrl: "http://127.0.0.1:7072/softphone/",
        trustedOrigins: ["http://127.0.0.1:7072"],
      });
    } finally {
      await seedDemo(stack.services, undefined, { widgetBaseUrl: stack.widgetUrl });
    }
  });
});

describe("PanelConfig", () => {
  const valid = {
    widgetUrl: "http://127.0.0.1:7072/softphone/",
    trustedOrigins: ["http://127.0.0.1:7072", "https://widgets.partner.example"],
  };

  it("accepts a minimal config and fills the defaults", () => {
    expect(PanelConfig.parse(valid)).toEqual({
      ...valid,
      order: 100,
      clickToAct: true,
      defaultMode: "docked",
      width: { default: 360, min: 240, max: 800 },
      widgetProtocol: "webcti",
      settings: {},
    });
    expect(PanelConfig.parse({ ...valid, width: { max: 1200 } }).width).toEqual({ default: 360, min: 240, max: 1200 });
  });

  it.each([
    ["a trusted origin with a path", { trustedOrigins: ["https://widgets.partner.example/softphone"] }],
    ["a trusted origin with a trailing slash", { trustedOrigins: ["https://widgets.partner.example/"] }],
    ["a trusted origin in upper case", { trustedOrigins: ["https://Widgets.Partner.example"] }],
    ["a trusted origin with its default port", { trustedOrigins: ["https://widgets.partner.example:443"] }],
    ["a trusted origin that is not http(s)", { trustedOrigins: ["ftp://widgets.partner.example"] }],
    ["a trusted origin that is no URL", { trustedOrigins: ["widgets.partner.example"] }],
    ["no trusted origin", { trustedOrigins: [] }],
    ["more than 10 trusted origins", { trustedOrigins: Array.from({ length: 11 }, (_, i) => `https://w${i}.partner.example`) }],
    ["a javascript: widget URL", { widgetUrl: "javascript:alert(1)" }],
    ["a data: widget URL", { widgetUrl: "data:text/html,<h1>hi</h1>" }],
    ["an ftp widget URL", { widgetUrl: "ftp://widgets.partner.example/softphone" }],
    ["a relative widget URL", { widgetUrl: "/softphone/" }],
    ["width min above max", { width: { default: 360, min: 900, max: 800 } }],
    ["a default width below min", { width: { default: 200, min: 240, max: 800 } }],
    ["a default width above max (defaulted)", { width: { default: 900 } }],
    ["a fractional width", { width: { default: 360.5, min: 240, max: 800 } }],
    ["an order out of range", { order: 1001 }],
    ["a popped-out default mode", { defaultMode: "poppedOut" }],
  ])("rejects %s", (_, change) => {
    const result = PanelConfig.safeParse({ ...valid, ...change });
    expect(result.success).toBe(false);
  });

  it("names the broken field", () => {
    const result = PanelConfig.safeParse({ ...valid, trustedOrigins: ["https://ok.example", "https://bad.example/path"], width: { min: 900, max: 800 } });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["trustedOrigins.1", "width"]));
  });
});
