/**
 * Minimal inline SVG charts for the HTML report: no scripts, no external assets, so the report
 * opens anywhere, offline. Values that are not finite are skipped.
 */

export interface Series {
  readonly name: string;
  readonly values: readonly number[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
const W = 720;
const H = 240;
const PAD = { left: 56, right: 16, top: 28, bottom: 36 };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function frame(title: string, yMax: number, format: (v: number) => string): string {
  const parts = [`<text x="${PAD.left}" y="18" font-weight="bold">${escapeHtml(title)}</text>`];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    const y = H - PAD.bottom - ((H - PAD.top - PAD.bottom) * i) / 4;
    parts.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${escapeHtml(format(v))}</text>`,
    );
  }
  return parts.join("");
}

function legend(names: readonly string[]): string {
  return names
    .map(
      (n, i) =>
        `<rect x="${W - PAD.right - 130}" y="${8 + i * 14}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>` +
        `<text x="${W - PAD.right - 116}" y="${17 + i * 14}">${escapeHtml(n)}</text>`,
    )
    .join("");
}

/** One line per series over a shared x axis labelled by `xLabels` (a few shown). */
export function lineChart(options: {
  readonly title: string;
  readonly series: readonly Series[];
  readonly xLabels: readonly string[];
  readonly format: (v: number) => string;
  readonly yMax?: number;
}): string {
  const { series, xLabels } = options;
  const all = series.flatMap((s) => s.values.filter(Number.isFinite));
  const yMax = options.yMax ?? niceMax(Math.max(0, ...all));
  const n = Math.max(1, xLabels.length - 1);
  const x = (i: number) => PAD.left + ((W - PAD.left - PAD.right) * i) / n;
  const y = (v: number) => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * Math.min(v, yMax)) / yMax;
  const lines = series.map((s, si) => {
    const pts = s.values
      .map((v, i) => (Number.isFinite(v) ? `${x(i).toFixed(1)},${y(v).toFixed(1)}` : ""))
      .filter((p) => p !== "")
      .join(" ");
    return `<polyline fill="none" stroke="${COLORS[si % COLORS.length]}" stroke-width="1.5" points="${pts}"/>`;
  });
  const step = Math.max(1, Math.ceil(xLabels.length / 8));
  const ticks = xLabels
    .map((l, i) =>
      i % step === 0
        ? `<text x="${x(i)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${escapeHtml(l)}</text>`
        : "",
    )
    .join("");
  return svg(
    frame(options.title, yMax, options.format) +
      lines.join("") +
      ticks +
      legend(series.map((s) => s.name)),
  );
}

/** Grouped bars: one group per category, one bar per series. */
export function barChart(options: {
  readonly title: string;
  readonly categories: readonly string[];
  readonly series: readonly Series[];
  readonly format: (v: number) => string;
  readonly yMax?: number;
}): string {
  const { categories, series } = options;
  const all = series.flatMap((s) => s.values.filter(Number.isFinite));
  const yMax = options.yMax ?? niceMax(Math.max(0, ...all));
  const groupW = (W - PAD.left - PAD.right) / Math.max(1, categories.length);
  const barW = (groupW * 0.8) / Math.max(1, series.length);
  const bars: string[] = [];
  categories.forEach((c, ci) => {
    series.forEach((s, si) => {
      const v = s.values[ci] ?? 0;
      if (!Number.isFinite(v)) return;
      const h = ((H - PAD.top - PAD.bottom) * Math.min(v, yMax)) / yMax;
      const bx = PAD.left + ci * groupW + groupW * 0.1 + si * barW;
      bars.push(
        `<rect x="${bx.toFixed(1)}" y="${(H - PAD.bottom - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[si % COLORS.length]}"><title>${escapeHtml(`${s.name} ${c}: ${options.format(v)}`)}</title></rect>`,
      );
    });
    bars.push(
      `<text x="${(PAD.left + ci * groupW + groupW / 2).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${escapeHtml(c)}</text>`,
    );
  });
  return svg(
    frame(options.title, yMax, options.format) + bars.join("") + legend(series.map((s) => s.name)),
  );
}

function svg(body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11">${body}</svg>`;
}
