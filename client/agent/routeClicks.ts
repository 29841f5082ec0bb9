import type { ClickToActPayload } from "../protocol.js";
import { AgentApiError, type AgentApi, type ClickToActWebhookView } from "./agentApi.js";
import { readClickTarget, type ClickTarget } from "./clickToAct.js";
import type { ClickToActOutcome, PanelHostEvent } from "./panels.js";

/** A panel as click routing sees it. */
export interface ClickReceiver {
  readonly acceptsClickToAct: boolean;
  sendClickToAct(payload: ClickToActPayload): void;
}

export interface ClickRoutingOptions {
  document: Document;
  /** In order: the first that accepts gets the click. */
  receivers: readonly ClickReceiver[];
  /** Providers without a widget that take clicks by webhook, for clicks no widget takes. */
  webhooks: readonly ClickToActWebhookView[];
  api: AgentApi;
  defaultCountry: string;
  onEvent?: (event: PanelHostEvent) => void;
}

export interface ClickRouting {
  /** Sets `<html data-webcti-click-to-act>` again (call when a receiver starts or stops accepting). */
  refresh(): void;
  destroy(): void;
}

/**
 * Click-to-act routing: a click on a phone number or an email address goes to the first receiver (in
 * order) that accepts it; when none does, to the first provider that takes it by webhook (its server
 * gets `clickToAct.requested`; `onEvent` gets the outcome).
 */
export function routeClicks(options: ClickRoutingOptions): ClickRouting {
  const { document: doc, receivers, webhooks, defaultCountry } = options;
  const onClick = (event: MouseEvent) => {
    const target = readClickTarget(event.target);
    if (!target) return;
    const receiver = receivers.find((r) => r.acceptsClickToAct);
    const webhook = receiver ? undefined : webhooks[0];
    // With no provider taking clicks, a phone number is plain text: no tel: navigation, no dialer pop-up.
    event.preventDefault();
    if (receiver) void target.toPayload(defaultCountry).then((payload) => receiver.sendClickToAct(payload));
    else if (webhook) void sendByWebhook(options, webhook, target);
  };
  doc.addEventListener("click", onClick, true);
  const refresh = () => {
    doc.documentElement.dataset.webctiClickToAct = webhooks.length > 0 || receivers.some((r) => r.acceptsClickToAct) ? "on" : "off";
  };
  refresh();
  return { refresh, destroy: () => doc.removeEventListener("click", onClick, true) };
}

async function sendByWebhook({ api, defaultCountry, onEvent }: ClickRoutingOptions, provider: ClickToActWebhookView, target: ClickTarget) {
  const payload = await target.toPayload(defaultCountry);
  // The page's number as given (not as shown): the service normalizes it with the tenant's country.
  const record = payload.record;
  // The click-to-act webhook names directory records only; a CRM's own record type (lead, case…) stays out.
  const directoryRecord = record && isDirectoryType(record.type) ? { record: { type: record.type, id: record.id } } : {};
  const request = { providerId: provider.providerId, kind: target.kind, value: target.value, ...directoryRecord };
  let outcome: ClickToActOutcome;
  try {
    const delivery = await api.clickToAct(request);
    outcome = { ok: true, deliveryId: delivery.deliveryId, deliveryStatus: delivery.status };
  } catch (error) {
    const failure = error instanceof AgentApiError ? error : new AgentApiError("network", String((error as Error)?.message ?? error), 0);
    outcome = { ok: false, code: failure.code, message: failure.message, status: failure.status };
  }
  onEvent?.({ type: "clickToActWebhook", providerId: provider.providerId, payload, outcome });
}

function isDirectoryType(type: string): type is "contact" | "account" {
  return type === "contact" || type === "account";
}
