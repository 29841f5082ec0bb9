import { panelModes, type PanelMode } from "../protocol.js";
import type { KeyValueStorage } from "./popLedger.js";

export interface PanelPreferences {
  load(): { mode?: PanelMode; width?: number };
  save(saved: { mode: PanelMode; width: number }): void;
}

/**
 * A panel's mode and width as the agent left them, per agent and provider. A popped-out panel comes back
 * docked: its window does not outlive the page.
 */
export function panelPreferences(storage: KeyValueStorage, key: string): PanelPreferences {
  return {
    load() {
      try {
        const saved = JSON.parse(storage.getItem(key) ?? "null") as { mode?: PanelMode; width?: number } | null;
        if (!saved) return {};
        return {
          ...(saved.mode && panelModes.includes(saved.mode) && saved.mode !== "poppedOut" ? { mode: saved.mode } : {}),
          ...(typeof saved.width === "number" ? { width: saved.width } : {}),
        };
      } catch {
        return {};
      }
    },
    save(saved) {
      try {
        storage.setItem(key, JSON.stringify(saved));
      } catch {
        /* storage denied: the state lasts for this page */
      }
    },
  };
}
