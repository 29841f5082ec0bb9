/**
 * How many partner event names one conversation counts, and one aggregate row keeps (docs/kpis.md,
 * "Partner-defined events"): every name is a key of a JSON column, and a Table storage string column holds
 * at most 32 K characters, so 500 names of 64 characters on one conversation made its facts row unwritable
 * and stopped the KPI projection (issue 16, item 1). 50 names of 64 characters, even JSON-escaped, fit.
 */
export const maxPartnerEventNames = 50;

/** The name the other events are counted under, past `maxPartnerEventNames`. */
export const otherPartnerEvents = "(other)";

/**
 * The counts with at most `maxPartnerEventNames` names besides `(other)`: the most counted, ties by name
 * (UTF-16 order); the rest are added to `(other)` (with any event actually named so). A function of the
 * counts alone, so the same events give the same names whatever their order.
 */
export function capPartnerEvents(counts: Readonly<Record<string, number>>): Record<string, number> {
  const named = Object.entries(counts).filter(([name]) => name !== otherPartnerEvents);
  if (named.length <= maxPartnerEventNames) return { ...counts };
  named.sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  const capped: Record<string, number> = Object.fromEntries(named.slice(0, maxPartnerEventNames));
  capped[otherPartnerEvents] = named.slice(maxPartnerEventNames).reduce((sum, [, count]) => sum + count, counts[otherPartnerEvents] ?? 0);
  return capped;
}

/** Maps each partner event name of one conversation to the name it counts under (`capPartnerEvents`). */
export function partnerEventNamer(names: readonly string[]): (name: string) => string {
  const totals: Record<string, number> = {};
  for (const name of names) totals[name] = (totals[name] ?? 0) + 1;
  const kept = new Set(Object.keys(capPartnerEvents(totals)));
  return (name) => (kept.has(name) ? name : otherPartnerEvents);
}
