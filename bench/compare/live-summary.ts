/**
 * Medians and spread over the repetitions of the side-by-side benchmark, and the per-second latency plot
 * (p99 of each second at one fixed rate, one line per contender and repetition: a stall is a spike).
 */
import type { LivePoint, LiveSession } from './live.js';

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: NaN, min: NaN, max: NaN };
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN };
}

export interface FixedRateSummary {
  readonly offeredPerSecond: number;
  readonly p50Ms: Spread;
  readonly p99Ms: Spread;
  readonly p999Ms: Spread;
  readonly maxMs: Spread;
  readonly cpuSecondsPer1000: Spread;
  readonly redisCpuSecondsPer1000: Spread;
  readonly brokerCpuSecondsPer1000: Spread;
  readonly meanBatchRecords: Spread;
}

export interface LiveSummary {
  readonly capacity: Spread;
  readonly peakRssMiB: Spread;
  readonly fixed: FixedRateSummary[];
}

export function summarizeLive(sessions: readonly LiveSession[]): LiveSummary {
  const rates = [...new Set(sessions.flatMap((s) => s.fixed.map((p) => p.offeredPerSecond)))];
  const at = (rate: number): LivePoint[] =>
    sessions.flatMap((s) => s.fixed.filter((p) => p.offeredPerSecond === rate));
  const of = (points: LivePoint[], key: keyof LivePoint): Spread =>
    spread(points.map((p) => p[key] as number));
  return {
    capacity: spread(sessions.map((s) => s.capacity)),
    peakRssMiB: spread(sessions.flatMap((s) => [...s.fixed, ...s.probes].map((p) => p.peakRssMiB))),
    fixed: rates.map((rate) => {
      const points = at(rate);
      return {
        offeredPerSecond: rate,
        p50Ms: of(points, 'p50Ms'),
        p99Ms: of(points, 'p99Ms'),
        p999Ms: of(points, 'p999Ms'),
        maxMs: of(points, 'maxMs'),
        cpuSecondsPer1000: of(points, 'cpuSecondsPer1000'),
        redisCpuSecondsPer1000: of(points, 'redisCpuSecondsPer1000'),
        brokerCpuSecondsPer1000: of(points, 'brokerCpuSecondsPer1000'),
        meanBatchRecords: of(points, 'meanBatchRecords'),
      };
    }),
  };
}

const fmt = (s: Spread, digits = 0): string =>
  `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;

/** One line per contender for the console: capacity and p50/p99/p99.9/max at each fixed rate. */
export function describeLive(name: string, summary: LiveSummary): string {
  const fixed = summary.fixed.map(
    (f) =>
      `${f.offeredPerSecond}/s p50 ${fmt(f.p50Ms)} p99 ${fmt(f.p99Ms)} p99.9 ${fmt(f.p999Ms)} max ${fmt(f.maxMs)} ms, ` +
      `CPU s/1,000 ${fmt(f.cpuSecondsPer1000, 3)} + ${fmt(f.redisCpuSecondsPer1000, 3)} + ${fmt(f.brokerCpuSecondsPer1000, 3)}`,
  );
  return [
    `${name}: live capacity ${fmt(summary.capacity)} events/s, peak RSS ${fmt(summary.peakRssMiB)} MiB`,
    ...fixed.map((l) => `  ${l}`),
  ].join('\n');
}

const WIDTH = 900;
const HEIGHT = 480;
const M = { left: 70, right: 230, top: 50, bottom: 50 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/** p99 per second against seconds since the load started, log latency axis; one line per series. */
export function seriesPlotSvg(
  title: string,
  series: readonly { name: string; colour: number; points: readonly { s: number; p99Ms: number }[] }[],
): string {
  const all = series.flatMap((s) => s.points).filter((p) => p.p99Ms > 0);
  const xMax = Math.max(1, ...all.map((p) => p.s + 1));
  const yMin = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...all.map((p) => p.p99Ms)))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(10, ...all.map((p) => p.p99Ms))));
  const w = WIDTH - M.left - M.right;
  const h = HEIGHT - M.top - M.bottom;
  const x = (s: number): number => M.left + (s / xMax) * w;
  const y = (v: number): number =>
    M.top + h - ((Math.log10(Math.max(v, yMin)) - Math.log10(yMin)) / Math.log10(yMax / yMin)) * h;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="28" text-anchor="middle" font-size="15">${title}</text>`,
    `<rect x="${M.left}" y="${M.top}" width="${w}" height="${h}" fill="none" stroke="#333"/>`,
    `<text x="${M.left + w / 2}" y="${HEIGHT - 12}" text-anchor="middle">seconds since the load started</text>`,
    `<text transform="translate(18 ${M.top + h / 2}) rotate(-90)" text-anchor="middle">p99 of the second (ms, log)</text>`,
  ];
  for (let v = yMin; v <= yMax; v *= 10) {
    out.push(`<line x1="${M.left}" y1="${y(v)}" x2="${M.left + w}" y2="${y(v)}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`);
  }
  for (let s = 0; s <= xMax; s += Math.max(1, Math.round(xMax / 10)))
    out.push(`<text x="${x(s)}" y="${M.top + h + 16}" text-anchor="middle">${s}</text>`);
  series.forEach((s, i) => {
    const colour = COLOURS[s.colour % COLOURS.length] ?? '#000';
    const path = s.points.map((p) => `${x(p.s + 0.5).toFixed(1)},${y(p.p99Ms).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="1.5"/>`);
    const ly = M.top + 14 + i * 18;
    out.push(
      `<line x1="${M.left + w + 12}" y1="${ly}" x2="${M.left + w + 32}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`,
    );
    out.push(`<text x="${M.left + w + 38}" y="${ly + 4}">${s.name}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
