/**
 * The panels' own styles. The panels and notifications live in shadow roots (createShadowHost), so the
 * CRM's CSS does not reach them and these rules do not leak out; the page themes them only through the
 * `--webcti-…` custom properties below (docs/widget-sdk.md, "Theming the panels"), which inherit into a
 * shadow root. Each has its default at the point of use.
 */
const hostCss = `
:host { all: initial !important; display: contents !important; }
`;

export const panelCss = `${hostCss}
.webcti-panel { display: flex; flex-direction: column; width: var(--webcti-panel-width, 360px); max-width: 100vw;
  color: var(--webcti-color, #1f2328); background: var(--webcti-background, #fff);
  border-left: 1px solid var(--webcti-border-color, #d0d5dd); font: var(--webcti-font, 13px system-ui, sans-serif); box-sizing: border-box; }
.webcti-panel[hidden] { display: none; }
.webcti-panel-bar { display: flex; align-items: center; gap: 2px; padding: 4px 6px; background: var(--webcti-bar-background, #eef1f5);
  color: var(--webcti-bar-color, inherit); border-bottom: 1px solid var(--webcti-border-color, #d0d5dd); }
.webcti-panel-title { flex: 1; font-weight: 600; }
.webcti-panel-bar button { border: 0; background: none; color: inherit; font: inherit; width: 26px; height: 24px; padding: 0; cursor: pointer;
  border-radius: var(--webcti-radius, 4px); }
.webcti-panel-bar button[aria-pressed="true"] { background: var(--webcti-pressed-background, #d6dde8); }
.webcti-panel-bar button:focus-visible, .webcti-panel-resize:focus-visible, .webcti-panel-launcher:focus-visible { outline: 2px solid var(--webcti-focus-color, #1f6feb); }
.webcti-panel-body { position: relative; flex: 1; min-height: var(--webcti-panel-min-height, 420px); display: flex; }
.webcti-panel-resize { position: absolute; left: -4px; top: 0; bottom: 0; width: 8px; cursor: ew-resize; z-index: 1; }
.webcti-panel iframe { flex: 1; border: 0; width: 100%; min-height: var(--webcti-panel-min-height, 420px); display: block; }
.webcti-panel-status { position: absolute; inset: auto 8px 8px 8px; margin: 0; color: var(--webcti-status-color, #8a1c1c); }
.webcti-panel-status:empty { display: none; }
.webcti-panel[data-mode="minimized"] .webcti-panel-body { flex: 0; min-height: 0; height: 0; overflow: hidden; }
.webcti-panel[data-mode="minimized"] iframe { min-height: 0; }
.webcti-panel[data-mode="poppedOut"] .webcti-panel-body { flex: 0; min-height: 3em; }
.webcti-panel[data-mode="poppedOut"] iframe { display: none; }
.webcti-panel[data-mode="poppedOut"] .webcti-panel-status { position: static; color: inherit; margin: 8px; }
.webcti-panel[data-mode="expanded"] { position: fixed; top: 0; right: 0; bottom: 0; z-index: var(--webcti-z-index, 1000);
  box-shadow: var(--webcti-shadow, -4px 0 16px rgb(0 0 0 / 0.15)); }
.webcti-panel[data-mode="expanded"] .webcti-panel-resize { display: none; }
.webcti-panel-launcher { writing-mode: vertical-rl; border: 1px solid var(--webcti-border-color, #d0d5dd); background: var(--webcti-bar-background, #eef1f5);
  color: var(--webcti-bar-color, var(--webcti-color, #1f2328)); font: var(--webcti-font, 13px system-ui, sans-serif); padding: 8px 2px; cursor: pointer; }
.webcti-panel-launcher[hidden] { display: none; }
.webcti-panel-badge { display: inline-block; min-width: 1.4em; padding: 0 4px; margin: 0 4px; box-sizing: border-box; border-radius: 0.7em; text-align: center;
  font-size: 11px; line-height: 1.4em; font-weight: 600; background: var(--webcti-badge-background, #cf222e); color: var(--webcti-badge-color, #fff); }
.webcti-panel-launcher .webcti-panel-badge { margin: 4px 0 0; }
.webcti-panel-badge[hidden] { display: none; }
`;

export const notificationCss = `${hostCss}
.webcti-notifications { position: fixed; right: 16px; bottom: 16px; display: flex; flex-direction: column; gap: 8px;
  z-index: calc(var(--webcti-z-index, 1000) + 1000); }
.webcti-notification { color: var(--webcti-color, #1f2328); background: var(--webcti-background, #fff); border: 1px solid var(--webcti-border-color, #d0d5dd);
  border-radius: var(--webcti-radius, 6px); padding: 10px 12px; width: 280px; box-shadow: var(--webcti-shadow, 0 4px 16px rgb(0 0 0 / 0.15));
  font: var(--webcti-font, 13px system-ui, sans-serif); }
.webcti-notification-source { color: var(--webcti-muted-color, #667); font-size: 11px; }
.webcti-notification p { margin: 4px 0; }
.webcti-notification-actions { display: flex; gap: 6px; margin-top: 8px; }
.webcti-notification button { font: inherit; }
.webcti-notification button:focus-visible, .webcti-notice button:focus-visible { outline: 2px solid var(--webcti-focus-color, #1f6feb); }
.webcti-notice { position: relative; color: var(--webcti-color, #1f2328); background: var(--webcti-background, #fff); border: 1px solid var(--webcti-border-color, #d0d5dd);
  border-left: 4px solid var(--webcti-info-color, #1f6feb); border-radius: var(--webcti-radius, 6px); padding: 8px 28px 8px 12px; width: 280px;
  box-sizing: border-box; box-shadow: var(--webcti-shadow, 0 4px 16px rgb(0 0 0 / 0.15)); font: var(--webcti-font, 13px system-ui, sans-serif); }
.webcti-notice[data-level="warning"] { border-left-color: var(--webcti-warning-color, #9a6700); }
.webcti-notice[data-level="error"] { border-left-color: var(--webcti-error-color, #cf222e); }
.webcti-notice p { margin: 4px 0 0; }
.webcti-notice-close { position: absolute; top: 4px; right: 4px; border: 0; background: none; color: inherit; font: inherit; cursor: pointer; }
`;

/** The one rule that is about the page's own DOM: its phone links look like text while no one takes clicks. */
const pageCss = `html[data-webcti-click-to-act="off"] a[href^="tel:"] { color: inherit; text-decoration: none; cursor: text; }`;

export function injectPanelStyles(doc: Document): void {
  if (doc.getElementById("webcti-panel-styles")) return;
  const style = doc.createElement("style");
  style.id = "webcti-panel-styles";
  style.textContent = pageCss;
  doc.head.prepend(style); // first, so the page's own rules win
}

/**
 * An element of the page (in `parent`) whose open shadow root holds WebCTI's UI with its styles. The host
 * takes no box of its own (`display: contents`), so what it holds lays out as children of `parent`.
 */
export function createShadowHost(parent: HTMLElement, name: string, css: string): { host: HTMLElement; root: ShadowRoot } {
  // A custom element name: no page rule for div or section picks it, and attachShadow allows it undefined.
  const host = parent.ownerDocument.createElement(`webcti-${name}`);
  const root = host.attachShadow({ mode: "open" });
  const style = parent.ownerDocument.createElement("style");
  style.textContent = css;
  root.append(style);
  parent.append(host);
  return { host, root };
}
