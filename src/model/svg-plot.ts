/**
 * The evaluation plot as a hand-written SVG (no plotting dependency): ROC curves per attack scenario,
 * model solid and rules baseline dashed, on a log false-positive-rate axis (the region that matters is
 * below 10%); and the reliability diagram of the model's confidence.
 */
import type { EvaluationReport } from './evaluation.js';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];
const W = 420;
const H = 360;
const PAD = 50;
const MIN_FPR = 1e-4;

const f = (v: number): string => v.toFixed(1);

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** x of a false-positive rate on the log axis of the ROC panel. */
function rocX(fpr: number): number {
  const v = Math.log10(Math.max(fpr, MIN_FPR));
  return PAD + ((v - Math.log10(MIN_FPR)) / -Math.log10(MIN_FPR)) * (W - 2 * PAD);
}

function y01(value: number): number {
  return H - PAD - value * (H - 2 * PAD);
}

function axes(x0: number, title: string, xLabel: string, yLabel: string): string {
  return [
    `<g transform="translate(${x0},0)">`,
    `<rect x="${PAD}" y="${PAD}" width="${W - 2 * PAD}" height="${H - 2 * PAD}" fill="none" stroke="#333"/>`,
    `<text x="${W / 2}" y="${PAD - 18}" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle" font-size="11">${escapeXml(xLabel)}</text>`,
    `<text x="14" y="${H / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 14 ${H / 2})">${escapeXml(yLabel)}</text>`,
    ...[0, 0.25, 0.5, 0.75, 1].map(
      (v) => `<text x="${PAD - 6}" y="${f(y01(v) + 4)}" text-anchor="end" font-size="10">${v}</text>`,
    ),
  ].join('\n');
}

function rocPanel(report: EvaluationReport): string {
  const parts = [
    axes(
      0,
      'ROC per attack scenario (solid: model, dashed: rules)',
      'false-positive rate on genuine claims (log)',
      'share of attack claims caught',
    ),
  ];
  for (const exponent of [-4, -3, -2, -1, 0]) {
    const x = rocX(10 ** exponent);
    parts.push(
      `<text x="${f(x)}" y="${H - PAD + 14}" text-anchor="middle" font-size="10">1e${exponent}</text>`,
    );
    parts.push(`<line x1="${f(x)}" y1="${PAD}" x2="${f(x)}" y2="${H - PAD}" stroke="#ddd"/>`);
  }
  parts.push(
    `<line x1="${f(rocX(0.01))}" y1="${PAD}" x2="${f(rocX(0.01))}" y2="${H - PAD}" stroke="#999" stroke-dasharray="2,2"/>`,
  );
  report.scenarios.forEach((s, k) => {
    const colour = COLOURS[k % COLOURS.length] ?? '#000';
    const curves = report.roc[s.scenario];
    if (curves === undefined) return;
    for (const [points, dash] of [
      [curves.model, ''],
      [curves.rules, ' stroke-dasharray="5,3"'],
    ] as const) {
      const path = points.map((p) => `${f(rocX(p.fpr))},${f(y01(p.tpr))}`).join(' ');
      parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="1.5"${dash}/>`);
    }
    const ly = H - PAD - 8 - (report.scenarios.length - 1 - k) * 13;
    parts.push(
      `<text x="${W - PAD - 6}" y="${ly}" text-anchor="end" font-size="10" fill="${colour}">${escapeXml(s.scenario)}</text>`,
    );
  });
  parts.push('</g>');
  return parts.join('\n');
}

function reliabilityPanel(report: EvaluationReport): string {
  const x = (v: number): number => PAD + v * (W - 2 * PAD);
  const parts = [
    axes(
      W,
      `Reliability (ECE ${report.overall.model.ece.toFixed(4)})`,
      'predicted confidence',
      'observed share genuine',
    ),
  ];
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<text x="${f(x(v))}" y="${H - PAD + 14}" text-anchor="middle" font-size="10">${v}</text>`);
  }
  parts.push(
    `<line x1="${x(0)}" y1="${y01(0)}" x2="${x(1)}" y2="${y01(1)}" stroke="#999" stroke-dasharray="3,3"/>`,
  );
  const total = report.reliability.reduce((sum, b) => sum + b.count, 0);
  for (const bin of report.reliability) {
    if (bin.count === 0) continue;
    const share = bin.count / Math.max(1, total);
    const barH = Math.max(1, Math.sqrt(share) * 60);
    parts.push(
      `<rect x="${f(x(bin.lower) + 2)}" y="${f(H - PAD - barH)}" width="${f(x(bin.upper) - x(bin.lower) - 4)}" height="${f(barH)}" fill="#ccc"/>`,
    );
    parts.push(
      `<circle cx="${f(x(bin.meanPredicted))}" cy="${f(y01(bin.observed))}" r="4" fill="#1f77b4"><title>${bin.count} claims</title></circle>`,
    );
  }
  parts.push('</g>');
  return parts.join('\n');
}

/** The SVG text of the evaluation plot. */
export function evaluationSvg(report: EvaluationReport, title: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 20}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W}" y="16" text-anchor="middle" font-size="13">${escapeXml(title)}: held-out test set</text>`,
    `<g transform="translate(0,20)">`,
    rocPanel(report),
    reliabilityPanel(report),
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}
