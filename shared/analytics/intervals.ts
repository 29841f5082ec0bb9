import type { KpiInterval } from "../schemas/analytics.js";

/**
 * KPI intervals (docs/kpis.md, "Which interval a conversation counts in"): 15 minutes, an hour, a day, in
 * UTC, aligned to midnight, start included, end excluded. No Node imports: the dashboard uses it too.
 */
export const intervalMs: Record<KpiInterval, number> = { "15m": 15 * 60_000, hour: 60 * 60_000, day: 24 * 60 * 60_000 };

/** The start (ISO) of the interval of `sizeMs` that holds `at`. */
export function alignTo(at: string | number, sizeMs: number): string {
  const ms = typeof at === "number" ? at : Date.parse(at);
  return new Date(ms - (((ms % sizeMs) + sizeMs) % sizeMs)).toISOString();
}

/** The start of the interval holding `at`. */
export function startOf(at: string | number, interval: KpiInterval): string {
  return alignTo(at, intervalMs[interval]);
}

/** The first instant (ISO) of the UTC month after the one holding `at`. */
export function nextMonth(at: string): string {
  const date = new Date(Date.UTC(Number(at.slice(0, 4)), Number(at.slice(5, 7)) - 1, 1));
  date.setUTCMonth(date.getUTCMonth() + 1);
  return date.toISOString();
}
