/**
 * MODEL_CARD.md of a model version, generated from its evaluation by `dmid model evaluate` (never edited by
 * hand): the held-out test, the leave-family-out protocol and the shift test, against the rules baseline,
 * with the issue's targets, the terms and their bounds, and the simulator's genuine base rates.
 */
import type { ModelMetadata } from '../scoring/model/model-files.js';
import { TERMS } from '../scoring/model/additive-terms.js';
import { BAD_END_SHARE } from './additive-training.js';
import {
  TARGETS,
  type AttackFamilyMetrics,
  type BenignGroupMetrics,
  type EvaluationReport,
} from './evaluation.js';

/** What the optional protocols produced. */
export interface ProtocolResults {
  leaveFamilyOut?: {
    readonly epochs: number;
    readonly attacks: readonly AttackFamilyMetrics[];
    readonly benign: readonly Omit<BenignGroupMetrics, 'claims'>[];
    /** Attack-weighted mean of the left-out families' AUCs. */
    readonly pooledAuc: number;
  };
  shift?: { readonly factor: number; readonly report: EvaluationReport };
}

const num = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(4));
const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
const yes = (ok: boolean): string => (ok ? 'met' : '**not met**');

function attackTable(attacks: readonly AttackFamilyMetrics[]): string {
  const rows = attacks.map(
    (a) =>
      `| ${a.family} | ${a.claims} | ${num(a.model.auc)} | ${num(a.rules.auc)} | ${pct(a.model.caught1)} | ${pct(a.rules.caught1)} | ${pct(a.model.caught5)} | ${pct(a.rules.caught5)} |`,
  );
  return [
    '| family | attack claims | AUC model | AUC rules | caught @1% model | @1% rules | caught @5% model | @5% rules |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function benignTable(benign: readonly Omit<BenignGroupMetrics, 'claims'>[]): string {
  const rows = benign.map((b) => `| ${b.group} | ${pct(b.model.fpr1)} | ${pct(b.rules.fpr1)} |`);
  return ['| genuine group | FPR @1% model | FPR @1% rules |', '|---|---|---|', ...rows].join('\n');
}

function summary(report: EvaluationReport): string {
  const o = report.overall;
  const s = report.saturation;
  return [
    '| | model | rules |',
    '|---|---|---|',
    `| ROC AUC | ${num(o.model.auc)} | ${num(o.rules.auc)} |`,
    `| attacks caught at 1% FPR | ${pct(o.model.caught1)} | ${pct(o.rules.caught1)} |`,
    `| attacks caught at 5% FPR | ${pct(o.model.caught5)} | ${pct(o.rules.caught5)} |`,
    `| ECE (15 bins) | ${num(o.model.ece)} | ${num(o.rules.ece)} |`,
    `| genuine above 0.999 / below 0.001 | ${pct(s.genuineAbove999)} / ${pct(s.genuineBelow001)} | |`,
    `| median top-reason \\|log-odds\\| of attack claims | ${num(s.medianTopReasonLogOdds)} | |`,
    `| attack claims whose top reason ≥ 1.0 log-odds | ${pct(s.topReasonAtLeast1)} | |`,
  ].join('\n');
}

function targets(report: EvaluationReport, p: ProtocolResults): string {
  const lfo = p.leaveFamilyOut;
  const attacks = lfo?.attacks ?? report.attacks;
  const benign = lfo?.benign ?? report.benign;
  const where = lfo === undefined ? 'held-out test (leave-family-out not run)' : 'leave-family-out';
  const minCaught = Math.min(...attacks.map((a) => a.model.caught1));
  const maxFpr = Math.max(...benign.filter((b) => b.group !== 'ordinary').map((b) => b.model.fpr1));
  const auc = lfo?.pooledAuc ?? report.overall.model.auc;
  const notWorse = attacks.every((a) => a.model.caught1 >= a.rules.caught1 && a.model.auc >= a.rules.auc);
  const s = report.saturation;
  return [
    `Targets of issue 17, read on the ${where}:`,
    '',
    '| target | measured | |',
    '|---|---|---|',
    `| overall AUC ≥ ${TARGETS.auc} | ${num(auc)} | ${yes(auc >= TARGETS.auc)} |`,
    `| every attack family ≥ ${pct(TARGETS.catchRate)} caught at 1% FPR | min ${pct(minCaught)} | ${yes(minCaught >= TARGETS.catchRate)} |`,
    `| every benign look-alike group's FPR ≤ ${pct(TARGETS.benignFpr)} | max ${pct(maxFpr)} | ${yes(maxFpr <= TARGETS.benignFpr)} |`,
    `| ECE ≤ ${TARGETS.ece} (shipped model, test set) | ${num(report.overall.model.ece)} | ${yes(report.overall.model.ece <= TARGETS.ece)} |`,
    `| model ≥ rules on every family (AUC and catch @1%) | | ${yes(notWorse)} |`,
    `| genuine above 0.999 < ${pct(TARGETS.genuineAbove999)} | ${pct(s.genuineAbove999)} | ${yes(s.genuineAbove999 < TARGETS.genuineAbove999)} |`,
    `| every attack claim's top reason ≥ ${TARGETS.topReasonLogOdds} log-odds | ${pct(s.topReasonAtLeast1)} of them | ${yes((s.topReasonAtLeast1 ?? 0) >= 1)} |`,
  ].join('\n');
}

function termTable(metadata: ModelMetadata): string {
  const a = metadata.calibration.a;
  const rows = TERMS.map(
    (t) =>
      `| ${t.name} | ${t.dimension} | ${t.kind} | [${t.lo}, ${t.hi}] | [${(a * t.lo).toFixed(2)}, ${(a * t.hi).toFixed(2)}] | ${t.negative ?? ''} / ${t.positive ?? ''} | ${t.reads} |`,
  );
  return [
    '| term | dimension | kind | bounds (raw log-odds) | bounds after calibration | codes (− / +) | g reads |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export function modelCard(
  report: EvaluationReport,
  protocols: ProtocolResults,
  metadata: ModelMetadata,
  testRows: number,
): string {
  const id = `${metadata.name}-${metadata.version}`;
  const lfo = protocols.leaveFamilyOut;
  const shift = protocols.shift;
  const cal = metadata.calibration;
  const ece = metadata.training['calibrationEce'] as { none?: number; platt?: number } | undefined;
  return `# Model card: ${id}

Generated by \`dmid model evaluate\` (\`--protocol leave-family-out --shift\`) from \`metrics.json\`; do not edit
by hand. Seed \`${metadata.seed}\`. What the model is and why: [docs/model.md](../../../docs/model.md).

## Model
An additive evidence model in log-odds (a neural additive model trained with tfjs): confidence =
σ(a·(bias + Σ_t freshness_d(t) · f_t(g_t)) + c), one monotone, bounded, piecewise-linear shape function per
term (${metadata.additive.knots} intervals, the worst value at least ${BAD_END_SHARE} of the lower bound: the domain
prior), capped by the contract's hard facts. Calibration: **${cal.kind}**
(a = ${cal.a.toFixed(4)}, c = ${cal.c.toFixed(4)}), chosen by ECE on held-out validation rows
(none ${num(ece?.none ?? null)}, Platt ${num(ece?.platt ?? null)}). Training: ${String(metadata.training['epochs'])} epochs on
${String(metadata.training['trainRows'])} uncapped claims.

${termTable(metadata)}

## Held-out test (same simulator, other people)
${testRows} claims, ${report.genuineClaims} genuine, ${report.attackClaims} attacks.

${summary(report)}

${attackTable(report.attacks)}

${benignTable(report.benign)}

## Leave-family-out
${
  lfo === undefined
    ? 'Not run (`dmid model evaluate --protocol leave-family-out`).'
    : `One model per family, trained (${lfo.epochs} epochs, fewer than the shipped model's, to stay bounded on 2 cores) without any claim of that family, scored on that family's test claims against every genuine test claim. Attack-weighted AUC of the left-out families: ${num(lfo.pooledAuc)}.

${attackTable(lfo.attacks)}

${benignTable(lfo.benign)}`
}

## Shift test
${
  shift === undefined
    ? 'Not run (`--shift`).'
    : `The shipped model on a population drawn with every genuine risk base rate × ${shift.factor} and wider capture-quality spread (population.ts \`shift\`).

${summary(shift.report)}

${attackTable(shift.report.attacks)}

${benignTable(shift.report.benign)}`
}

## Targets
${targets(report, protocols)}

![per-family catch rates and reliability](evaluation.svg)

## Limits
- The data are simulated. Genuine people carry every risk fact at the base rates documented in
  src/simulator/population.ts, but the attack mix (${String(metadata.training['fraudRate'])} of subjects) is far above real
  life: set thresholds on the deployment's own base rate.
- A family the model never saw is caught only through the evidence it shares with others; an attack visible
  in a single weak dimension is bounded by that dimension's terms by design.
`;
}
