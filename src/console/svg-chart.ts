/**
 * Small line charts drawn on the server as inline SVG (presentation attributes only, so the strict CSP
 * holds): no chart library, no script, readable without JavaScript.
 */
import { html, type Html } from './html.js';

export interface Series {
  readonly name: string;
  readonly colour: string;
  /** [x, y] points, x ascending. */
  readonly points: readonly (readonly [number, number])[];
}

const W = 640;
const H = 160;
const PAD = 28;

export function lineChart(series: readonly Series[], yMax: number | null, label: string): Html {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  if (xs.length === 0) return html`<p>No data yet.</p>`;
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  const top = yMax ?? Math.max(...ys, 1e-9);
  const sx = (x: number): number => PAD + ((x - x0) / (x1 - x0)) * (W - 2 * PAD);
  const sy = (y: number): number => H - PAD - (Math.min(y, top) / top) * (H - 2 * PAD);
  const lines = series.map((s) => {
    const d = s.points.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ');
    return html`<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${d}"
      ><title>${s.name}</title></polyline
    >`;
  });
  const legend = series.map(
    (s, i) => html`<text x="${PAD + i * 120}" y="14" font-size="11" fill="${s.colour}">${s.name}</text>`,
  );
  return html`<svg
    class="chart"
    role="img"
    aria-label="${label}"
    width="${W}"
    height="${H}"
    viewBox="0 0 ${W} ${H}"
  >
    <line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#999" />
    <text x="2" y="${PAD + 4}" font-size="10">${Number(top.toPrecision(3))}</text>
    <text x="2" y="${H - PAD}" font-size="10">0</text>
    ${legend} ${lines}
  </svg>`;
}
