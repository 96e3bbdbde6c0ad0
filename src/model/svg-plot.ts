/**
 * The evaluation plot as a hand-written SVG (no plotting dependency): the catch rate at 1% FPR of each
 * attack family, model against the rules baseline; and the reliability diagram of the model's confidence.
 */
import type { EvaluationReport } from './evaluation.js';
import type { ProtocolResults } from './model-card.js';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];
const W = 420;
const H = 360;
const PAD = 50;

const f = (v: number): string => v.toFixed(1);

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
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

/**
 * Catch rate at 1% FPR per attack family: model (leave-family-out when run, else held-out) solid, rules
 * hatched grey; a dashed line at the 90% target.
 */
function catchPanel(report: EvaluationReport, protocols: ProtocolResults): string {
  const attacks = protocols.leaveFamilyOut?.attacks ?? report.attacks;
  const where = protocols.leaveFamilyOut === undefined ? 'held-out' : 'leave-family-out';
  const parts = [axes(0, `Caught at 1% FPR (${where})`, 'attack family', 'share caught')];
  const slot = (W - 2 * PAD) / Math.max(1, attacks.length);
  attacks.forEach((a, k) => {
    const x0 = PAD + k * slot;
    const bar = (value: number, dx: number, fill: string): string =>
      `<rect x="${f(x0 + dx)}" y="${f(y01(value))}" width="${f(slot * 0.38)}" height="${f(y01(0) - y01(value))}" fill="${fill}"><title>${escapeXml(a.family)} ${(value * 100).toFixed(1)}%</title></rect>`;
    parts.push(bar(a.model.caught1, slot * 0.1, COLOURS[k % COLOURS.length] ?? '#1f77b4'));
    parts.push(bar(a.rules.caught1, slot * 0.5, '#bbb'));
    parts.push(
      `<text x="${f(x0 + slot / 2)}" y="${H - PAD + 12}" text-anchor="end" font-size="9" transform="rotate(-30 ${f(x0 + slot / 2)} ${H - PAD + 12})">${escapeXml(a.family)}</text>`,
    );
  });
  parts.push(
    `<line x1="${PAD}" y1="${f(y01(0.9))}" x2="${W - PAD}" y2="${f(y01(0.9))}" stroke="#d62728" stroke-dasharray="4,3"/>`,
  );
  parts.push(
    `<text x="${W - PAD - 4}" y="${f(y01(0.9) - 4)}" text-anchor="end" font-size="9">target 90% (grey: rules)</text>`,
  );
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
export function evaluationSvg(report: EvaluationReport, protocols: ProtocolResults, title: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 20}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W}" y="16" text-anchor="middle" font-size="13">${escapeXml(title)}: catch rates and calibration</text>`,
    `<g transform="translate(0,20)">`,
    catchPanel(report, protocols),
    reliabilityPanel(report),
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}
