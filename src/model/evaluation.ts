/**
 * Evaluation of the model against the rules baseline on a held-out set: ROC AUC overall and per attack
 * scenario, the catch rate of each scenario at a 1% false-positive rate on genuine claims (threshold set
 * on all genuine claims of the set), expected calibration error, a reliability diagram, and the same
 * numbers per subject group (capture channel, line type). Risk = 1 − confidence.
 */
import { ATTACK_SCENARIOS, type AttackScenarioId } from '../simulator/scenario-catalogue.js';
import { expectedCalibrationError, reliabilityBins, type ReliabilityBin } from './calibration.js';
import type { LabelledData } from './labelled-data.js';
import { rocAuc, rocCurve, shareAbove, thresholdAtFpr, type RocPoint } from './roc.js';

/** The false-positive rate on genuine claims at which catch rates are compared. */
export const COMPARISON_FPR = 0.01;

/** The done-when targets. */
export const TARGETS = { auc: 0.98, catchRate: 0.95, ece: 0.03 } as const;

export interface DetectorMetrics {
  readonly auc: number;
  /** Share of the attack claims with risk above the threshold at {@link COMPARISON_FPR}. */
  readonly caught: number;
}

export interface ScenarioMetrics {
  readonly scenario: AttackScenarioId;
  readonly attackClaims: number;
  readonly model: DetectorMetrics;
  readonly rules: DetectorMetrics;
}

export interface GroupMetrics {
  readonly by: 'channel' | 'lineType';
  readonly value: string;
  readonly genuineClaims: number;
  readonly attackClaims: number;
  /** AUC within the group, and its false-positive rate and catch rate at the overall thresholds. */
  readonly model: DetectorMetrics & { readonly fpr: number };
  readonly rules: DetectorMetrics & { readonly fpr: number };
}

export interface EvaluationReport {
  readonly genuineClaims: number;
  readonly attackClaims: number;
  readonly fpr: number;
  readonly overall: {
    readonly model: DetectorMetrics & { readonly ece: number };
    readonly rules: DetectorMetrics & { readonly ece: number };
  };
  readonly scenarios: readonly ScenarioMetrics[];
  readonly groups: readonly GroupMetrics[];
  readonly reliability: readonly ReliabilityBin[];
  /** ROC curves (risk ranking) of each scenario against all genuine claims. */
  readonly roc: Readonly<Record<string, { readonly model: RocPoint[]; readonly rules: RocPoint[] }>>;
  readonly targets: {
    readonly aucMet: boolean;
    readonly catchRateMet: boolean;
    readonly eceMet: boolean;
    /** Strictly more caught than the rules on every scenario. */
    readonly beatsRulesEverywhere: boolean;
    /** At least as many caught as the rules on every scenario (ties where both catch everything). */
    readonly notWorseAnywhere: boolean;
  };
}

interface Split {
  readonly genuine: number[];
  readonly attack: number[];
}

function split(risk: ArrayLike<number>, data: LabelledData, keep: (i: number) => boolean): Split {
  const genuine: number[] = [];
  const attack: number[] = [];
  for (let i = 0; i < data.rows.count; i += 1) {
    if (!keep(i)) continue;
    if (data.genuine[i] === 1) genuine.push(risk[i] ?? 0);
    else attack.push(risk[i] ?? 0);
  }
  return { genuine, attack };
}

function detector(s: Split, threshold: number): DetectorMetrics {
  return { auc: rocAuc(s.attack, s.genuine), caught: shareAbove(s.attack, threshold) };
}

function groupMetrics(
  by: 'channel' | 'lineType',
  values: readonly string[],
  risks: { model: Float64Array; rules: Float64Array },
  thresholds: { model: number; rules: number },
  data: LabelledData,
): GroupMetrics[] {
  const column = by === 'channel' ? data.channel : data.lineType;
  return [...new Set(values)].sort().map((value) => {
    const keep = (i: number): boolean => column[i] === value;
    const m = split(risks.model, data, keep);
    const r = split(risks.rules, data, keep);
    return {
      by,
      value,
      genuineClaims: m.genuine.length,
      attackClaims: m.attack.length,
      model: { ...detector(m, thresholds.model), fpr: shareAbove(m.genuine, thresholds.model) },
      rules: { ...detector(r, thresholds.rules), fpr: shareAbove(r.genuine, thresholds.rules) },
    };
  });
}

/** Evaluates model confidences `confidence` (row-aligned with `data`) against the rules baseline. */
export function evaluate(confidence: ArrayLike<number>, data: LabelledData): EvaluationReport {
  const n = data.rows.count;
  const risks = { model: new Float64Array(n), rules: new Float64Array(n) };
  for (let i = 0; i < n; i += 1) {
    risks.model[i] = 1 - (confidence[i] ?? 0);
    risks.rules[i] = 1 - (data.rulesConfidence[i] ?? 0);
  }
  const all = (): boolean => true;
  const model = split(risks.model, data, all);
  const rules = split(risks.rules, data, all);
  const thresholds = {
    model: thresholdAtFpr(model.genuine, COMPARISON_FPR),
    rules: thresholdAtFpr(rules.genuine, COMPARISON_FPR),
  };
  const roc: Record<string, { model: RocPoint[]; rules: RocPoint[] }> = {};
  const scenarios = ATTACK_SCENARIOS.map((scenario): ScenarioMetrics => {
    const keep = (i: number): boolean => data.genuine[i] === 1 || data.scenario[i] === scenario;
    const m = split(risks.model, data, keep);
    const r = split(risks.rules, data, keep);
    roc[scenario] = { model: rocCurve(m.attack, m.genuine), rules: rocCurve(r.attack, r.genuine) };
    return {
      scenario,
      attackClaims: m.attack.length,
      model: detector(m, thresholds.model),
      rules: detector(r, thresholds.rules),
    };
  });
  const genuineOutcome = Array.from(data.genuine);
  const ece = expectedCalibrationError(confidence, genuineOutcome);
  const overall = {
    model: { ...detector(model, thresholds.model), ece },
    rules: {
      ...detector(rules, thresholds.rules),
      ece: expectedCalibrationError(data.rulesConfidence, genuineOutcome),
    },
  };
  return {
    genuineClaims: model.genuine.length,
    attackClaims: model.attack.length,
    fpr: COMPARISON_FPR,
    overall,
    scenarios,
    groups: [
      ...groupMetrics('channel', data.channel, risks, thresholds, data),
      ...groupMetrics('lineType', data.lineType, risks, thresholds, data),
    ],
    reliability: reliabilityBins(confidence, genuineOutcome, 10),
    roc,
    targets: {
      aucMet: overall.model.auc >= TARGETS.auc,
      catchRateMet: scenarios.every((s) => s.model.caught >= TARGETS.catchRate),
      eceMet: ece <= TARGETS.ece,
      beatsRulesEverywhere: scenarios.every((s) => s.model.caught > s.rules.caught),
      notWorseAnywhere: scenarios.every((s) => s.model.caught >= s.rules.caught),
    },
  };
}
