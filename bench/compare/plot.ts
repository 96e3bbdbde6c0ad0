/**
 * The comparison plot: end-to-end latency against offered load, one line per contender (p99 solid, p50
 * dashed), both axes logarithmic because the contenders are an order of magnitude apart. Written as SVG
 * by hand and rendered to PNG with resvg (no browser, no native build).
 */
import { Resvg } from '@resvg/resvg-js';

export interface PlotPoint {
  readonly offeredPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface PlotSeries {
  readonly name: string;
  readonly points: readonly PlotPoint[];
}

const WIDTH = 900;
const HEIGHT = 560;
const MARGIN = { left: 80, right: 200, top: 50, bottom: 60 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/** Powers of ten (and 2x, 5x) spanning [min, max], for log-axis ticks. */
function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let decade = Math.floor(Math.log10(min)); decade <= Math.ceil(Math.log10(max)); decade++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** decade;
      if (v >= min && v <= max) ticks.push(v);
    }
  }
  return ticks;
}

function axisRange(values: readonly number[]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi))];
}

function label(v: number): string {
  return v >= 1000 ? `${v / 1000}k` : String(v);
}

export function latencyPlotSvg(title: string, series: readonly PlotSeries[]): string {
  const points = series.flatMap((s) => s.points);
  const [xMin, xMax] = axisRange(points.map((p) => p.offeredPerSecond));
  const [yMin, yMax] = axisRange(points.flatMap((p) => [p.p50Ms, p.p99Ms]));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (v: number): number =>
    MARGIN.left + ((Math.log10(v) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * plotW;
  const y = (v: number): number =>
    MARGIN.top + plotH - ((Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="DejaVu Sans, sans-serif" font-size="13">`,
  );
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  out.push(`<text x="${WIDTH / 2}" y="28" text-anchor="middle" font-size="16">${title}</text>`);
  for (const t of logTicks(xMin, xMax)) {
    out.push(
      `<line x1="${x(t)}" y1="${MARGIN.top}" x2="${x(t)}" y2="${MARGIN.top + plotH}" stroke="#e4e4e4"/>`,
    );
    out.push(`<text x="${x(t)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${label(t)}</text>`);
  }
  for (const t of logTicks(yMin, yMax)) {
    out.push(
      `<line x1="${MARGIN.left}" y1="${y(t)}" x2="${MARGIN.left + plotW}" y2="${y(t)}" stroke="#e4e4e4"/>`,
    );
    out.push(`<text x="${MARGIN.left - 8}" y="${y(t) + 4}" text-anchor="end">${label(t)}</text>`);
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
  );
  out.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 18}" text-anchor="middle">offered load (events/s, log)</text>`,
  );
  out.push(
    `<text transform="translate(22 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">end-to-end latency (ms, log)</text>`,
  );
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length] ?? '#000';
    const sorted = [...s.points].sort((a, b) => a.offeredPerSecond - b.offeredPerSecond);
    for (const [key, dash] of [
      ['p99Ms', ''],
      ['p50Ms', ' stroke-dasharray="6 4"'],
    ] as const) {
      const path = sorted.map((p) => `${x(p.offeredPerSecond).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
      out.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
      for (const p of sorted)
        out.push(
          `<circle cx="${x(p.offeredPerSecond).toFixed(1)}" cy="${y(p[key]).toFixed(1)}" r="3" fill="${colour}"/>`,
        );
    }
    const ly = MARGIN.top + 20 + i * 22;
    const lx = MARGIN.left + plotW + 16;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`);
    out.push(`<text x="${lx + 30}" y="${ly + 4}">${s.name}</text>`);
  });
  const ly = MARGIN.top + 20 + series.length * 22 + 10;
  out.push(`<text x="${MARGIN.left + plotW + 16}" y="${ly}" font-size="11">solid: p99, dashed: p50</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function svgToPng(svg: string): Buffer {
  return new Resvg(svg, { font: { loadSystemFonts: true } }).render().asPng();
}
