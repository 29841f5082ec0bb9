import { describe, expect, it } from "vitest";
import { webCtiErrorCodes } from "../../../shared/errors.js";
import { widgetErrorCodes } from "../../../client/protocol.js";
import { AgentApiError } from "../../../client/agent/agentApi.js";
import { isApiErrorCode, widgetCodeForApiCode } from "../../../client/agent/widgetCodeForApiCode.js";
import { toWireError } from "../../../client/agent/widgetCallError.js";

describe("API codes to widget codes", () => {
  it("has one row per API code, each a widget code (the type test holds the same at compile time)", () => {
    expect(Object.keys(widgetCodeForApiCode).sort()).toEqual([...webCtiErrorCodes].sort());
    for (const code of Object.values(widgetCodeForApiCode)) expect(widgetErrorCodes).toContain(code);
  });

  it.each([
    ["invalid_request", 400, "invalid_argument"],
    ["forbidden", 403, "forbidden"],
    ["conflict", 409, "conflict"],
    ["precondition_failed", 412, "conflict"],
    ["rate_limited", 429, "rate_limited"],
    ["storage_unavailable", 503, "unavailable"],
    ["internal", 500, "host_error"],
    ["network", 0, "host_error"],
    ["http_502", 502, "host_error"],
  ] as const)("a refused call with %s (%i) reaches the widget as %s, the API code kept", (apiCode, status, widgetCode) => {
    const wire = toWireError(new AgentApiError(apiCode, "refused", status), "corr-1");
    expect(wire).toEqual({ webctiError: 1, code: widgetCode, message: "refused", correlationId: "corr-1", details: { status, apiCode } });
  });

  it("takes only the codes of docs/errors.md as API codes", () => {
    expect(isApiErrorCode("conflict")).toBe(true);
    expect(isApiErrorCode("toString")).toBe(false);
    expect(isApiErrorCode("network")).toBe(false);
  });
});
