import type { ClickToActPayload, RecordRef } from "../protocol.js";
import type { ClickToActRequest } from "./agentApi.js";

/**
 * Click-to-act capture. The CRM marks what is actionable the usual way — `tel:` and `mailto:` links — or
 * with `data-webcti-phone` / `data-webcti-email` on any element (the attribute's value, or the element's
 * text). The record a value belongs to is read from the nearest `[data-record-type][data-record-id]`.
 * One document-level listener covers content the page adds later.
 */
export interface ClickTarget {
  kind: ClickToActRequest["kind"];
  /** The number or address as the page gives it (a tel: link's number, not its text): what a webhook request sends. */
  value: string;
  toPayload(defaultCountry: string): Promise<ClickToActPayload>;
}

const selector = 'a[href^="tel:" i], a[href^="mailto:" i], [data-webcti-phone], [data-webcti-email]';

export function readClickTarget(target: EventTarget | null): ClickTarget | undefined {
  const element = (target as Element | null)?.closest?.(selector);
  if (!element) return undefined;
  const raw = (element.textContent ?? "").trim();
  const record = recordOf(element);
  const href = element.getAttribute("href") ?? "";
  const phoneAttr = element.getAttribute("data-webcti-phone");
  const emailAttr = element.getAttribute("data-webcti-email");

  if (/^mailto:/i.test(href) || emailAttr !== null) {
    const email = (emailAttr || decodeURIComponent(href.replace(/^mailto:/i, "").split("?")[0] ?? "") || raw).trim();
    return { kind: "email", value: email, toPayload: async () => ({ raw: raw || email, format: "email", email, ...(record ? { record } : {}) }) };
  }
  const text = phoneAttr || (href ? decodeURIComponent(href) : "") || raw;
  return {
    kind: "phone",
    value: text.replace(/^tel:/i, "").trim(),
    async toPayload(defaultCountry) {
      const normalized = await normalize(text, defaultCountry);
      return { raw: raw || text, format: "phone", ...normalized, ...(record ? { record } : {}) };
    },
  };
}

function recordOf(element: Element): RecordRef | undefined {
  const holder = element.closest("[data-record-type][data-record-id]");
  if (!holder) return undefined;
  const type = holder.getAttribute("data-record-type");
  if (type !== "contact" && type !== "account") return undefined;
  const name = holder.getAttribute("data-record-name");
  return { type, id: holder.getAttribute("data-record-id")!, ...(name ? { name } : {}) };
}

/**
 * The same normalization the server applies (shared/directory/normalizePhone). libphonenumber's metadata
 * is large, so it is loaded on the first click, not with the client.
 */
async function normalize(text: string, defaultCountry: string): Promise<{ e164?: string; extension?: string }> {
  const { normalizePhone } = await import("../../shared/directory/normalizePhone.js");
  const normalized = normalizePhone(text, defaultCountry);
  return normalized ? { e164: normalized.e164, ...(normalized.extension ? { extension: normalized.extension } : {}) } : {};
}
