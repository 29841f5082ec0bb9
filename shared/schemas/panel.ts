import { z } from "zod";
import { displayText } from "./displayText.js";
import { ScreenPopPolicy } from "./screenPopPolicy.js";
import { ProviderId } from "./ids.js";

/** How a provider's panel shows in the agent desktop. */
export const PanelMode = z
  .enum(["hidden", "minimized", "docked", "expanded", "poppedOut"])
  .meta({ id: "PanelMode", description: "How a provider's panel shows in the agent desktop." });
export type PanelMode = z.infer<typeof PanelMode>;

/**
 * An origin exactly as a browser reports it in `MessageEvent.origin`: scheme, host and port only, lower
 * case, without a default port or a trailing slash. The host compares origins as strings, so anything
 * else (`https://Example.com`, `https://example.com:443`, `https://example.com/`) would never match.
 */
export const WebOrigin = z
  .string()
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
      } catch {
        return false;
      }
    },
    { message: "must be an http(s) origin exactly as browsers write it: scheme://host[:port], lower case, no path or trailing slash" },
  )
  .meta({ id: "WebOrigin", description: "An http(s) origin: `scheme://host[:port]`, no path.", examples: ["https://widgets.partner.example"] });

/** Bounds of a panel dimension in CSS pixels; `min ≤ default ≤ max`. */
const dimension = (defaults: { default: number; min: number; max: number }) =>
  z
    .object({
      default: z.number().int().min(1).max(10_000).default(defaults.default).describe("Initial size in CSS pixels."),
      min: z.number().int().min(1).max(10_000).default(defaults.min).describe("Smallest size the agent or widget may set."),
      max: z.number().int().min(1).max(10_000).default(defaults.max).describe("Largest size the agent or widget may set."),
    })
    .refine((d) => d.min <= d.default && d.default <= d.max, { message: "must satisfy min ≤ default ≤ max" })
    .default(defaults);

/**
 * The host API the provider's widget is written against (docs/widget-protocols.md): WebCTI's widget SDK,
 * the HubSpot Calling Extensions SDK (the host speaks its postMessage protocol), Microsoft CIF or Salesforce
 * Open CTI (the widget loads WebCTI's façade library in place of the CRM's).
 */
export const WidgetProtocol = z
  .enum(["webcti", "hubspot", "cif", "opencti"])
  .meta({ id: "WidgetProtocol", description: "The host API the provider's widget is written against." });
export type WidgetProtocol = z.infer<typeof WidgetProtocol>;

/** A provider setting's name: what CIF calls a custom parameter and Open CTI a call center setting. */
const settingName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.\-/]{0,99}$/, "a setting name: a letter, then letters, digits and _ . - / (up to 100)");

/**
 * A provider's widget as a panel of the agent desktop. Providers without a widget (webhooks only) have
 * none. The browser client loads `widgetUrl` in an iframe and talks only to frames from `trustedOrigins`.
 * Unknown settings are refused (a misspelt one must not be dropped silently).
 */
export const PanelConfig = z
  .strictObject({
    widgetUrl: z.url({ protocol: /^https?$/ }).describe("The partner's widget page, loaded in the panel's iframe. Absolute http(s) URL."),
    trustedOrigins: z
      .array(WebOrigin)
      .min(1)
      .max(10)
      .describe("Origins whose messages the host accepts from the widget frame; all others are ignored."),
    order: z.number().int().min(0).max(1000).default(100).describe("Position among the tenant's panels, lowest first."),
    clickToAct: z.boolean().default(true).describe("Whether phone numbers clicked in the CRM go to this widget (the widget may switch it off)."),
    defaultMode: PanelMode.exclude(["poppedOut"]).default("docked").describe("The mode before the agent changes it."),
    width: dimension({ default: 360, min: 240, max: 800 }).describe("Width of the docked or expanded panel in CSS pixels."),
    widgetProtocol: WidgetProtocol.default("webcti").describe("The host API the widget is written against; the host speaks it to the frame."),
    settings: z
      .record(settingName, z.string().max(1000))
      .refine((value) => Object.keys(value).length <= 50, { message: "at most 50 settings" })
      .default({})
      .describe("The provider's own settings for its widget, given to it by the host (CIF custom parameters, Open CTI call center settings): names to text."),
    conversationEvents: z
      .boolean()
      .optional()
      .describe(
        "`true`: the provider's conversation events that name an agent are pushed to that agent's browser for the widget (`conversationEvent`, docs/push-protocol.md). Absent or `false`: nothing is pushed.",
      ),
    reportCalls: z
      .boolean()
      .optional()
      .describe(
        "HubSpot widgets only (`widgetProtocol: \"hubspot\"`). `true`: the host reports the calls the widget describes (INCOMING_CALL … CALL_COMPLETED) as the provider's conversation events, so the service pops the caller's record and the calls count in the KPIs without a server integration (docs/widget-protocols.md). Leave it off when the provider's server sends these calls' events: they would count twice.",
      ),
  })
  .refine((panel) => !panel.reportCalls || panel.widgetProtocol === "hubspot", {
    message: "reportCalls is for HubSpot widgets (widgetProtocol \"hubspot\"); a WebCTI widget reports its calls itself (reportConversationEvent)",
    path: ["reportCalls"],
  })
  .meta({ id: "PanelConfig" });
export type PanelConfig = z.infer<typeof PanelConfig>;

/** One panel as the signed-in agent's desktop mounts it. */
export const AgentPanel = z
  .object({
    providerId: ProviderId,
    label: displayText({ max: 100 }).describe("The provider's name, shown on the panel."),
    ...PanelConfig.shape,
    screenPopPolicy: ScreenPopPolicy.describe("What a screen pop the widget asks for opens (onOneMatch, onManyMatches, onNoMatch)."),
  })
  .meta({ id: "AgentPanel" });
export type AgentPanel = z.infer<typeof AgentPanel>;

/** A provider without a widget that takes click-to-act by webhook (`POST /v1/agent/click-to-act`). */
export const ClickToActWebhookProvider = z
  .object({
    providerId: ProviderId,
    label: displayText({ max: 100 }).describe("The provider's name."),
  })
  .meta({ id: "ClickToActWebhookProvider" });
export type ClickToActWebhookProvider = z.infer<typeof ClickToActWebhookProvider>;

export const AgentPanelList = z
  .object({
    panels: z.array(AgentPanel).describe("The tenant's providers that have a widget, by `order`, then `providerId`."),
    clickToActWebhooks: z
      .array(ClickToActWebhookProvider)
      .describe(
        "The tenant's providers without a widget whose webhook endpoint is enabled and subscribed to `clickToAct.requested`, by `providerId`. " +
          "The browser client sends them the clicks no widget takes (docs/widget-sdk.md).",
      ),
  })
  .meta({ id: "AgentPanelList" });
export type AgentPanelList = z.infer<typeof AgentPanelList>;
