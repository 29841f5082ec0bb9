import { describe, expect, it } from "vitest";
import { foldConversation } from "../../shared/conversation/conversationState.js";
import { ConversationEvent } from "../../shared/schemas/conversationEvent.js";
import { ConversationFacts, defaultKpiSettings, type KpiSeries } from "../../shared/schemas/analytics.js";
import { factsOf } from "../../shared/analytics/conversationFacts.js";
import { kpisOf, sumFacts } from "../../shared/analytics/kpis.js";
import { aggregateBy } from "../../shared/analytics/groupFacts.js";
import { aggregateOf, formatFigure, intervalStarts, rangeOf, sumKpis, viewOf } from "../../web/desktop/dashboardFigures.js";
import { goldenConversations } from "../fixtures/goldenConversations.js";

/** The dashboard's own arithmetic (web/desktop/dashboardFigures.ts): ranges, formats, adding up series. */

const golden = goldenConversations({ prefix: "g", providers: ["p1", "p2"], agents: ["a1", "a2", "a3", "a4"] });
const facts = golden
  .map((c) => factsOf(foldConversation(c.conversationId, c.events.map((e) => ConversationEvent.parse(e))), defaultKpiSettings, c.providerId))
  .filter((f): f is ConversationFacts => f !== null);

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

describe("adding up series: Kpis back to counts and sums, then the service's own formulas", () => {
  it("gives back each group's aggregate exactly", () => {
    for (const { aggregate } of aggregateBy(facts, { by: ["providerId", "channel", "queue"] }).values()) {
      const back = aggregateOf(kpisOf(aggregate));
      expect(back).toEqual(aggregate);
    }
  });

  it("the sum of every group's figures is the figures of the whole (by queue, by agent, per interval)", () => {
    const whole = kpisOf(sumFacts(facts));
    for (const by of [["providerId", "channel"], ["queue"], ["agentId"]] as const) {
      const groups = [...aggregateBy(facts, { by: [...by] }).values()].map((g) => kpisOf(g.aggregate));
      expect(sumKpis(groups)).toEqual(whole);
    }
  });

  it("a view of several series adds them up per interval, and of one series is that series", () => {
    const totals = aggregateBy(facts, { by: ["providerId", "channel"] });
    const points = aggregateBy(facts, { by: ["providerId", "channel"], intervalMinutes: 15 });
    const series: KpiSeries[] = [...totals.values()].map(({ key, aggregate }) => ({
      providerId: key.providerId!,
      channel: key.channel as KpiSeries["channel"],
      total: kpisOf(aggregate),
      points: [...points.values()]
        .filter((p) => p.key.providerId === key.providerId && p.key.channel === key.channel)
        .map((p) => ({ intervalStart: p.key.intervalStart!, kpis: kpisOf(p.aggregate) })),
    }));
    const view = viewOf(series);
    const expected = aggregateBy(facts, { by: [], intervalMinutes: 15 });
    expect(view.total).toEqual(kpisOf(sumFacts(facts)));
    expect(view.points).toEqual(
      [...expected.values()]
        .map((g) => ({ intervalStart: g.key.intervalStart!, kpis: kpisOf(g.aggregate) }))
        .sort((a, b) => a.intervalStart.localeCompare(b.intervalStart)),
    );
    expect(viewOf([series[0]!])).toEqual({ total: series[0]!.total, points: series[0]!.points });
  });
});
