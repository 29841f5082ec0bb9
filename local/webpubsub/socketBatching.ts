import type { Duplex } from "node:stream";

/**
 * Every message is its own WebSocket frame, and writing each one straight to
 * the kernel costs a syscall per frame per recipient, which dominates fan-out.
 * Corking a socket until the event loop's I/O phase ends lets all frames
 * queued for it in that iteration (from several concurrent sends) go out in
 * one write, at the price of sub-millisecond latency.
 */
const corked = new Set<Duplex>();
let flushScheduled = false;

export function corkUntilIdle(transport: Duplex | undefined): void {
  if (transport === undefined || corked.has(transport)) {
    return;
  }
  transport.cork();
  corked.add(transport);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushCorked);
  }
}

function flushCorked(): void {
  flushScheduled = false;
  for (const transport of corked) {
    transport.uncork();
  }
  corked.clear();
}
