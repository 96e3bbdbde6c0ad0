/** The plots of `npm run bench -- --compare`: latency against offered load, and p99 per second at each
 * fixed rate (every contender and repetition: a stall is a spike). */
import { writeFileSync } from 'node:fs';
import { PARTITIONS } from './context.js';
import type { LiveSession } from './live.js';
import { seriesPlotSvg } from './live-summary.js';
import { latencyPlotSvg, svgToPng, type PlotPoint } from './plot.js';

interface Runs {
  readonly spec: { readonly name: string };
  readonly live: readonly LiveSession[];
}

export function writePlots(
  dir: URL,
  base: string,
  runs: readonly Runs[],
  results: readonly { name: string; latency: readonly PlotPoint[] }[],
): void {
  const series = results.map((r) => ({ name: r.name, points: r.latency })).filter((r) => r.points.length > 0);
  if (series.length > 0) {
    const svg = latencyPlotSvg(`Latency against offered load (${PARTITIONS} partitions, one run)`, series);
    writeFileSync(new URL(`${base}.svg`, dir), svg);
    writeFileSync(new URL(`${base}.png`, dir), svgToPng(svg));
  }
  const rates = [
    ...new Set(runs.flatMap((r) => r.live.flatMap((l) => l.fixed.map((p) => p.offeredPerSecond)))),
  ];
  for (const rate of rates) {
    const lines = runs.flatMap((r, colour) =>
      r.live.map((l, rep) => ({
        name: `${r.spec.name} #${rep + 1}`,
        colour,
        points: l.fixed.find((p) => p.offeredPerSecond === rate)?.series ?? [],
      })),
    );
    const svg = seriesPlotSvg(`p99 per second at ${rate} events/s (every repetition)`, lines);
    writeFileSync(new URL(`${base}-series-${rate}.svg`, dir), svg);
    writeFileSync(new URL(`${base}-series-${rate}.png`, dir), svgToPng(svg));
  }
}
