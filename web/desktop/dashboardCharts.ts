// The dashboard's charts: Chart.js 4 with only the parts they use registered (bars, lines, category and
// linear axes, legend, tooltip), so the bundler leaves the rest of the library out of the chunk.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
} from "chart.js";
import type { KpiInterval, Kpis } from "../../shared/schemas/analytics.js";
import { formatFigure, intervalLabel, intervalStarts, partnerEventNames, type FigureKind, type View } from "./dashboardFigures.js";

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

export type ChartName = "volumes" | "rates" | "times" | "events";

const palette = ["#1f3a5f", "#2e7d32", "#c62828", "#b26a00", "#6a1b9a", "#00838f", "#5d4037", "#9e9d24", "#ad1457", "#455a64"];

type Series = { label: string; value: (k: Kpis) => number | null; kind: FigureKind };

const volumeSeries: Series[] = [
  { label: "Answered", value: (k) => k.answered - k.abandonedInHold, kind: "count" },
  { label: "Abandoned on hold", value: (k) => k.abandonedInHold, kind: "count" },
  { label: "Abandoned in IVR", value: (k) => k.abandonedInIvr, kind: "count" },
  { label: "Abandoned in queue", value: (k) => k.abandonedInQueue, kind: "count" },
  { label: "Abandoned ringing", value: (k) => k.abandonedInRinging, kind: "count" },
  { label: "Flow-outs", value: (k) => k.flowOut, kind: "count" },
  // The rest of `offered`: unanswered for another reason (no answer, busy, failed, canceled, missed).
  {
    label: "Not answered, other",
    value: (k) => k.offered - k.answered - k.abandonedInIvr - k.abandonedInQueue - k.abandonedInRinging - k.flowOut,
    kind: "count",
  },
];
const rateSeries: Series[] = [
  { label: "Abandon rate", value: (k) => k.abandonRate, kind: "rate" },
  { label: "Service level", value: (k) => k.serviceLevel, kind: "rate" },
  { label: "Transfer rate", value: (k) => k.transferRate, kind: "rate" },
];
const timeSeries: Series[] = [
  { label: "Avg speed of answer", value: (k) => k.averageSpeedOfAnswerSeconds, kind: "seconds" },
  { label: "Avg handle time", value: (k) => k.averageHandleSeconds, kind: "seconds" },
  { label: "Avg talk", value: (k) => k.averageTalkSeconds, kind: "seconds" },
  { label: "Avg hold", value: (k) => k.averageHoldSeconds, kind: "seconds" },
  { label: "Avg wrap-up", value: (k) => k.averageWrapUpSeconds, kind: "seconds" },
];

export interface ChartInput {
  view: View;
  from: string;
  to: string;
  interval: KpiInterval;
}

/** The x axis: every interval of the range when there are not too many, else only those with data. */
function axis({ view, from, to, interval }: ChartInput): { starts: string[]; at: (start: string) => Kpis | undefined } {
  const byStart = new Map(view.points.map((p) => [new Date(p.intervalStart).toISOString(), p.kpis]));
  const starts = intervalStarts(from, to, interval) ?? [...byStart.keys()];
  return { starts, at: (start) => byStart.get(start) };
}

function configOf(name: ChartName, input: ChartInput): ChartConfiguration<"bar" | "line"> {
  const { starts, at } = axis(input);
  const labels = starts.map((s) => intervalLabel(s, input.interval));
  const color = (i: number) => palette[i % palette.length]!;
  const datasets = (list: Series[], zero: boolean): Array<ChartDataset<"bar" | "line", Array<number | null>>> =>
    list.map((s, i) => ({
      label: s.label,
      data: starts.map((start) => {
        const k = at(start);
        return k ? s.value(k) : zero ? 0 : null;
      }),
      backgroundColor: color(i),
      borderColor: color(i),
      spanGaps: false, // an interval without data is a gap, not a line between its neighbours
      pointRadius: 2,
    }));
  const tooltip = (kind: FigureKind) => ({
    callbacks: { label: (item: { dataset: { label?: string }; parsed: { y: number | null } }) => `${item.dataset.label}: ${formatFigure(item.parsed.y, kind)}` },
  });
  const base = { responsive: true, maintainAspectRatio: false, animation: false as const, interaction: { mode: "index" as const, intersect: false } };
  switch (name) {
    case "volumes":
      return {
        type: "bar",
        data: { labels, datasets: datasets(volumeSeries, true) },
        options: { ...base, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Conversations" } } }, plugins: { tooltip: tooltip("count") } },
      };
    case "rates":
      return {
        type: "line",
        data: { labels, datasets: datasets(rateSeries, false) },
        options: {
          ...base,
          scales: { y: { min: 0, max: 1, ticks: { callback: (v: string | number) => formatFigure(Number(v), "rate") } } },
          plugins: { tooltip: tooltip("rate") },
        },
      };
    case "times":
      return {
        type: "line",
        data: { labels, datasets: datasets(timeSeries, false) },
        options: { ...base, scales: { y: { beginAtZero: true, title: { display: true, text: "Seconds" } } }, plugins: { tooltip: tooltip("seconds") } },
      };
    case "events": {
      const names = partnerEventNames(input.view);
      const list = names.map((eventName): Series => ({ label: eventName, value: (k) => k.partnerEvents[eventName] ?? 0, kind: "count" }));
      return {
        type: "bar",
        data: { labels, datasets: datasets(list, true) },
        options: { ...base, scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Events" } } }, plugins: { tooltip: tooltip("count") } },
      };
    }
  }
}

/** Draws a chart on the canvas, or gives the one there the new data (no flicker, no new instance). */
export function drawChart(canvas: HTMLCanvasElement, name: ChartName, input: ChartInput): Chart {
  const config = configOf(name, input);
  const existing = Chart.getChart(canvas);
  if (existing) {
    existing.data = config.data;
    existing.update();
    return existing;
  }
  return new Chart(canvas, config);
}

export function destroyChart(canvas: HTMLCanvasElement): void {
  Chart.getChart(canvas)?.destroy();
}

/** What a chart shows, for tests and for the figures' text alternative. */
export function chartData(canvas: HTMLCanvasElement): { labels: string[]; datasets: Array<{ label: string; data: Array<number | null> }> } | undefined {
  const chart = Chart.getChart(canvas);
  if (!chart) return undefined;
  return {
    labels: (chart.data.labels ?? []).map(String),
    datasets: chart.data.datasets.map((d) => ({ label: d.label ?? "", data: [...(d.data as Array<number | null>)] })),
  };
}
