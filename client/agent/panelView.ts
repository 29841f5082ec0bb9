import type { PanelBadge, PanelMode } from "../protocol.js";
import type { PanelConfigView } from "./agentApi.js";

export interface PanelViewOptions {
  /** The agent pressed a mode button or the launcher. */
  onModeButton(mode: PanelMode): void;
  /** The agent dragged the edge or used its keys: the width asked for (the panel clamps it). */
  onResize(width: number): void;
  /** The panel's mode and width now, read at the start of a drag or key press. */
  current(): { mode: PanelMode; width: number };
}

export type PanelConnection = "connecting" | "ready" | "failed";

const modeButtons: Array<[PanelMode, string, string]> = [
  ["minimized", "Minimize", "–"],
  ["docked", "Dock", "▭"],
  ["expanded", "Expand", "⤢"],
  ["poppedOut", "Pop out", "⧉"],
  ["hidden", "Hide", "×"],
];

const views = new WeakMap<HTMLElement, PanelView>();

/** The view that built a panel's element (the widget's label and badge calls reach it through its panel). */
export function panelViewOf(element: HTMLElement | undefined): PanelView | undefined {
  return element ? views.get(element) : undefined;
}

/**
 * A panel's DOM: the title bar with its mode buttons, the resize edge, the widget's frame, the status
 * line and, for a hidden panel, the launcher. It knows no widget protocol: it shows a mode and width
 * it is given and reports what the agent did.
 */
export class PanelView {
  readonly element: HTMLElement;
  readonly iframe: HTMLIFrameElement;
  readonly launcher: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly separator: HTMLElement;
  private readonly title: HTMLElement;
  private readonly launcherLabel: HTMLElement;
  private readonly badges: HTMLElement[];
  private shownLabel: string;

  constructor(
    doc: Document,
    private readonly config: PanelConfigView,
    private readonly options: PanelViewOptions,
  ) {
    this.element = doc.createElement("section");
    this.element.className = "webcti-panel";
    this.element.dataset.providerId = config.providerId;
    this.element.setAttribute("aria-label", config.label);
    this.shownLabel = config.label;
    views.set(this.element, this);
    this.title = doc.createElement("span");
    this.launcherLabel = doc.createElement("span");
    this.badges = [badgeElement(doc), badgeElement(doc)];

    const body = doc.createElement("div");
    body.className = "webcti-panel-body";
    this.separator = doc.createElement("div");
    this.separator.className = "webcti-panel-resize";
    this.separator.setAttribute("role", "separator");
    this.separator.setAttribute("aria-orientation", "vertical");
    this.separator.setAttribute("aria-label", `Resize ${config.label}`);
    this.separator.tabIndex = 0;
    this.wireResizing();

    this.iframe = doc.createElement("iframe");
    this.iframe.title = config.label;
    this.iframe.src = config.widgetUrl;
    // What a softphone needs, and no more: no top navigation, no same-origin access to the CRM.
    this.iframe.allow = "microphone; camera; autoplay; clipboard-read; clipboard-write";
    this.iframe.setAttribute(
      "sandbox",
      "allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox allow-modals allow-downloads",
    );
    this.status = doc.createElement("p");
    this.status.className = "webcti-panel-status";
    this.status.setAttribute("role", "status");
    body.append(this.separator, this.iframe, this.status);
    this.element.append(this.titleBar(doc), body);
    this.setConnection("connecting", "Connecting…");

    this.launcher = doc.createElement("button");
    this.launcher.type = "button";
    this.launcher.className = "webcti-panel-launcher";
    this.launcher.dataset.providerId = config.providerId;
    this.launcherLabel.textContent = config.label;
    this.launcher.append(this.launcherLabel, this.badges[1]!);
    this.launcher.setAttribute("aria-label", `Show ${config.label}`);
    this.launcher.addEventListener("click", () => this.pressMode("docked"));
  }

  /** The label shown on the bar and launcher: the provider's, or the one its widget set for this session. */
  get label(): string {
    return this.shownLabel;
  }

  /** Shows `label` (null: the provider's own again) on the bar, the launcher and in their accessible names. */
  setLabel(label: string | null): string {
    this.shownLabel = label ?? this.config.label;
    this.title.textContent = this.shownLabel;
    this.launcherLabel.textContent = this.shownLabel;
    this.iframe.title = this.shownLabel;
    this.nameParts();
    return this.shownLabel;
  }

  /** A count (0: none; above 99: "99+") or a short text on the bar and launcher; null removes it. */
  setBadge(badge: PanelBadge | null) {
    const text = !badge ? "" : "count" in badge ? (badge.count > 99 ? "99+" : badge.count > 0 ? String(badge.count) : "") : badge.text;
    for (const element of this.badges) {
      element.textContent = text;
      element.hidden = text === "";
    }
    this.nameParts();
  }

  /** The panel's and launcher's accessible names: the label, and the badge when there is one. */
  private nameParts() {
    const badge = this.badges[0]!.textContent ? ` (${this.badges[0]!.textContent})` : "";
    this.element.setAttribute("aria-label", `${this.shownLabel}${badge}`);
    this.launcher.setAttribute("aria-label", `Show ${this.shownLabel}${badge}`);
  }

  /** `data-state` on the panel, and the line that says why it is empty (or nothing). */
  setConnection(state: PanelConnection, message: string) {
    this.element.dataset.state = state;
    this.setStatus(message);
  }

  setStatus(message: string) {
    this.status.textContent = message;
  }

  render(mode: PanelMode, width: number) {
    this.element.dataset.mode = mode;
    this.element.style.setProperty("--webcti-panel-width", `${mode === "expanded" ? this.config.width.max : width}px`);
    this.element.hidden = mode === "hidden";
    this.launcher.hidden = mode !== "hidden";
    this.separator.setAttribute("aria-valuenow", String(width));
    this.separator.setAttribute("aria-valuemin", String(this.config.width.min));
    this.separator.setAttribute("aria-valuemax", String(this.config.width.max));
    for (const button of this.element.querySelectorAll<HTMLButtonElement>("button[data-mode]")) {
      button.setAttribute("aria-pressed", String(button.dataset.mode === mode));
    }
  }

  focusModeButton(mode: PanelMode) {
    this.element.querySelector<HTMLElement>(`button[data-mode="${mode}"]`)?.focus();
  }

  remove() {
    this.element.remove();
    this.launcher.remove();
  }

  private titleBar(doc: Document): HTMLElement {
    const bar = doc.createElement("header");
    bar.className = "webcti-panel-bar";
    this.title.className = "webcti-panel-title";
    this.title.textContent = this.config.label;
    bar.append(this.title, this.badges[0]!);
    for (const [mode, label, glyph] of modeButtons) {
      const button = doc.createElement("button");
      button.type = "button";
      button.dataset.mode = mode;
      button.setAttribute("aria-label", `${label} ${this.config.label}`);
      button.title = label;
      button.textContent = glyph;
      button.addEventListener("click", () => this.pressMode(mode));
      bar.append(button);
    }
    return bar;
  }

  private pressMode(mode: PanelMode) {
    try {
      this.options.onModeButton(mode);
    } catch (error) {
      // The browser blocked the pop-up, for one: the panel says so.
      this.setStatus((error as Error)?.message ?? String(error));
    }
  }

  private wireResizing() {
    // The panel sits at the right: dragging the left edge leftwards widens it.
    this.separator.addEventListener("pointerdown", (down: PointerEvent) => {
      const { mode, width: startWidth } = this.options.current();
      if (mode !== "docked") return;
      down.preventDefault();
      const startX = down.clientX;
      this.separator.setPointerCapture(down.pointerId);
      this.iframe.style.pointerEvents = "none"; // the iframe would swallow the move events
      const move = (event: PointerEvent) => this.options.onResize(startWidth + (startX - event.clientX));
      const up = () => {
        this.iframe.style.pointerEvents = "";
        this.separator.removeEventListener("pointermove", move);
        this.separator.removeEventListener("pointerup", up);
      };
      this.separator.addEventListener("pointermove", move);
      this.separator.addEventListener("pointerup", up);
    });
    this.separator.addEventListener("keydown", (event: KeyboardEvent) => {
      const step = event.shiftKey ? 64 : 16;
      const { width } = this.options.current();
      if (event.key === "ArrowLeft") this.options.onResize(width + step);
      else if (event.key === "ArrowRight") this.options.onResize(width - step);
      else if (event.key === "Home") this.options.onResize(this.config.width.min);
      else if (event.key === "End") this.options.onResize(this.config.width.max);
      else return;
      event.preventDefault();
    });
  }
}

function badgeElement(doc: Document): HTMLElement {
  const badge = doc.createElement("span");
  badge.className = "webcti-panel-badge";
  badge.hidden = true;
  return badge;
}
