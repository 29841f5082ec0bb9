import type { IncomingMessage, ServerResponse } from "node:http";

/** The service caps a message at 1 MB; a little headroom covers JSON framing. */
export const MAX_BODY_BYTES = 1024 * 1024 + 16 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining an oversized body (rather than destroying the socket) so the 413 reaches the caller.
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
      }
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, "PayloadTooLarge", "The message exceeds 1 MB."));
      } else {
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      }
    });
    req.on("error", reject);
  });
}

export function sendStatus(res: ServerResponse, status: number): void {
  res.statusCode = status;
  res.end();
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** Errors look like the service's: an ErrorDetail body plus the x-ms-error-code header. */
export function sendError(res: ServerResponse, req: IncomingMessage, error: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.setHeader("x-ms-error-code", error.code);
  if (req.method === "HEAD") {
    sendStatus(res, error.status);
    return;
  }
  sendJson(res, error.status, { code: error.code, message: error.message });
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) {
    return undefined;
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
