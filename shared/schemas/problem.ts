import { z } from "zod";

/** RFC 9457 problem details, the body of every 4xx and 5xx answer. */
export const Problem = z
  .object({
    type: z.string().describe("A stable URI per error code."),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z.string().describe("The stable error code (see docs/errors.md)."),
    errors: z
      .array(
        z.object({
          pointer: z.string().optional().describe("JSON pointer into the request body."),
          parameter: z.string().optional().describe("Name of the query or path parameter."),
          header: z.string().optional().describe("Name of the request header."),
          detail: z.string(),
        }),
      )
      .optional(),
  })
  .meta({ id: "Problem" });
export type Problem = z.infer<typeof Problem>;
