/**
 * Frames sent on a reliable connection that the client has not yet
 * acknowledged with `sequenceAck`. They are replayed verbatim (same
 * sequenceId) when the client resumes the connection after a drop.
 *
 * Sequence ids are consecutive, so the buffer is a FIFO with a moving head:
 * acking is amortised O(1) per message instead of Array#shift's O(n).
 */
export class ReplayBuffer {
  private frames: string[] = [];
  private head = 0;
  /** Sequence id of frames[head]. */
  private firstSequenceId = 1;

  get size(): number {
    return this.frames.length - this.head;
  }

  /** `sequenceId` must be exactly one more than the previous push. */
  push(sequenceId: number, frame: string): void {
    if (this.size === 0) {
      this.firstSequenceId = sequenceId;
    }
    this.frames.push(frame);
  }

  /** Drops every frame with a sequence id <= `sequenceId` (acks are cumulative). */
  ackUpTo(sequenceId: number): void {
    const drop = Math.min(this.size, sequenceId - this.firstSequenceId + 1);
    if (drop <= 0) {
      return;
    }
    this.head += drop;
    this.firstSequenceId += drop;
    if (this.head === this.frames.length) {
      this.frames = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.frames.length) {
      // Compact occasionally so acknowledged frames can be garbage-collected.
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
  }

  /** Unacknowledged frames, oldest first. */
  *pending(): IterableIterator<string> {
    for (let i = this.head; i < this.frames.length; i++) {
      yield this.frames[i]!;
    }
  }

  clear(): void {
    this.frames = [];
    this.head = 0;
  }
}
