import type { KpiInterval, Kpis } from "../../shared/schemas/analytics.js";
import { h } from "./dom.js";
import { figures, formatFigure, intervalLabel, partnerEventNames, type View } from "./dashboardFigures.js";

/** Every figure as a table: the range's total (one row) or one row per interval with data. */
export function figuresTable(view: View, interval: KpiInterval, rows: "total" | "intervals"): HTMLTableElement {
  const events = partnerEventNames(view);
  const cell = (name: string, value: number | null | undefined, kind: "count" | "rate" | "seconds") =>
    h("td", { "data-kpi": name, "data-value": value === null || value === undefined ? "" : String(value) }, formatFigure(value ?? null, kind));
  const row = (k: Kpis, attributes: Record<string, string>, header: string) =>
    h(
      "tr",
      attributes,
      h("th", { scope: "row" }, header),
      figures.map((f) => cell(f.name, k[f.name], f.kind)),
      events.map((name) => cell(`partnerEvents.${name}`, k.partnerEvents[name] ?? 0, "count")),
    );
  return h(
    "table",
    { class: "kpi-table", "data-kpi-table": rows },
    h("caption", { class: "visually-hidden" }, rows === "total" ? "Figures for the whole range" : "Figures per interval (UTC)"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, rows === "total" ? "" : "Interval (UTC)"),
        figures.map((f) => h("th", { scope: "col", "data-kpi-header": f.name }, f.label)),
        events.map((name) => h("th", { scope: "col", "data-kpi-header": `partnerEvents.${name}` }, `Event: ${name}`)),
      ),
    ),
    h(
      "tbody",
      {},
      rows === "total"
        ? row(view.total, { "data-total": "" }, "Total")
        : view.points.map((p) => row(p.kpis, { "data-interval-start": new Date(p.intervalStart).toISOString() }, intervalLabel(p.intervalStart, interval))),
    ),
  );
}
