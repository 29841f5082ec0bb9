import { describe, expect, it } from "vitest";
import { z } from "zod";
import { toWebCtiError } from "../../shared/errors.js";

describe("toWebCtiError", () => {
  it("a ZodError that reaches it is data of the service, not the caller's request: internal, without its values", () => {
    const thrown = (() => {
      try {
        z.object({ country: z.string().regex(/^[A-Z]{2}$/) }).parse({ country: "Secret Land" });
      } catch (error) {
        return error;
      }
    })();
    const error = toWebCtiError(thrown);
    expect(error.code).toBe("internal");
    expect(error.errors).toBeUndefined();
    expect(error.message).toBe("An unexpected error occurred.");
    expect(String(error.cause)).toBe("Error: Data of the service does not parse: country (invalid_format)");
  });
});
