import { randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import type { Hub } from "./hubState.js";
import type { OutgoingMessage } from "./messages.js";
import { systemConnectedFrame, systemDisconnectedFrame } from "./messages.js";
import { ReplayBuffer } from "./replayBuffer.js";
import { corkUntilIdle } from "./socketBatching.js";
import { handleClientFrame } from "./clientProtocol.js";

/** "simple" is a WebSocket without subprotocol: it gets bare data and cannot publish. */
export type ProtocolKind = "json" | "reliable" | "simple";

export const SUBPROTOCOLS: Readonly<Record<string, ProtocolKind>> = {
  "json.webpubsub.azure.v1": "json",
  "json.reliable.webpubsub.azure.v1": "reliable",
};

/**
 * The service bounds unacknowledged messages per reliable connection and drops
 * the session past the bound (howto-develop-reliable-clients); the SDK acks at
 * least once a second, so only a stalled or long-dropped client gets here.
 */
const MAX_UNACKED = 100_000;
/** ackIds remembered for `Duplicate` detection; old ones age out. */
const MAX_REMEMBERED_ACK_IDS = 10_000;
/** WebSocket close code meaning "this connection id is gone, do not recover". */
export const CLOSE_SESSION_REMOVED = 1008;
const CLOSE_ABNORMAL = 1006;

export interface ConnectionInit {
  hub: Hub;
  protocol: ProtocolKind;
  userId: string | undefined;
  roles: Set<string>;
  reconnectWindowMs: number;
  /** The id, when it was chosen before the connection (the `connect` event carries it); default random. */
  id?: string;
  /** Called once when the connection ends for good, with the reason the service gave, if any. */
  onFinished?: (conn: ClientConnection, reason: string | undefined) => void;
}

/**
 * One logical client connection. For the reliable subprotocol it outlives its
 * WebSocket: an abnormal close (no close frame) leaves it "dropped" for
 * `reconnectWindowMs`, buffering messages, until the client resumes it with a
 * new socket or the window passes.
 */
export class ClientConnection {
  readonly id: string;
  readonly reconnectionToken: string | undefined;
  readonly hub: Hub;
  readonly protocol: ProtocolKind;
  readonly userId: string | undefined;
  readonly roles: Set<string>;
  readonly groups = new Set<string>();
  private socket: WebSocket | undefined;
  /** The TCP socket under `socket`, corked while a burst of frames is written. */
  private transport: Duplex | undefined;
  private closed = false;
  private nextSequenceId = 1;
  private readonly unacked = new ReplayBuffer();
  private readonly handledAckIds = new Set<unknown>();
  private dropTimer: NodeJS.Timeout | undefined;
  private readonly reconnectWindowMs: number;
  private readonly onFinished: ConnectionInit["onFinished"];

  constructor(init: ConnectionInit) {
    this.id = init.id ?? newConnectionId();
    this.onFinished = init.onFinished;
    this.hub = init.hub;
    this.protocol = init.protocol;
    this.userId = init.userId;
    this.roles = init.roles;
    this.reconnectWindowMs = init.reconnectWindowMs;
    this.reconnectionToken =
      init.protocol === "reliable" ? randomBytes(24).toString("base64url") : undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Binds a (new or resuming) socket. On resume every unacknowledged frame is
   * replayed, in order and with its original sequenceId, right after the
   * `connected` frame and before any new message (all synchronous, so nothing
   * can interleave).
   */
  attach(socket: WebSocket, transport: Duplex): void {
    const previous = this.socket;
    this.socket = socket;
    this.transport = transport;
    if (previous !== undefined) {
      previous.terminate();
    }
    clearTimeout(this.dropTimer);
    this.dropTimer = undefined;
    socket.on("message", (data, isBinary) => {
      if (this.socket === socket) {
        handleClientFrame(this, data, isBinary);
      }
    });
    socket.on("close", (code) => this.onSocketClosed(socket, code));
    socket.on("error", () => {
      // A 'close' always follows; nothing else to do.
    });
    corkUntilIdle(transport);
    if (this.protocol !== "simple") {
      socket.send(systemConnectedFrame(this.id, this.userId, this.reconnectionToken));
    }
    for (const frame of this.unacked.pending()) {
      socket.send(frame);
    }
  }

  deliver(message: OutgoingMessage): void {
    if (this.closed) {
      return;
    }
    if (this.protocol === "reliable") {
      // Buffered even while connected: it stays until the client acks it.
      const sequenceId = this.nextSequenceId++;
      const frame = message.sequencedFrame(sequenceId);
      this.unacked.push(sequenceId, frame);
      if (this.unacked.size > MAX_UNACKED) {
        this.close("Too many unacknowledged messages.");
        return;
      }
      this.write(frame, false);
    } else if (this.protocol === "json") {
      this.write(message.plainFrame(), false);
    } else {
      this.write(message.raw(), message.dataType === "binary");
    }
  }

  private write(payload: string | Buffer, binary: boolean): void {
    const socket = this.socket;
    if (socket !== undefined) {
      corkUntilIdle(this.transport);
      socket.send(payload, { binary });
    }
  }

  /** Sends a control frame (ack, pong); these carry no sequenceId and are never replayed. */
  sendControl(frame: string): void {
    this.socket?.send(frame);
  }

  acknowledge(sequenceId: number): void {
    this.unacked.ackUpTo(Math.min(sequenceId, this.nextSequenceId - 1));
  }

  hasHandledAckId(ackId: unknown): boolean {
    return this.handledAckIds.has(ackId);
  }

  /** Remembers a successfully handled ackId so a resend is answered `Duplicate`. */
  markAckIdHandled(ackId: unknown): void {
    this.handledAckIds.add(ackId);
    if (this.handledAckIds.size > MAX_REMEMBERED_ACK_IDS) {
      const oldest = this.handledAckIds.values().next().value;
      this.handledAckIds.delete(oldest);
    }
  }

  /** Kills the socket with no close frame, as a network failure would. */
  drop(): boolean {
    const socket = this.socket;
    if (socket === undefined || this.closed) {
      return false;
    }
    socket.terminate();
    // Don't wait for the async 'close' event: messages sent from now on must be buffered.
    this.onSocketClosed(socket, CLOSE_ABNORMAL);
    return true;
  }

  /** Server-side close: tell the client why, then close with 1008 so the SDK doesn't try to recover. */
  close(reason: string): void {
    if (this.closed) {
      return;
    }
    const socket = this.socket;
    this.finish(reason);
    if (socket !== undefined) {
      if (this.protocol !== "simple") {
        socket.send(systemDisconnectedFrame(reason));
      }
      socket.close(CLOSE_SESSION_REMOVED, closeReason(reason));
    }
  }

  private onSocketClosed(socket: WebSocket, code: number): void {
    if (socket !== this.socket || this.closed) {
      return;
    }
    this.socket = undefined;
    if (this.protocol === "reliable" && code === CLOSE_ABNORMAL) {
      this.dropTimer = setTimeout(() => this.finish(), this.reconnectWindowMs);
      this.dropTimer.unref();
      return;
    }
    this.finish();
  }

  private finish(reason?: string): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.socket = undefined;
    clearTimeout(this.dropTimer);
    this.dropTimer = undefined;
    this.unacked.clear();
    this.hub.remove(this);
    this.onFinished?.(this, reason);
  }
}

export function newConnectionId(): string {
  return randomBytes(16).toString("base64url");
}

/** A close frame's reason is limited to 123 bytes of UTF-8. */
function closeReason(reason: string): string {
  let out = reason;
  while (Buffer.byteLength(out) > 123) {
    out = out.slice(0, -1);
  }
  return out;
}
