/** The part of the Web Locks API (navigator.locks) widget ownership uses. */
export interface OwnershipLocks {
  request(
    name: string,
    options: { ifAvailable?: boolean; steal?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<void> | void,
  ): Promise<unknown>;
}

export interface WidgetOwnershipOptions {
  /** Undefined (no Web Locks: an insecure origin, an old browser): every tab runs its own widget, as before. */
  locks: OwnershipLocks | undefined;
  /** One lock per agent and provider, on the page's origin. */
  name: string;
  /** This tab holds the widget now: load it. */
  onOwned(): void;
  /** Another tab holds it (at start, or it moved there): unload it and say where it is. */
  onElsewhere(): void;
}

export interface WidgetOwnership {
  /** Takes the widget from the tab that holds it (the agent pressed "Use it here"). */
  moveHere(): void;
  /** Lets go (the panel is removed): the next waiting tab gets the widget. */
  release(): void;
}

/**
 * One instance of a partner's widget (the media owner: a softphone holding the call) among the agent's
 * tabs on one origin, by a Web Lock the owning tab holds. The browser releases it when that tab closes or
 * crashes, and hands it to the tab that has waited longest; "move here" steals it, and the tab it is
 * taken from is told by its lock request failing.
 */
export function claimWidget({ locks, name, onOwned, onElsewhere }: WidgetOwnershipOptions): WidgetOwnership {
  if (!locks) {
    onOwned();
    return { moveHere: () => undefined, release: () => undefined };
  }
  const lockManager = locks;
  let attempt = 0;
  let owned = false;
  let released = false;
  let letGo: (() => void) | undefined;
  let waiting: AbortController | undefined;

  function request(mode: "ifAvailable" | "wait" | "steal") {
    const mine = ++attempt;
    waiting?.abort();
    waiting = mode === "wait" ? new AbortController() : undefined;
    const options = mode === "wait" ? { signal: waiting!.signal } : { [mode]: true };
    const hold = (lock: unknown) => {
      if (released || mine !== attempt) return;
      if (!lock) {
        onElsewhere();
        queueMicrotask(() => request("wait"));
        return;
      }
      owned = true;
      onOwned();
      return new Promise<void>((resolve) => (letGo = resolve));
    };
    lockManager.request(name, options, hold).catch(() => {
      // Aborted by this tab (a newer request), or stolen by another tab's "move here".
      if (released || mine !== attempt) return;
      owned = false;
      letGo?.();
      onElsewhere();
      request("wait");
    });
  }

  request("ifAvailable");
  return {
    moveHere() {
      if (!owned && !released) request("steal");
    },
    release() {
      released = true;
      waiting?.abort();
      letGo?.();
    },
  };
}
