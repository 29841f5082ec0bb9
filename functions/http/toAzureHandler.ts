import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { WebCtiError, errorItemsFromZod, toWebCtiError } from "../../shared/errors.js";
import type { Services } from "../../shared/services.js";
import { authenticatePartner } from "../../shared/auth/partnerKeys.js";
import { authenticateAgent } from "../../shared/auth/agentPrincipal.js";
import type { AnyHttpDefinition } from "./defineHttp.js";
import { toProblemResponse } from "./problem.js";
import type { z } from "zod";

export const defaultMaxBodyBytes = 64 * 1024;

export type AzureHttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/**
 * Makes a definition an `@azure/functions` handler: authenticate, read and validate, call the domain,
 * answer JSON or problem+json. Validation happens before any write, so bad input changes nothing.
 */
export function toAzureHandler(definition: AnyHttpDefinition, getServices: () => Promise<Services>): AzureHttpHandler {
  return async (request, context) => {
    const instance = new URL(request.url).pathname;
    try {
      const services = await getServices();
      const caller =
        definition.auth === "partner"
          ? await authenticatePartner(services, request.headers)
          : definition.auth === "agent"
            ? await authenticateAgent(services, request.headers)
            : undefined;
      const params = parseParameters(definition.params, request.params);
      const query = parseParameters(definition.query, Object.fromEntries(request.query.entries()));
      const body = definition.body ? await readJsonBody(request, definition.body, definition.maxBodyBytes) : undefined;
      const result = await definition.handler({ body, query, params, caller, headers: request.headers }, services);
      return {
        status: definition.success.status,
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify(result),
      };
    } catch (thrown) {
      const error = toWebCtiError(thrown);
      if (error.code === "internal" || error.code === "storage_unavailable" || error.code === "push_unavailable") {
        context.error(`${definition.name} failed: ${error.code}`, error.cause ?? error);
      }
      return toProblemResponse(error, instance);
    }
  };
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

async function readJsonBody<T>(request: HttpRequest, schema: z.ZodType<T>, maxBytes = defaultMaxBodyBytes): Promise<T> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    throw new WebCtiError("payload_too_large", `The request body is ${declared} bytes; the limit is ${maxBytes}.`);
  }
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(contentType)) {
    throw new WebCtiError("unsupported_media_type", "Send the body as JSON with `Content-Type: application/json`.");
  }
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > maxBytes) {
    throw new WebCtiError("payload_too_large", `The request body is ${bytes.byteLength} bytes; the limit is ${maxBytes}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (cause) {
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
