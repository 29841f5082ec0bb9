import { fail } from "./widgetCallError.js";

export interface PopOutWindow {
  readonly window: Window;
  /** Stops watching and closes the window if it is still open. */
  close(): void;
}

export interface PopOutOptions {
  url: string;
  /** The window's name: one window per provider, reused by the browser. */
  name: string;
  width: number;
  /** The agent (or the widget's page) closed the window. */
  onClosed(): void;
}

/**
 * Opens a widget's page in its own window and watches for it to close (browsers send no event for
 * that to the opener). Which protocol the page speaks is its caller's business.
 */
export function openPopOutWindow({ url, name, width, onClosed }: PopOutOptions): PopOutWindow {
  const opened = window.open(url, name, `popup,width=${width},height=640`);
  if (!opened) fail("host_error", "The browser blocked the pop-up window.");
  let watching = true;
  const watch = setInterval(() => {
    if (watching && opened.closed) onClosed();
  }, 300);
  return {
    window: opened,
    close() {
      watching = false;
      clearInterval(watch);
      if (!opened.closed) opened.close();
    },
  };
}
