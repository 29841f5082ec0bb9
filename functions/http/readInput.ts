import type { HttpRequest } from "@azure/functions";
import type { z } from "zod";
import { WebCtiError, errorItemsFromZod } from "../../shared/errors.js";
import type { AnyHttpDefinition } from "./defineHttp.js";

/** Every route's body limit unless its definition sets its own (docs/api-conventions.md lists them). */
export const defaultMaxBodyBytes = 64 * 1024;

export interface RequestInput {
  params: unknown;
  query: unknown;
  body: unknown;
  /** The raw body, when it was read: the idempotency fingerprint covers it. */
  bytes: Uint8Array | undefined;
}

/**
 * The request's path and query parameters and its JSON body, validated by the definition's schemas. This
 * is the only place whose zod failures become `invalid_request`: a failure to parse anything else (a
 * stored row, a message) is the service's fault, not the caller's.
 */
export async function readInput(definition: AnyHttpDefinition, request: HttpRequest, keepBytes: boolean): Promise<RequestInput> {
  const params = parseParameters(definition.params, request.params);
  const query = parseParameters(definition.query, Object.fromEntries(request.query.entries()));
  const bytes = definition.body
    ? await readBodyBytes(request, definition.maxBodyBytes)
    : keepBytes
      ? await readAnyBytes(request, definition.maxBodyBytes)
      : undefined;
  const body = definition.body ? parseJsonBody(bytes!, definition.body) : undefined;
  return { params, query, body, bytes };
}

function parseParameters<T>(schema: z.ZodType<T> | undefined, values: Record<string, string>): T {
  if (!schema) return undefined as T;
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    throw new WebCtiError("invalid_request", "A query or path parameter is not valid.", {
      errors: errorItemsFromZod(parsed.error, "parameter"),
    });
  }
  return parsed.data;
}

async function readBodyBytes(request: HttpRequest, maxBytes = defaultMaxBodyBytes): Promise<Uint8Array> {
  refuseDeclaredLength(request, maxBytes);
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(contentType)) {
    throw new WebCtiError("unsupported_media_type", "Send the body as JSON with `Content-Type: application/json`.");
  }
  return readAnyBytes(request, maxBytes);
}

/**
 * The raw body of any route, within its limit. A route without a body still reads one under an
 * `Idempotency-Key` (a retry must send the same bytes), so that read is bounded too.
 */
async function readAnyBytes(request: HttpRequest, maxBytes = defaultMaxBodyBytes): Promise<Uint8Array> {
  refuseDeclaredLength(request, maxBytes);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > maxBytes) {
    throw new WebCtiError("payload_too_large", `The request body is ${bytes.byteLength} bytes; the limit is ${maxBytes}.`);
  }
  return bytes;
}

function refuseDeclaredLength(request: HttpRequest, maxBytes: number): void {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    throw new WebCtiError("payload_too_large", `The request body is ${declared} bytes; the limit is ${maxBytes}.`);
  }
}

/** How deep arrays and objects may nest in a request body: far beyond any schema, far below a stack overflow. */
export const maxJsonDepth = 64;

function parseJsonBody<T>(bytes: Uint8Array, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    if (jsonDepth(text) > maxJsonDepth) {
      throw new WebCtiError("invalid_request", `The request body nests arrays or objects deeper than ${maxJsonDepth} levels.`, {
        errors: [{ pointer: "#", detail: `nested deeper than ${maxJsonDepth} levels` }],
      });
    }
    json = JSON.parse(text);
  } catch (cause) {
    if (cause instanceof WebCtiError) throw cause;
    throw new WebCtiError("invalid_request", `The request body is not valid JSON: ${(cause as Error).message}`, {
      errors: [{ pointer: "#", detail: "not valid JSON" }],
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new WebCtiError("invalid_request", "The request body is not valid.", { errors: errorItemsFromZod(parsed.error) });
  }
  return parsed.data;
}

/** The deepest nesting of arrays and objects in a JSON text (brackets inside strings do not count). */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
