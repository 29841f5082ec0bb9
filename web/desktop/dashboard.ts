// The supervisor's KPI dashboard (#/dashboard): charts of a KPI report and every figure in a table, for a
// provider, channel, interval, range and split the supervisor picks; refreshed when the service pushes
// `kpis` (conversations ended) and with the tenant's KPI settings in a small form. Loaded on demand
// (pages.ts imports it dynamically), so Chart.js is only downloaded by whoever opens this page.
import { channels } from "../../shared/schemas/channels.js";
import type { KpiInterval, KpiReport, KpiSettings } from "../../shared/schemas/analytics.js";
import { emptyAggregate, kpisOf } from "../../shared/analytics/kpis.js";
import type { AgentPanelList } from "../../shared/schemas/panel.js";
import type { AgentPushMessage } from "../../shared/schemas/push.js";
import { h } from "./dom.js";
import { request } from "./crmApi.js";
import { chartData, destroyChart, drawChart, type ChartName } from "./dashboardCharts.js";
import { partnerEventNames, rangeLabels, rangeOf, type RangePreset, type View } from "./dashboardFigures.js";
import { figuresTable } from "./figuresTable.js";

const intervalLabels: Record<KpiInterval, string> = { "15m": "15 minutes", hour: "Hour", day: "Day" };
const splitLabels = { "": "None", queue: "Queue", agent: "Agent" } as const;
type Split = keyof typeof splitLabels;
const chartTitles: Record<ChartName, string> = {
  volumes: "Volumes: offered, by what became of them",
  rates: "Rates",
  times: "Times (seconds)",
  events: "Partner events",
};
/** A push tells which intervals changed; wait this long for more before reading the report again. */
const refreshDelayMs = 300;

const analyticsApi = {
  kpis: (query: URLSearchParams) => request<KpiReport>("GET", `/v1/agent/analytics/kpis?${query}`),
  settings: () => request<KpiSettings>("GET", "/v1/agent/analytics/settings"),
  saveSettings: (settings: KpiSettings) => request<KpiSettings>("PUT", "/v1/agent/analytics/settings", settings),
  panels: () => request<AgentPanelList>("GET", "/v1/agent/panels"),
};

/** What is shown: read from and written back to the page's address, so a link opens the same view. */
interface State {
  providerId: string;
  channel: string;
  interval: KpiInterval;
  range: RangePreset;
  from?: string;
  to?: string;
  by: Split;
  /** With a split: the queue or agent shown (may be "": none); undefined = all of them. */
  value?: string;
}

function stateOf(params: URLSearchParams): State {
  const pick = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T =>
    allowed.includes(value as T) ? (value as T) : fallback;
  const from = params.get("from") ?? undefined;
  const to = params.get("to") ?? undefined;
  const by = pick(params.get("by"), ["", "queue", "agent"] as const, "");
  return {
    providerId: params.get("providerId") ?? "",
    channel: pick(params.get("channel"), ["", ...channels], ""),
    interval: pick(params.get("interval"), ["15m", "hour", "day"] as const, "hour"),
    range: from && to ? "custom" : pick(params.get("range"), ["today", "24h", "7d", "30d"] as const, "today"),
    ...(from && to ? { from, to } : {}),
    by,
    ...(by && params.has("value") ? { value: params.get("value")! } : {}),
  };
}

function paramsOf(state: State): URLSearchParams {
  const params = new URLSearchParams();
  if (state.providerId) params.set("providerId", state.providerId);
  if (state.channel) params.set("channel", state.channel);
  params.set("interval", state.interval);
  if (state.range === "custom" && state.from && state.to) {
    params.set("from", state.from);
    params.set("to", state.to);
  } else params.set("range", state.range);
  if (state.by) params.set("by", state.by);
  if (state.by && state.value !== undefined) params.set("value", state.value);
  return params;
}

let shown: { section: HTMLElement; dispose: () => void } | undefined;

/** For tests and the console: what each chart of the open dashboard holds. */
(window as unknown as { webctiDashboard: unknown }).webctiDashboard = {
  chartData: (name: ChartName) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`#page [data-chart="${name}"]`);
    return canvas ? chartData(canvas) : undefined;
  },
};

export async function dashboardPage(params: URLSearchParams): Promise<HTMLElement> {
  shown?.dispose();
  const state = stateOf(params);
  const [settings, panels] = await Promise.all([analyticsApi.settings(), analyticsApi.panels().catch(() => undefined)]);
  const providers = new Map<string, string>();
  for (const p of [...(panels?.panels ?? []), ...(panels?.clickToActWebhooks ?? [])]) providers.set(p.providerId, p.label);

  // ── controls ──
  const select = (id: string, label: string, name: string, options: Array<[string, string]>, value: string) => {
    const element = h("select", { id, name, "data-control": name }, options.map(([v, text]) => h("option", { value: v }, text)));
    element.value = value;
    return [h("label", { for: id }, label), element] as const;
  };
  const [providerLabel, providerSelect] = select("dash-provider", "Provider", "providerId", [], state.providerId);
  const [channelLabel, channelSelect] = select("dash-channel", "Channel", "channel", [["", "All channels"], ...channels.map((c): [string, string] => [c, c])], state.channel);
  const [intervalLabelEl, intervalSelect] = select("dash-interval", "Interval", "interval", Object.entries(intervalLabels), state.interval);
  const ranges = (Object.keys(rangeLabels) as RangePreset[]).filter((r) => r !== "custom" || state.range === "custom");
  const [rangeLabel, rangeSelect] = select("dash-range", "Range", "range", ranges.map((r): [string, string] => [r, r === "custom" ? `${state.from} → ${state.to}` : rangeLabels[r]]), state.range);
  const [splitLabel, splitSelect] = select("dash-split", "Split by", "by", Object.entries(splitLabels), state.by);
  const [valueLabel, valueSelect] = select("dash-value", "Shown", "value", [], "");
  // Each label with its select in one span, so they wrap together.
  const controls = h(
    "form",
    { class: "dashboard-controls", "data-dashboard-controls": "", "aria-label": "What the dashboard shows" },
    (
      [
        [providerLabel, providerSelect],
        [channelLabel, channelSelect],
        [intervalLabelEl, intervalSelect],
        [rangeLabel, rangeSelect],
        [splitLabel, splitSelect],
        [valueLabel, valueSelect],
      ] as const
    ).map(([label, control]) => h("span", { class: "control", "data-control-for": control.name }, label, control)),
  );
  const valueControl = controls.querySelector<HTMLElement>('[data-control-for="value"]')!;

  function fillProviders(report?: KpiReport) {
    for (const s of report?.series ?? []) if (!providers.has(s.providerId)) providers.set(s.providerId, s.providerId);
    if (state.providerId && !providers.has(state.providerId)) providers.set(state.providerId, state.providerId);
    const options: Array<[string, string]> = [["", "All providers"], ...[...providers].sort(([a], [b]) => a.localeCompare(b))];
    if (providerSelect.options.length === options.length) return;
    providerSelect.replaceChildren(...options.map(([v, text]) => h("option", { value: v }, text)));
    providerSelect.value = state.providerId;
  }

  /** The split's values present in the report, and the picker's choice (JSON-encoded: "" is a value). */
  function fillValues(report: KpiReport) {
    valueControl.hidden = !state.by;
    if (!state.by) return;
    valueLabel.textContent = state.by === "queue" ? "Queue" : "Agent";
    const key = state.by === "queue" ? "queue" : "agentId";
    const values = [...new Set([...(report.splits ?? []).map((s) => s.value), ...report.series.map((s) => s[key] ?? "")])];
    if (state.value !== undefined && !values.includes(state.value)) values.push(state.value);
    values.sort();
    const none = state.by === "queue" ? "(no queue)" : "(no agent)";
    const all = state.by === "queue" ? "All queues" : "All agents";
    valueSelect.replaceChildren(h("option", { value: "" }, all), ...values.map((v) => h("option", { value: JSON.stringify(v) }, v || none)));
    valueSelect.value = state.value === undefined ? "" : JSON.stringify(state.value);
  }

  // ── status, charts, figures, settings ──
  const status = h("p", { class: "dashboard-status", role: "status", "aria-live": "polite", "data-dashboard-status": "" }, "Loading…");
  const canvases = new Map<ChartName, HTMLCanvasElement>();
  const chartFigures = (["volumes", "rates", "times", "events"] as ChartName[]).map((name) => {
    const canvas = h("canvas", { "data-chart": name, role: "img", "aria-label": chartTitles[name] }, "The same figures are in the table below.");
    canvases.set(name, canvas);
    return h("figure", { class: "chart", "data-chart-figure": name }, h("figcaption", {}, chartTitles[name]), h("div", { class: "chart-box" }, canvas));
  });
  const totals = h("div", { class: "figures", "data-figures-total": "" });
  const perInterval = h("div", { class: "figures" });
  const details = h("details", { "data-per-interval": "" }, h("summary", {}, "Figures per interval"), perInterval);

  const section = h(
    "section",
    { "data-page": "dashboard", "data-state": "loading" },
    h("h1", {}, "Dashboard"),
    h("p", { class: "muted" }, "Channel KPIs of the conversations that ended in the range, by the interval they ended in (UTC). The formulas are published in docs/kpis.md."),
    controls,
    status,
    h("div", { class: "charts" }, chartFigures),
    h("h2", {}, "Figures"),
    totals,
    details,
    settingsForm(settings, () => refreshSoon()),
  );

  // ── reading and showing the report ──
  let report: KpiReport | undefined;
  let range = { from: "", to: "" };
  let loading = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  function currentRange() {
    return state.range === "custom" && state.from && state.to ? { from: state.from, to: state.to } : rangeOf(state.range === "custom" ? "today" : state.range, state.interval, Date.now());
  }

  async function refresh(): Promise<void> {
    if (disposed) return;
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    section.dataset.state = "loading";
    try {
      range = currentRange();
      const query = new URLSearchParams({ from: range.from, to: range.to, interval: state.interval });
      if (state.providerId) query.set("providerId", state.providerId);
      if (state.channel) query.set("channel", state.channel);
      if (state.by) query.set("by", state.by);
      report = await analyticsApi.kpis(query);
      if (disposed) return;
      show(report);
      // What is on screen, for tests and styles: the range read and the moment it was.
      section.dataset.from = new Date(report.from).toISOString();
      section.dataset.to = new Date(report.to).toISOString();
      section.dataset.state = "ready";
    } catch (error) {
      section.dataset.state = "error";
      status.textContent = `Could not read the figures: ${(error as Error).message}`;
    } finally {
      loading = false;
      if (again && !disposed) {
        again = false;
        void refresh();
      }
    }
  }

  function refreshSoon() {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), refreshDelayMs);
  }

  /**
   * What the view shows, always the service's own figures (rates are never added up here): of everything
   * asked for (`total`, `points`), or of the queue or agent picked (its entry in `splits`).
   */
  function viewOfReport(r: KpiReport): View {
    if (!state.by || state.value === undefined) return { total: r.total, points: r.points };
    const split = r.splits?.find((s) => s.value === state.value);
    return split ? { total: split.total, points: split.points } : { total: kpisOf(emptyAggregate()), points: [] };
  }

  function show(r: KpiReport) {
    fillProviders(r);
    fillValues(r);
    const view = viewOfReport(r);
    const input = { view, from: r.from, to: r.to, interval: r.interval };
    for (const [name, canvas] of canvases) drawChart(canvas, name, input);
    canvases.get("events")!.closest("figure")!.hidden = partnerEventNames(view).length === 0;
    totals.replaceChildren(figuresTable(view, r.interval, "total"));
    perInterval.replaceChildren(view.points.length ? figuresTable(view, r.interval, "intervals") : h("p", { class: "muted" }, "No interval has data."));
    const ended = view.total.offered + view.total.outbound;
    status.textContent =
      `${ended ? `${ended} conversation${ended === 1 ? "" : "s"}` : "No conversations"} ended ${rangeText(r)} · ` +
      `short abandon < ${r.settings.shortAbandonSeconds} s, service level ≤ ${r.settings.serviceLevelSeconds} s · updated ${new Date().toLocaleTimeString()}`;
  }

  // ── controls change the view (and the address, without a new page render) ──
  controls.addEventListener("change", (event) => {
    const target = event.target as HTMLSelectElement;
    switch (target.name) {
      case "providerId":
        state.providerId = target.value;
        break;
      case "channel":
        state.channel = target.value;
        break;
      case "interval":
        state.interval = target.value as KpiInterval;
        if (state.range === "custom") state.range = "today"; // a custom range is aligned to the interval it came with
        break;
      case "range":
        state.range = target.value as RangePreset;
        break;
      case "by":
        state.by = target.value as Split;
        delete state.value;
        break;
      case "value":
        if (target.value) state.value = JSON.parse(target.value) as string;
        else delete state.value;
        break;
    }
    if (state.range !== "custom") {
      delete state.from;
      delete state.to;
      rangeSelect.value = state.range;
    }
    history.replaceState(null, "", `#/dashboard?${paramsOf(state)}`);
    // The choice of a split value only picks among series already read.
    if (target.name === "value" && report) show(report);
    else void refresh();
  });
  controls.addEventListener("submit", (event) => event.preventDefault());

  // ── live: main.ts hands this page every `kpis` push and every reconnection ──
  section.addEventListener("webcti:kpis", (event) => {
    const message = (event as CustomEvent<Extract<AgentPushMessage, { kind: "kpis" }>>).detail;
    if (state.providerId && message.providerId !== state.providerId) return;
    const from = Date.parse(range.from);
    const to = Date.parse(range.to);
    if (!message.intervalStarts.some((s) => Date.parse(s) >= from && Date.parse(s) < to)) return;
    refreshSoon();
  });
  section.addEventListener("webcti:reconnected", () => refreshSoon());

  shown = {
    section,
    dispose() {
      disposed = true;
      clearTimeout(timer);
      for (const canvas of canvases.values()) destroyChart(canvas);
    },
  };
  fillProviders();
  valueControl.hidden = !state.by;
  void refresh();
  return section;
}

/** Leaving the page: its charts go (pages.ts calls this when another page replaces it). */
export function leaveDashboard(): void {
  shown?.dispose();
  shown = undefined;
}

function rangeText(r: KpiReport): string {
  const at = (iso: string) => new Date(iso).toISOString().slice(0, 16).replace("T", " ");
  return `${at(r.from)} – ${at(r.to)} UTC`;
}

/** The tenant's KPI settings: a supervisor sees and changes them; the figures follow (docs/kpis.md). */
function settingsForm(settings: KpiSettings, changed: () => void): HTMLElement {
  const input = (id: string, name: keyof KpiSettings, max: number) =>
    h("input", { id, name, type: "number", min: "0", max: String(max), step: "any", required: true, value: String(settings[name]), "data-setting": name });
  const formStatus = h("span", { role: "status", "aria-live": "polite", "data-settings-status": "" });
  const form = h(
    "form",
    { class: "record", "data-kpi-settings": "" },
    h("label", { for: "kpi-short" }, "Short abandon under (s)"),
    input("kpi-short", "shortAbandonSeconds", 600),
    h("label", { for: "kpi-sl" }, "Service level target (s)"),
    input("kpi-sl", "serviceLevelSeconds", 3600),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save settings"), formStatus),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next: KpiSettings = { shortAbandonSeconds: Number(data.get("shortAbandonSeconds")), serviceLevelSeconds: Number(data.get("serviceLevelSeconds")) };
    const button = form.querySelector("button")!;
    button.disabled = true;
    formStatus.textContent = "Saving…";
    analyticsApi.saveSettings(next).then(
      (saved) => {
        for (const [name, value] of Object.entries(saved)) form.querySelector<HTMLInputElement>(`[data-setting="${name}"]`)!.value = String(value);
        formStatus.textContent = "Saved: the figures are recomputed with these settings.";
        changed();
      },
      (error: Error) => {
        formStatus.textContent = error.message;
      },
    ).finally(() => {
      button.disabled = false;
    });
  });
  return h("section", { class: "kpi-settings", "data-settings-section": "" }, h("h2", {}, "KPI settings"), form);
}
