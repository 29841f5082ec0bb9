import type { RawData } from "ws";
import type { ClientConnection } from "./clientConnection.js";
import { ackFrame, OutgoingMessage, PONG_FRAME, type DataType } from "./messages.js";
import { isAllowed } from "./permissions.js";

/**
 * Requests a client sends in the json(.reliable).webpubsub.azure.v1
 * subprotocols (reference-json-webpubsub-subprotocol): joinGroup, leaveGroup,
 * sendToGroup, event, sequenceAck, ping, plus the SDK's invoke family.
 *
 * - Unparseable frames violate the protocol; the service declines such a
 *   client, so the connection is closed.
 * - Unknown request types are ignored, so newer clients keep working.
 * - Malformed known requests are answered with a `BadRequest` ack when they
 *   carry an ackId (the documented error names don't cover this case).
 */
type Frame = Record<string, unknown>;

export function handleClientFrame(conn: ClientConnection, data: RawData, isBinary: boolean): void {
  if (conn.protocol === "simple") {
    // Simple clients' messages go to an upstream `message` handler; none exists here.
    return;
  }
  let frame: Frame;
  try {
    const parsed: unknown = JSON.parse(rawToString(data));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new Error("not an object");
    }
    frame = parsed as Frame;
  } catch {
    conn.close(`Invalid ${isBinary ? "binary" : "text"} frame: expected a JSON object.`);
    return;
  }
  switch (frame.type) {
    case "joinGroup":
    case "leaveGroup":
      return joinOrLeave(conn, frame, frame.type === "joinGroup");
    case "sendToGroup":
      return sendToGroup(conn, frame);
    case "event":
      // No upstream event handler is configured in this local service, so the
      // event has nowhere to go. The service's contract for an accepted event
      // is a success ack; the event is then discarded.
      return acked(conn, frame, () => undefined);
    case "invoke":
      if (typeof frame.invocationId === "string") {
        conn.sendControl(
          JSON.stringify({
            type: "invokeResponse",
            invocationId: frame.invocationId,
            success: false,
            error: { name: "NotSupported", message: "No event handler is configured in the local Web PubSub service." },
          }),
        );
      }
      return;
    case "sequenceAck":
      if (conn.protocol === "reliable" && typeof frame.sequenceId === "number") {
        conn.acknowledge(frame.sequenceId);
      }
      return;
    case "ping":
      conn.sendControl(PONG_FRAME);
      return;
    default:
      return;
  }
}

type Outcome = undefined | { name: "Forbidden" | "BadRequest"; message: string };

/**
 * Runs a request and answers its ack. A repeated ackId is not run again but
 * answered `Duplicate`, which is what makes the SDK's resends idempotent.
 */
function acked(conn: ClientConnection, frame: Frame, run: () => Outcome): void {
  const ackId = frame.ackId;
  if (ackId === undefined || ackId === null) {
    run();
    return;
  }
  if (conn.hasHandledAckId(ackId)) {
    conn.sendControl(ackFrame(ackId, { name: "Duplicate", message: `Message with ack-id: ${String(ackId)} has been processed.` }));
    return;
  }
  const error = run();
  if (error === undefined) {
    conn.markAckIdHandled(ackId);
  }
  conn.sendControl(ackFrame(ackId, error));
}

function validGroup(group: unknown): group is string {
  return typeof group === "string" && group.length > 0 && group.length <= 1024 && group.trim() !== "";
}

function joinOrLeave(conn: ClientConnection, frame: Frame, join: boolean): void {
  acked(conn, frame, () => {
    const group = frame.group;
    if (!validGroup(group)) {
      return { name: "BadRequest", message: "A valid 'group' is required." };
    }
    if (!isAllowed(conn.roles, "joinLeaveGroup", group)) {
      return { name: "Forbidden", message: `The connection has no permission to ${join ? "join" : "leave"} group '${group}'.` };
    }
    if (join) {
      conn.hub.addToGroup(conn, group);
    } else {
      conn.hub.removeFromGroup(conn, group);
    }
    return undefined;
  });
}

function sendToGroup(conn: ClientConnection, frame: Frame): void {
  acked(conn, frame, () => {
    const group = frame.group;
    if (!validGroup(group)) {
      return { name: "BadRequest", message: "A valid 'group' is required." };
    }
    if (!isAllowed(conn.roles, "sendToGroup", group)) {
      return { name: "Forbidden", message: `The connection has no permission to send to group '${group}'.` };
    }
    const encoded = encodeData(frame.dataType, frame.data);
    if (encoded === undefined) {
      return { name: "BadRequest", message: "'data' does not match 'dataType'." };
    }
    const message = OutgoingMessage.fromGroup(group, conn.userId, encoded.dataType, encoded.dataJson);
    conn.hub.deliverToGroup(group, message, frame.noEcho === true ? conn : undefined);
    return undefined;
  });
}

/** Serialises the data field once per publish; json is the documented default dataType. */
function encodeData(dataType: unknown, data: unknown): { dataType: DataType; dataJson: string } | undefined {
  switch (dataType ?? "json") {
    case "json":
      return { dataType: "json", dataJson: JSON.stringify(data) ?? "null" };
    case "text":
      return typeof data === "string" ? { dataType: "text", dataJson: JSON.stringify(data) } : undefined;
    case "binary":
      return typeof data === "string" && /^[A-Za-z0-9+/_-]*={0,2}$/.test(data)
        ? { dataType: "binary", dataJson: JSON.stringify(data) }
        : undefined;
    default:
      return undefined;
  }
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) {
    return data.toString("utf8");
  }
  return Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.from(data).toString("utf8");
}
