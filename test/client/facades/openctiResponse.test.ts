import { describe, expect, it } from "vitest";
import { WidgetError } from "../../../client/widget/index.js";
import { errorsOf, OpenCtiFailure } from "../../../client/facades/opencti/openCtiResponse.js";

/** How a failure reaches Open CTI's callback: its own failures as they are, WebCTI's codes by one table. */
describe("Open CTI errors of a failed call", () => {
  it.each([
    ["invalid_argument", "INVALID_PARAM"],
    ["out_of_range", "INVALID_PARAM"],
    ["disconnected", "SOFTPHONE_CONTAINER_ERROR"],
    ["handshake_failed", "SOFTPHONE_CONTAINER_ERROR"],
    ["unsupported_version", "SOFTPHONE_CONTAINER_ERROR"],
    ["host_error", "SERVER_ERROR"],
    ["unavailable", "SERVER_ERROR"],
    ["rate_limited", "SERVER_ERROR"],
    ["timeout", "SERVER_ERROR"],
    ["unauthenticated", "SERVER_ERROR"],
    ["forbidden", "SERVER_ERROR"],
    ["conflict", "SERVER_ERROR"],
    ["not_found", "GENERIC_ERROR"],
    ["not_supported", "GENERIC_ERROR"],
  ] as const)("WebCTI's %s → %s, keeping WebCTI's code and details", (webctiCode, code) => {
    const error = new WidgetError(webctiCode, "what went wrong", "corr-1", { min: 240, max: 800 });
    expect(errorsOf(error)).toEqual([{ code, description: "what went wrong", details: { webctiCode, min: 240, max: 800 } }]);
  });

  it("keeps the façade's own failures as they are", () => {
    const errors = [{ code: "INVALID_PARAM" as const, description: "An invalid value was passed to the parameter x.", details: { parameter: "x" } }];
    expect(errorsOf(new OpenCtiFailure(errors))).toBe(errors);
  });

  it("makes anything else a GENERIC_ERROR with its message", () => {
    expect(errorsOf(new TypeError("boom"))).toEqual([{ code: "GENERIC_ERROR", description: "boom" }]);
    expect(errorsOf("plain")).toEqual([{ code: "GENERIC_ERROR", description: "plain" }]);
  });
});
