/** The panels' own layout, so a CRM page only has to give them a container. Overridable by the page. */
const css = `
.webcti-panel { display: flex; flex-direction: column; width: var(--webcti-panel-width, 360px); max-width: 100vw;
  background: #fff; border-left: 1px solid #d0d5dd; font: 13px system-ui, sans-serif; box-sizing: border-box; }
.webcti-panel[hidden] { display: none; }
.webcti-panel-bar { display: flex; align-items: center; gap: 2px; padding: 4px 6px; background: #eef1f5; border-bottom: 1px solid #d0d5dd; }
.webcti-panel-title { flex: 1; font-weight: 600; }
.webcti-panel-bar button { border: 0; background: none; width: 26px; height: 24px; cursor: pointer; border-radius: 4px; }
.webcti-panel-bar button[aria-pressed="true"] { background: #d6dde8; }
.webcti-panel-bar button:focus-visible, .webcti-panel-resize:focus-visible, .webcti-panel-launcher:focus-visible { outline: 2px solid #1f6feb; }
.webcti-panel-body { position: relative; flex: 1; min-height: 420px; display: flex; }
.webcti-panel-resize { position: absolute; left: -4px; top: 0; bottom: 0; width: 8px; cursor: ew-resize; z-index: 1; }
.webcti-panel iframe { flex: 1; border: 0; width: 100%; min-height: 420px; }
.webcti-panel-status { position: absolute; inset: auto 8px 8px 8px; margin: 0; color: #8a1c1c; }
.webcti-panel-status:empty { display: none; }
.webcti-panel[data-mode="minimized"] .webcti-panel-body { flex: 0; min-height: 0; height: 0; overflow: hidden; }
.webcti-panel[data-mode="minimized"] iframe { min-height: 0; }
.webcti-panel[data-mode="poppedOut"] .webcti-panel-body { flex: 0; min-height: 3em; }
.webcti-panel[data-mode="poppedOut"] iframe { display: none; }
.webcti-panel[data-mode="poppedOut"] .webcti-panel-status { position: static; color: inherit; margin: 8px; }
.webcti-panel[data-mode="expanded"] { position: fixed; top: 0; right: 0; bottom: 0; z-index: 1000; box-shadow: -4px 0 16px rgb(0 0 0 / 0.15); }
.webcti-panel[data-mode="expanded"] .webcti-panel-resize { display: none; }
.webcti-panel-launcher { writing-mode: vertical-rl; border: 1px solid #d0d5dd; background: #eef1f5; padding: 8px 2px; cursor: pointer; }
.webcti-panel-launcher[hidden] { display: none; }
.webcti-notifications { position: fixed; right: 16px; bottom: 16px; display: flex; flex-direction: column; gap: 8px; z-index: 2000; }
.webcti-notification { background: #fff; border: 1px solid #d0d5dd; border-radius: 6px; padding: 10px 12px; width: 280px;
  box-shadow: 0 4px 16px rgb(0 0 0 / 0.15); font: 13px system-ui, sans-serif; }
.webcti-notification-source { color: #667; font-size: 11px; }
.webcti-notification p { margin: 4px 0; }
.webcti-notification-actions { display: flex; gap: 6px; margin-top: 8px; }
html[data-webcti-click-to-act="off"] a[href^="tel:"] { color: inherit; text-decoration: none; cursor: text; }
`;

export function injectPanelStyles(doc: Document): void {
  if (doc.getElementById("webcti-panel-styles")) return;
  const style = doc.createElement("style");
  style.id = "webcti-panel-styles";
  style.textContent = css;
  doc.head.prepend(style); // first, so the page's own rules win
}
