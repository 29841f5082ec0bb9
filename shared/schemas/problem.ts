import { z } from "zod";
import { webCtiErrorCodes } from "../errors.js";

/**
 * One problem with one part of the input: `pointer` is a JSON pointer (RFC 6901) into the request body,
 * `parameter` names a query or path parameter, `header` a request header.
 */
export const ErrorItem = z
  .object({
    pointer: z.string().optional().describe("JSON pointer into the request body."),
    parameter: z.string().optional().describe("Name of the query or path parameter."),
    header: z.string().optional().describe("Name of the request header, canonically spelled (`Idempotency-Key`)."),
    detail: z.string(),
  })
  .meta({ id: "ErrorItem" });
export type ErrorItem = z.infer<typeof ErrorItem>;

/** RFC 9457 problem details, the body of every 4xx and 5xx answer. */
export const Problem = z
  .object({
    type: z.string().describe("A stable URI per error code: `urn:webcti:problem:<code>`."),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().describe("What went wrong, for people; may change between versions."),
    instance: z.string().describe("The path of the request that failed."),
    code: z.enum(webCtiErrorCodes).describe("The stable error code (see docs/errors.md)."),
    errors: z.array(ErrorItem).optional().describe("Present when the problem is with named parts of the input."),
  })
  .meta({ id: "Problem" });
export type Problem = z.infer<typeof Problem>;
