export interface ElsewhereNotice {
  readonly element: HTMLElement;
  show(): void;
  hide(): void;
}

/**
 * What a panel shows in the agent's other tabs while its widget runs in one: where it is, and a button
 * that moves it here. Styled inline, so it needs nothing from the panel's style sheet.
 */
export function createElsewhereNotice(doc: Document, label: string, onMoveHere: () => void): ElsewhereNotice {
  const element = doc.createElement("div");
  element.className = "webcti-panel-elsewhere";
  element.setAttribute("role", "status");
  element.style.cssText = "flex: 1; padding: 12px; flex-direction: column; gap: 8px; align-items: flex-start;";
  const text = doc.createElement("p");
  text.style.margin = "0";
  text.textContent = `${label} is open in another tab.`;
  const button = doc.createElement("button");
  button.type = "button";
  button.textContent = "Use it here";
  button.setAttribute("aria-label", `Use ${label} in this tab`);
  button.addEventListener("click", onMoveHere);
  element.append(text, button);
  // Inline display, not `hidden`: an inline display would win over the attribute.
  const display = (shown: boolean) => element.style.setProperty("display", shown ? "flex" : "none");
  display(false);
  return { element, show: () => display(true), hide: () => display(false) };
}
