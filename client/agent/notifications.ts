import type { NotificationOutcome } from "../protocol.js";
import { createShadowHost, notificationCss } from "./panelStyles.js";

const stacks = new WeakMap<Document, HTMLElement>();

/** Where notifications go: one stack per page, in a shadow root of its own at the end of the body. */
function notificationStack(doc: Document): HTMLElement {
  const existing = stacks.get(doc);
  if (existing?.isConnected) return existing;
  const { root } = createShadowHost(doc.body, "notifications", notificationCss);
  const stack = doc.createElement("div");
  stack.className = "webcti-notifications";
  root.append(stack);
  stacks.set(doc, stack);
  return stack;
}

/**
 * Notifications a widget shows the agent (an incoming chat, a callback request): a small alert dialog
 * at the bottom right with accept / decline, answered by the agent or timed out. Keyboard: the accept
 * button takes focus, Escape declines.
 */
export function showNotification(
  doc: Document,
  notification: { providerId: string; label: string; title: string; body?: string; acceptLabel: string; declineLabel: string; timeoutMs: number },
): Promise<NotificationOutcome> {
  const stack = notificationStack(doc);
  const id = `webcti-n-${Math.random().toString(36).slice(2, 10)}`;
  const box = doc.createElement("div");
  box.className = "webcti-notification";
  box.setAttribute("role", "alertdialog");
  box.setAttribute("aria-labelledby", `${id}-title`);
  box.dataset.providerId = notification.providerId;
  const source = doc.createElement("div");
  source.className = "webcti-notification-source";
  source.textContent = notification.label;
  const title = doc.createElement("strong");
  title.id = `${id}-title`;
  title.textContent = notification.title;
  box.append(source, title);
  if (notification.body) {
    const body = doc.createElement("p");
    body.textContent = notification.body;
    box.append(body);
  }
  const accept = doc.createElement("button");
  accept.type = "button";
  accept.dataset.outcome = "accepted";
  accept.textContent = notification.acceptLabel;
  const decline = doc.createElement("button");
  decline.type = "button";
  decline.dataset.outcome = "declined";
  decline.textContent = notification.declineLabel;
  const actions = doc.createElement("div");
  actions.className = "webcti-notification-actions";
  actions.append(accept, decline);
  box.append(actions);
  stack.append(box);
  const previousFocus = doc.activeElement as HTMLElement | null;
  accept.focus();

  return new Promise((resolve) => {
    const finish = (outcome: NotificationOutcome) => {
      clearTimeout(timer);
      box.remove();
      if (doc.activeElement === doc.body || !doc.activeElement) previousFocus?.focus?.();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish("timedOut"), notification.timeoutMs);
    accept.addEventListener("click", () => finish("accepted"));
    decline.addEventListener("click", () => finish("declined"));
    box.addEventListener("keydown", (event) => {
      if (event.key === "Escape") finish("declined");
    });
  });
}

/**
 * A notice a widget shows the agent (a call was transferred, a recording failed): at the bottom right
 * with the notifications, it takes no focus and needs no answer, and goes after `timeoutMs` or when the
 * agent closes it. Screen readers hear an info notice politely (`status`), a warning or error at once (`alert`).
 */
export function showNotice(
  doc: Document,
  notice: { providerId: string; label: string; title: string; body?: string; level: "info" | "warning" | "error"; timeoutMs: number },
): void {
  const stack = notificationStack(doc);
  const box = doc.createElement("div");
  box.className = "webcti-notice";
  box.setAttribute("role", notice.level === "info" ? "status" : "alert");
  box.dataset.providerId = notice.providerId;
  box.dataset.level = notice.level;
  const source = doc.createElement("div");
  source.className = "webcti-notification-source";
  source.textContent = notice.label;
  const title = doc.createElement("strong");
  title.textContent = notice.title;
  const close = doc.createElement("button");
  close.type = "button";
  close.className = "webcti-notice-close";
  close.setAttribute("aria-label", "Close");
  close.textContent = "×";
  box.append(close, source, title);
  if (notice.body) {
    const body = doc.createElement("p");
    body.textContent = notice.body;
    box.append(body);
  }
  stack.append(box);
  const timer = setTimeout(() => box.remove(), notice.timeoutMs);
  close.addEventListener("click", () => {
    clearTimeout(timer);
    box.remove();
  });
}
