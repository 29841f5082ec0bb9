import { describe, expect, it } from "vitest";
import { formatFigure, intervalStarts, rangeOf } from "../../web/desktop/dashboardFigures.js";

/** The dashboard's own arithmetic (web/desktop/dashboardFigures.ts): ranges and formats. */

describe("ranges: interval boundaries in UTC", () => {
  const now = Date.parse("2026-11-24T21:41:05.123Z");

  it("today is the UTC day, whatever the interval", () => {
    for (const interval of ["15m", "hour", "day"] as const) {
      expect(rangeOf("today", interval, now)).toEqual({ from: "2026-11-24T00:00:00.000Z", to: "2026-11-25T00:00:00.000Z" });
    }
  });

  it("the others end with the interval that holds now", () => {
    expect(rangeOf("24h", "15m", now)).toEqual({ from: "2026-11-23T21:45:00.000Z", to: "2026-11-24T21:45:00.000Z" });
    expect(rangeOf("24h", "hour", now)).toEqual({ from: "2026-11-23T22:00:00.000Z", to: "2026-11-24T22:00:00.000Z" });
    expect(rangeOf("7d", "day", now)).toEqual({ from: "2026-11-18T00:00:00.000Z", to: "2026-11-25T00:00:00.000Z" });
    expect(rangeOf("30d", "hour", now)).toEqual({ from: "2026-10-25T22:00:00.000Z", to: "2026-11-24T22:00:00.000Z" });
    // now on a boundary: the interval that starts there holds it
    expect(rangeOf("24h", "hour", Date.parse("2026-11-24T21:00:00Z")).to).toBe("2026-11-24T22:00:00.000Z");
  });

  it("lists the intervals of a range, unless there are too many to draw", () => {
    expect(intervalStarts("2026-11-02T09:00:00Z", "2026-11-02T10:00:00Z", "15m")).toEqual([
      "2026-11-02T09:00:00.000Z",
      "2026-11-02T09:15:00.000Z",
      "2026-11-02T09:30:00.000Z",
      "2026-11-02T09:45:00.000Z",
    ]);
    // The longest range the API allows at 15 minutes (31 days) is still drawn interval by interval.
    expect(intervalStarts("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z", "15m")).toHaveLength(31 * 96);
    expect(intervalStarts("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", "15m", 95)).toBeUndefined();
  });
});

describe("figures for people", () => {
  it("formats counts, rates and times; null is a dash", () => {
    expect(formatFigure(1234, "count")).toBe("1,234");
    expect(formatFigure(0.2, "rate")).toBe("20.0%");
    expect(formatFigure(2 / 3, "rate")).toBe("66.7%");
    expect(formatFigure(14.475, "seconds")).toBe("14.5 s");
    expect(formatFigure(86.75, "seconds")).toBe("1 min 27 s");
    expect(formatFigure(null, "rate")).toBe("—");
  });
});
