/**
 * Outgoing data messages, encoded once per send and shared by every recipient.
 *
 * A reliable connection needs its own `sequenceId` in each frame, so the frame
 * is kept as a JSON object *without* its opening brace; each recipient prepends
 * either `{` or `{"sequenceId":N,`. That keeps fan-out to plain string
 * concatenation instead of a JSON.stringify per recipient.
 */
export type DataType = "json" | "text" | "binary";

export class OutgoingMessage {
  private rawCache: string | Buffer | undefined;

  private constructor(
    readonly dataType: DataType,
    /** The frame's JSON text minus the leading `{`. */
    readonly body: string,
    /** The data field as JSON text (a JSON value, a quoted string, or quoted base64). */
    private readonly dataJson: string,
  ) {}

  static fromServer(dataType: DataType, dataJson: string): OutgoingMessage {
    return new OutgoingMessage(
      dataType,
      `"type":"message","from":"server","dataType":"${dataType}","data":${dataJson}}`,
      dataJson,
    );
  }

  static fromGroup(
    group: string,
    fromUserId: string | undefined,
    dataType: DataType,
    dataJson: string,
  ): OutgoingMessage {
    const from = fromUserId === undefined ? "" : `,"fromUserId":${JSON.stringify(fromUserId)}`;
    return new OutgoingMessage(
      dataType,
      `"type":"message","from":"group","group":${JSON.stringify(group)}${from},"dataType":"${dataType}","data":${dataJson}}`,
      dataJson,
    );
  }

  /** Frame for the plain (non-reliable) JSON subprotocol. */
  plainFrame(): string {
    return "{" + this.body;
  }

  /** Frame for the reliable JSON subprotocol. */
  sequencedFrame(sequenceId: number): string {
    return `{"sequenceId":${sequenceId},${this.body}`;
  }

  /**
   * Payload for a simple WebSocket client (no subprotocol), which gets the bare
   * data: JSON as text, text as text, binary as a binary frame. Computed lazily
   * because simple clients are rare.
   */
  raw(): string | Buffer {
    if (this.rawCache === undefined) {
      const value: unknown = JSON.parse(this.dataJson);
      this.rawCache =
        this.dataType === "json"
          ? this.dataJson
          : this.dataType === "text"
            ? String(value)
            : Buffer.from(String(value), "base64");
    }
    return this.rawCache;
  }
}

/**
 * Maps a REST request body to a message as the service does: the content type
 * decides the dataType. JSON bodies are validated once here (not per recipient)
 * because they are spliced verbatim into every frame.
 */
export function messageFromRestBody(
  contentType: string | undefined,
  body: Buffer,
): { dataType: DataType; dataJson: string } | { error: string } {
  const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType === "application/json" || mediaType.endsWith("+json")) {
    const text = body.toString("utf8");
    try {
      JSON.parse(text);
    } catch {
      return { error: "The request body is not valid JSON." };
    }
    return { dataType: "json", dataJson: text };
  }
  if (mediaType.startsWith("text/")) {
    return { dataType: "text", dataJson: JSON.stringify(body.toString("utf8")) };
  }
  // application/octet-stream, and anything unrecognised, travels as binary.
  return { dataType: "binary", dataJson: `"${body.toString("base64")}"` };
}

export function systemConnectedFrame(
  connectionId: string,
  userId: string | undefined,
  reconnectionToken: string | undefined,
): string {
  return JSON.stringify({
    type: "system",
    event: "connected",
    userId,
    connectionId,
    reconnectionToken,
  });
}

export function systemDisconnectedFrame(reason: string): string {
  return JSON.stringify({ type: "system", event: "disconnected", message: reason });
}

export function ackFrame(
  ackId: unknown,
  error?: { name: "Forbidden" | "Duplicate" | "BadRequest" | "InternalServerError"; message: string },
): string {
  return JSON.stringify(
    error === undefined
      ? { type: "ack", ackId, success: true }
      : { type: "ack", ackId, success: false, error },
  );
}

export const PONG_FRAME = '{"type":"pong"}';
