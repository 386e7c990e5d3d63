/** One CSV of every KPI row: per policy × (overall | queue | channel | interval). */
import type { Kpis } from "./kpi.js";
import type { SimResult } from "./run-scenario.js";

const KPI_COLUMNS: readonly (keyof Kpis)[] = [
  "contacts",
  "answered",
  "abandoned",
  "unresolved",
  "serviceLevel",
  "asaS",
  "meanWaitS",
  "pWait",
  "abandonRate",
  "ahtS",
  "occupancy",
  "repeatShare",
  "repeatSameAgentShare",
  "offersRejected",
  "offersTimedOut",
];

function cell(v: string | number | null): string {
  if (v === null) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(6);
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function renderCsv(result: SimResult): string {
  const rows: string[] = [["policy", "scope", "key", "startHour", ...KPI_COLUMNS].join(",")];
  const push = (policy: string, scope: string, key: string, startHour: number | null, k: Kpis) => {
    rows.push([policy, scope, key, startHour, ...KPI_COLUMNS.map((c) => k[c])].map(cell).join(","));
  };
  for (const p of result.policies) {
    push(p.policy, "overall", "", null, p.overall);
    for (const [q, k] of Object.entries(p.byQueue)) push(p.policy, "queue", q, null, k);
    for (const [c, k] of Object.entries(p.byChannel)) push(p.policy, "channel", c, null, k);
    p.intervals.forEach((k, i) => {
      push(p.policy, "interval", String(i), k.startMs / 3_600_000, k);
    });
  }
  return `${rows.join("\n")}\n`;
}
