/**
 * The self-contained HTML report: KPI tables per policy (with the difference when two policies
 * ran on the same trace), per queue and channel, and inline SVG charts per interval.
 */
import type { Kpis } from "./kpi.js";
import type { SimResult } from "./run-scenario.js";
import { barChart, escapeHtml, lineChart } from "./svg-chart.js";

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const sec = (v: number) => `${v.toFixed(1)} s`;
const num = (v: number) => String(v);

const ROWS: readonly [keyof Kpis, string, (v: number) => string][] = [
  ["contacts", "Contacts", num],
  ["answered", "Answered", num],
  ["abandoned", "Abandoned", num],
  ["serviceLevel", "Service level", pct],
  ["asaS", "ASA", sec],
  ["meanWaitS", "Mean wait (all)", sec],
  ["pWait", "Waited (not offered on arrival)", pct],
  ["abandonRate", "Abandonment", pct],
  ["ahtS", "AHT", sec],
  ["occupancy", "Occupancy", pct],
  ["repeatShare", "Repeat contacts", pct],
  ["repeatSameAgentShare", "Repeats served by their last agent", pct],
  ["offersRejected", "Offers rejected", num],
  ["offersTimedOut", "Offers timed out", num],
];

function kpiTable(columns: readonly { name: string; k: Kpis }[]): string {
  const diff = columns.length === 2;
  const head = `<tr><th></th>${columns.map((c) => `<th>${escapeHtml(c.name)}</th>`).join("")}${diff ? `<th>Δ ${escapeHtml(columns[1]?.name ?? "")} − ${escapeHtml(columns[0]?.name ?? "")}</th>` : ""}</tr>`;
  const body = ROWS.map(([key, label, fmt]) => {
    const vals = columns.map((c) => c.k[key]);
    const cells = vals.map((v) => `<td>${v === null ? "–" : escapeHtml(fmt(v))}</td>`).join("");
    const a = vals[0];
    const b = vals[1];
    const d =
      diff && typeof a === "number" && typeof b === "number"
        ? `<td>${escapeHtml(fmt === pct ? `${((b - a) * 100).toFixed(1)} pt` : fmt === sec ? sec(b - a) : String(b - a))}</td>`
        : diff
          ? "<td>–</td>"
          : "";
    return `<tr><th>${escapeHtml(label)}</th>${cells}${d}</tr>`;
  }).join("");
  return `<table>${head}${body}</table>`;
}

function breakdown(result: SimResult, by: "byQueue" | "byChannel", title: string): string {
  const keys = [...new Set(result.policies.flatMap((p) => Object.keys(p[by])))].sort();
  if (keys.length === 0) return "";
  const tables = keys
    .map((key) => {
      const cols = result.policies.flatMap((p) => {
        const k = p[by][key];
        return k === undefined ? [] : [{ name: p.policy, k }];
      });
      return `<h3>${escapeHtml(key)}</h3>${kpiTable(cols)}`;
    })
    .join("");
  const chart = barChart({
    title: `Service level by ${title.toLowerCase()}`,
    categories: keys,
    series: result.policies.map((p) => ({
      name: p.policy,
      values: keys.map((k) => p[by][k]?.serviceLevel ?? Number.NaN),
    })),
    format: pct,
    yMax: 1,
  });
  return `<h2>By ${escapeHtml(title)}</h2>${chart}<div class="grid">${tables}</div>`;
}

export function renderHtml(result: SimResult): string {
  const first = result.policies[0];
  const labels = (first?.intervals ?? []).map((i) => `${(i.startMs / 3_600_000).toFixed(0)}h`);
  const chart = (title: string, key: keyof Kpis, format: (v: number) => string, yMax?: number) =>
    lineChart({
      title,
      xLabels: labels,
      series: result.policies.map((p) => ({
        name: p.policy,
        values: p.intervals.map((i) =>
          i.contacts > 0 || key === "occupancy" ? (i[key] ?? Number.NaN) : Number.NaN,
        ),
      })),
      format,
      ...(yMax === undefined ? {} : { yMax }),
    });
  const overall = kpiTable(result.policies.map((p) => ({ name: p.policy, k: p.overall })));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchboard simulation: ${escapeHtml(result.name)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th:first-child{text-align:left}
.grid{display:flex;flex-wrap:wrap;gap:0 2em}
svg{display:block;margin:1em 0}
</style></head><body>
<h1>Switchboard simulation: ${escapeHtml(result.name)}</h1>
<p>Seed ${result.seed}; ${result.durationHours} h simulated (first ${result.warmupHours} h warm-up, not counted);
intervals of ${result.intervalMinutes} min; service level = answered within ${result.slThresholdS} s ÷ (answered + abandoned).
Every policy ran on the same generated arrival trace, through the real router engine.</p>
<h2>Overall</h2>${overall}
${chart("Service level per interval", "serviceLevel", pct, 1)}
${chart("ASA per interval", "asaS", sec)}
${chart("Abandonment per interval", "abandonRate", pct)}
${chart("Occupancy per interval", "occupancy", pct, 1)}
${breakdown(result, "byQueue", "Queue")}
${breakdown(result, "byChannel", "Channel")}
</body></html>
`;
}
