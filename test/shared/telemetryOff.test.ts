import { describe, expect, it } from "vitest";
import { trace } from "@opentelemetry/api";
import { currentTraceparent, parseTraceparent, requestParent, withSpan } from "../../shared/telemetry/tracing.js";

// No tracer provider is registered in this file: WEBCTI_TELEMETRY=off, the default.
describe("telemetry off", () => {
  it("runs the work, records nothing and pushes no traceparent", async () => {
    const result = await withSpan("webcti.push", {}, async (span) => {
      expect(span.isRecording()).toBe(false);
      return currentTraceparent();
    });
    expect(result).toBeUndefined();
  });

  it("rethrows what the work throws", async () => {
    await expect(withSpan("x", {}, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  });
});

describe("telemetry setup", () => {
  it("the Application Insights distro and the console exporter the setup imports lazily are installed", async () => {
    // Only imported, not started: starting it would send to Azure (and statsbeat), which this machine cannot reach.
    expect(typeof (await import("@azure/monitor-opentelemetry")).useAzureMonitor).toBe("function");
    expect(typeof (await import("@opentelemetry/sdk-trace-node")).ConsoleSpanExporter).toBe("function");
  });
});

describe("traceparent", () => {
  const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  it("parses a W3C traceparent and refuses malformed or all-zero ones", () => {
    expect(parseTraceparent(valid)).toEqual({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1, isRemote: true });
    for (const bad of ["", "garbage", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", `${valid}-extra`]) {
      expect(parseTraceparent(bad), bad).toBeUndefined();
    }
  });

  it("a request continues the caller's trace, under the host's span when the host is in the same trace", () => {
    const host = "00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01";
    const otherTrace = "00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-2222222222222222-01";
    const parentSpan = (caller?: string, fromHost?: string) => trace.getSpanContext(requestParent(caller, fromHost))?.spanId;
    expect(parentSpan(valid)).toBe("00f067aa0ba902b7");
    expect(parentSpan(valid, host)).toBe("1111111111111111");
    expect(parentSpan(valid, otherTrace)).toBe("00f067aa0ba902b7");
    expect(parentSpan(undefined, host)).toBe("1111111111111111");
    expect(parentSpan("garbage")).toBeUndefined();
  });
});
