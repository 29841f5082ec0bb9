// The supervisor dashboard's arithmetic, apart from the page: which figures it shows and how, the UTC
// ranges it asks for. No DOM here: the figures themselves are always the service's (never added up here).
import type { KpiInterval, Kpis } from "../../shared/schemas/analytics.js";
import { intervalMs } from "../../shared/analytics/intervals.js";

export type FigureKind = "count" | "rate" | "seconds";
type NumberKey = Exclude<keyof Kpis, "partnerEvents">;

/** Every figure of the issue, in the order the table shows them (docs/kpis.md, "Formulas"). */
export const figures: ReadonlyArray<{ name: NumberKey; label: string; kind: FigureKind }> = [
  { name: "offered", label: "Offered", kind: "count" },
  { name: "answered", label: "Answered", kind: "count" },
  { name: "abandoned", label: "Abandoned", kind: "count" },
  { name: "abandonedInIvr", label: "Abandoned in IVR", kind: "count" },
  { name: "abandonedInQueue", label: "Abandoned in queue", kind: "count" },
  { name: "abandonedInRinging", label: "Abandoned ringing", kind: "count" },
  { name: "abandonedInHold", label: "Abandoned on hold", kind: "count" },
  { name: "shortAbandoned", label: "Short abandons", kind: "count" },
  { name: "abandonRate", label: "Abandon rate", kind: "rate" },
  { name: "averageSpeedOfAnswerSeconds", label: "Avg speed of answer", kind: "seconds" },
  { name: "serviceLevel", label: "Service level", kind: "rate" },
  { name: "averageHandleSeconds", label: "Avg handle time", kind: "seconds" },
  { name: "averageTalkSeconds", label: "Avg talk", kind: "seconds" },
  { name: "averageHoldSeconds", label: "Avg hold", kind: "seconds" },
  { name: "averageWrapUpSeconds", label: "Avg wrap-up", kind: "seconds" },
  { name: "transferRate", label: "Transfer rate", kind: "rate" },
  { name: "missedByAgent", label: "Missed by agent", kind: "count" },
  { name: "flowOut", label: "Flow-outs", kind: "count" },
  { name: "outbound", label: "Outbound", kind: "count" },
  { name: "outboundConnected", label: "Outbound connected", kind: "count" },
];

const percent = new Intl.NumberFormat("en", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const tenths = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat("en");

/** A figure for people: counts with separators, rates as percentages, times in seconds (minutes past one). */
export function formatFigure(value: number | null | undefined, kind: FigureKind): string {
  if (value === null || value === undefined) return "—";
  if (kind === "rate") return percent.format(value);
  if (kind === "count") return whole.format(value);
  if (value < 60) return `${tenths.format(value)} s`;
  const minutes = Math.floor(value / 60);
  return `${minutes} min ${Math.round(value - minutes * 60)} s`;
}

// ── Ranges: interval boundaries in UTC (the API takes no other) ──────────────────────────────────────

export type RangePreset = "today" | "24h" | "7d" | "30d" | "custom";
export const rangeLabels: Record<RangePreset, string> = {
  today: "Today (UTC)",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  custom: "Custom (from the link)",
};
const day = 86_400_000;

const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;

/**
 * The [from, to) of a preset at `now`: "today" is the UTC day; the others end at the end of the interval
 * that holds `now` and span 1, 7 or 30 days back from there (every span is a whole number of intervals).
 */
export function rangeOf(preset: Exclude<RangePreset, "custom">, interval: KpiInterval, now: number): { from: string; to: string } {
  if (preset === "today") {
    const start = floorTo(now, day);
    return { from: new Date(start).toISOString(), to: new Date(start + day).toISOString() };
  }
  const step = intervalMs[interval];
  const to = floorTo(now, step) + step;
  const span = { "24h": day, "7d": 7 * day, "30d": 30 * day }[preset];
  return { from: new Date(to - span).toISOString(), to: new Date(to).toISOString() };
}

/** Every interval start of [from, to), or undefined when there are too many to draw one by one. */
export function intervalStarts(from: string, to: string, interval: KpiInterval, max = 3000): string[] | undefined {
  const step = intervalMs[interval];
  const [start, end] = [Date.parse(from), Date.parse(to)];
  if ((end - start) / step > max) return undefined;
  const starts: string[] = [];
  for (let t = start; t < end; t += step) starts.push(new Date(t).toISOString());
  return starts;
}

/** How an interval is labelled on the axis and in the table (UTC, like the intervals themselves). */
export function intervalLabel(start: string, interval: KpiInterval): string {
  const iso = new Date(start).toISOString();
  return interval === "day" ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

export interface View {
  total: Kpis;
  /** Oldest first; only intervals with data. */
  points: Array<{ intervalStart: string; kpis: Kpis }>;
}

/** Every partner event name in a view, sorted. */
export function partnerEventNames(view: View): string[] {
  const names = new Set(Object.keys(view.total.partnerEvents));
  for (const point of view.points) for (const name of Object.keys(point.kpis.partnerEvents)) names.add(name);
  return [...names].sort();
}
