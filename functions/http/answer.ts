import type { HttpResponseInit } from "@azure/functions";
import { toWebCtiError, type WebCtiError } from "../../shared/errors.js";
import type { Services } from "../../shared/services.js";
import type { ApiVersion } from "./version.js";
import type { AnyHttpDefinition } from "./defineHttp.js";
import type { Caller } from "./authenticateCaller.js";
import type { RequestInput } from "./readInput.js";
import { toProblemResponse } from "./problem.js";

/** A response as the edge builds it: always a status, headers and a text body. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The outcome of running a handler: its answer, and the error behind it when it failed. */
export interface Outcome {
  answer: Answer;
  error?: WebCtiError;
}

export interface RunContext {
  services: Services;
  caller: Caller;
  input: RequestInput;
  headers: { get(name: string): string | null };
  version: ApiVersion;
  /** The request's path: the problem's `instance`. */
  instance: string;
}

const json = "application/json; charset=utf-8";

/**
 * Runs the definition's handler and renders what it returns: JSON by default, or the definition's own
 * representation (`render`, e.g. CSV). Anything thrown becomes a problem answer, never an exception, so
 * the idempotency step can tell a success (kept) from a refusal (released).
 */
export async function runAndRender(definition: AnyHttpDefinition, run: RunContext): Promise<Outcome> {
  const { input } = run;
  try {
    const result = await definition.handler(
      { body: input.body, query: input.query, params: input.params, caller: run.caller, headers: run.headers, version: run.version },
      run.services,
    );
    const rendered = definition.render?.(result, input.query);
    if (rendered) {
      return { answer: { status: definition.success.status, headers: { ...rendered.headers, "content-type": rendered.contentType }, body: rendered.body } };
    }
    const headers: Record<string, string> = { "content-type": json, ...(definition.etag ? { etag: definition.etag(result) } : {}) };
    return { answer: { status: definition.success.status, headers, body: JSON.stringify(result) } };
  } catch (thrown) {
    const error = toWebCtiError(thrown);
    return { answer: toProblemResponse(error, run.instance), error };
  }
}

export function withHeaders(answer: Answer, headers: Record<string, string>): HttpResponseInit {
  return { status: answer.status, headers: { ...answer.headers, ...headers }, body: answer.body };
}
