/**
 * A small SVG line chart for the plots of the reference site: linear y axis, linear or
 * base-2 logarithmic x axis, one polyline with point markers per series, a legend, and
 * optional vertical range bars for measured values. Axes and text use `currentColor` so the
 * chart follows the page's light or dark theme; the output is deterministic.
 *
 * @module
 */

/** One point of a series. */
export interface ChartPoint {
  /** x value, in axis units. */
  readonly x: number;
  /** y value, in axis units. */
  readonly y: number;
}

/** One line of a chart. */
export interface ChartSeries {
  /** Legend text. */
  readonly name: string;
  /** Points in increasing x. */
  readonly points: readonly ChartPoint[];
  /** SVG `stroke-dasharray`, to tell apart series that coincide. */
  readonly dash?: string;
}

/** A vertical bar from `yLow` to `yHigh` at `x`: a measured range drawn over the model. */
export interface ChartRange {
  /** x value. */
  readonly x: number;
  /** Lower end. */
  readonly yLow: number;
  /** Upper end. */
  readonly yHigh: number;
  /** Label written beside the bar. */
  readonly label: string;
}

/** Axes, labels and ticks of {@link lineChartSvg}. */
export interface ChartOptions {
  /** Title above the plot. */
  readonly title: string;
  /** x-axis label. */
  readonly xLabel: string;
  /** y-axis label. */
  readonly yLabel: string;
  /** `"log2"` for a base-2 logarithmic x axis (sizes), else linear. */
  readonly xScale: "linear" | "log2";
  /** x values that get a tick and a grid line. */
  readonly xTicks: readonly number[];
  /** Tick text of an x value. */
  readonly xTickLabel: (x: number) => string;
  /** y range shown. */
  readonly yMin: number;
  /** y range shown. */
  readonly yMax: number;
  /** y values that get a tick and a grid line. */
  readonly yTicks: readonly number[];
  /** Tick text of a y value. */
  readonly yTickLabel: (y: number) => string;
  /** Measured ranges drawn over the series. */
  readonly ranges?: readonly ChartRange[];
}

/** Line colours, readable on light and dark backgrounds. */
export const CHART_COLOURS: readonly string[] = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
];

const W = 720;
const H = 400;
const M = { left: 64, right: 190, top: 36, bottom: 52 };

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const num = (v: number): string => String(Math.round(v * 100) / 100);

/** Thrown when a chart's options or data cannot be drawn; names what is wrong. */
export class ChartError extends Error {
  /**
   * @param message - what is wrong
   */
  constructor(message: string) {
    super(message);
    this.name = "ChartError";
  }
}

/**
 * Draws a line chart.
 *
 * @param series - the lines
 * @param o - axes, labels and ticks
 * @returns the `<svg>` document as one string
 * @throws ChartError when a point lies outside the axes or a log axis gets a value ≤ 0
 */
export function lineChartSvg(series: readonly ChartSeries[], o: ChartOptions): string {
  const xs = [...o.xTicks, ...series.flatMap((s) => s.points.map((p) => p.x))];
  if (xs.length === 0) throw new ChartError('"series" expected at least one point, got none');
  if (o.xScale === "log2" && xs.some((x) => !(x > 0)))
    throw new ChartError(`"x" expected values > 0 on a log axis, got ${Math.min(...xs)}`);
  const tx = (x: number): number => (o.xScale === "log2" ? Math.log2(x) : x);
  const x0 = Math.min(...xs.map(tx));
  const x1 = Math.max(...xs.map(tx));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const X = (x: number): number => M.left + ((tx(x) - x0) / (x1 - x0 || 1)) * pw;
  const Y = (y: number): number => M.top + (1 - (y - o.yMin) / (o.yMax - o.yMin)) * ph;
  for (const s of series)
    for (const p of s.points)
      if (p.y < o.yMin || p.y > o.yMax)
        throw new ChartError(
          `"${s.name}" expected y in [${o.yMin}, ${o.yMax}], got ${p.y} at x = ${p.x}`,
        );
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="rashpa-chart" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui,sans-serif" font-size="12" fill="currentColor" stroke="currentColor">`,
    `<title>${esc(o.title)}</title>`,
    `<text x="${M.left}" y="20" font-size="14" font-weight="bold" stroke="none">${esc(o.title)}</text>`,
  ];
  for (const t of o.yTicks) {
    out.push(
      `<line x1="${M.left}" x2="${M.left + pw}" y1="${num(Y(t))}" y2="${num(Y(t))}" stroke-opacity="0.15"/>`,
      `<text x="${M.left - 6}" y="${num(Y(t) + 4)}" text-anchor="end" stroke="none">${esc(o.yTickLabel(t))}</text>`,
    );
  }
  for (const t of o.xTicks) {
    out.push(
      `<line x1="${num(X(t))}" x2="${num(X(t))}" y1="${M.top}" y2="${M.top + ph}" stroke-opacity="0.15"/>`,
      `<text x="${num(X(t))}" y="${M.top + ph + 16}" text-anchor="middle" stroke="none">${esc(o.xTickLabel(t))}</text>`,
    );
  }
  out.push(
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none"/>`,
    `<text x="${M.left + pw / 2}" y="${H - 10}" text-anchor="middle" stroke="none">${esc(o.xLabel)}</text>`,
    `<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" stroke="none">${esc(o.yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const colour = CHART_COLOURS[i % CHART_COLOURS.length]!;
    const pts = s.points.map((p) => `${num(X(p.x))},${num(Y(p.y))}`).join(" ");
    out.push(
      `<g class="series" data-name="${esc(s.name)}" stroke="${colour}" fill="${colour}">`,
      `<polyline points="${pts}" fill="none" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`,
      ...s.points.map(
        (p) => `<circle cx="${num(X(p.x))}" cy="${num(Y(p.y))}" r="2.5" stroke="none"/>`,
      ),
      "</g>",
    );
    const ly = M.top + 10 + i * 20;
    out.push(
      `<line x1="${M.left + pw + 14}" x2="${M.left + pw + 40}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`,
      `<text x="${M.left + pw + 46}" y="${ly + 4}" stroke="none">${esc(s.name)}</text>`,
    );
  });
  for (const r of o.ranges ?? []) {
    const x = num(X(r.x));
    out.push(
      `<g class="range" stroke-width="2">`,
      `<line x1="${x}" x2="${x}" y1="${num(Y(r.yLow))}" y2="${num(Y(r.yHigh))}"/>`,
      `<line x1="${num(X(r.x) - 5)}" x2="${num(X(r.x) + 5)}" y1="${num(Y(r.yLow))}" y2="${num(Y(r.yLow))}"/>`,
      `<line x1="${num(X(r.x) - 5)}" x2="${num(X(r.x) + 5)}" y1="${num(Y(r.yHigh))}" y2="${num(Y(r.yHigh))}"/>`,
      `<text x="${num(X(r.x) + 8)}" y="${num(Y(r.yLow) + 14)}" stroke="none">${esc(r.label)}</text>`,
      "</g>",
    );
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
