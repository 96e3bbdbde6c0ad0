/**
 * How well a scorer separates attacks from genuine claims, per scenario family, against the rules
 * baseline: the numbers behind metrics.json and the model card. Risk = 1 − confidence; the operating
 * thresholds are set on all genuine claims (1% and 5% of them flagged).
 */
import { ATTACK_SCENARIOS, BENIGN_SCENARIOS } from '../simulator/scenario-catalogue.js';
import { expectedCalibrationError, reliabilityBins, type ReliabilityBin } from './calibration.js';
import type { LabelledData } from './labelled-data.js';
import { rocAuc, shareAbove, thresholdAtFpr } from './roc.js';

/** The false-positive rates the catch rates are read at. */
export const FPRS = { strict: 0.01, loose: 0.05 } as const;

/** The done-when targets. */
export const TARGETS = {
  auc: 0.98,
  catchRate: 0.9,
  benignFpr: 0.03,
  ece: 0.03,
  genuineAbove999: 0.05,
  topReasonLogOdds: 1,
} as const;

export interface DetectorMetrics {
  readonly auc: number;
  /** Share of attack claims caught at the 1% and 5% FPR thresholds. */
  readonly caught1: number;
  readonly caught5: number;
}

export interface AttackFamilyMetrics {
  readonly family: string;
  readonly claims: number;
  readonly model: DetectorMetrics;
  readonly rules: DetectorMetrics;
}

export interface BenignGroupMetrics {
  readonly group: string;
  readonly claims: number;
  /** Share of the group's genuine claims flagged at the 1% threshold (set on all genuine claims). */
  readonly model: { readonly fpr1: number };
  readonly rules: { readonly fpr1: number };
}

export interface Saturation {
  /** Shares of genuine claims with confidence above 0.999 and below 0.001. */
  readonly genuineAbove999: number;
  readonly genuineBelow001: number;
  /** Median |log-odds| of each attack claim's top reason (null when not measured). */
  readonly medianTopReasonLogOdds: number | null;
  /** Share of attack claims whose top reason contributes at least 1.0 in log-odds. */
  readonly topReasonAtLeast1: number | null;
}

export interface EvaluationReport {
  readonly genuineClaims: number;
  readonly attackClaims: number;
  readonly overall: {
    readonly model: DetectorMetrics & { readonly ece: number };
    readonly rules: DetectorMetrics & { readonly ece: number };
  };
  readonly attacks: readonly AttackFamilyMetrics[];
  readonly benign: readonly BenignGroupMetrics[];
  readonly saturation: Saturation;
  readonly reliability: readonly ReliabilityBin[];
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

/** AUC and catch rates of the attacks of `keep` against every genuine claim. */
export function familyDetector(
  confidence: ArrayLike<number>,
  data: LabelledData,
  keep: (i: number) => boolean,
): DetectorMetrics & { thresholds: { strict: number; loose: number }; genuineRisk: number[] } {
  const risk = Array.from({ length: data.rows.count }, (_, i) => 1 - (confidence[i] ?? 0));
  const all = split(risk, data, () => true);
  const mine = split(risk, data, (i) => data.genuine[i] === 0 && keep(i));
  const thresholds = {
    strict: thresholdAtFpr(all.genuine, FPRS.strict),
    loose: thresholdAtFpr(all.genuine, FPRS.loose),
  };
  return {
    auc: rocAuc(mine.attack, all.genuine),
    caught1: shareAbove(mine.attack, thresholds.strict),
    caught5: shareAbove(mine.attack, thresholds.loose),
    thresholds,
    genuineRisk: all.genuine,
  };
}

/** Share of the genuine claims of `keep` above the 1% threshold of every genuine claim. */
export function groupFpr(
  confidence: ArrayLike<number>,
  data: LabelledData,
  keep: (i: number) => boolean,
): number {
  const all = familyDetector(confidence, data, () => false);
  const mine: number[] = [];
  for (let i = 0; i < data.rows.count; i += 1) {
    if (data.genuine[i] === 1 && keep(i)) mine.push(1 - (confidence[i] ?? 0));
  }
  return shareAbove(mine, all.thresholds.strict);
}

function strip(d: ReturnType<typeof familyDetector>): DetectorMetrics {
  return { auc: d.auc, caught1: d.caught1, caught5: d.caught5 };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Saturation figures; `topReason` holds each claim's top |logOdds| (omit for a scorer without them). */
export function saturationOf(
  confidence: ArrayLike<number>,
  data: LabelledData,
  topReason?: ArrayLike<number>,
): Saturation {
  let above = 0;
  let below = 0;
  let genuine = 0;
  const tops: number[] = [];
  for (let i = 0; i < data.rows.count; i += 1) {
    const p = confidence[i] ?? 0;
    if (data.genuine[i] === 1) {
      genuine += 1;
      if (p > 0.999) above += 1;
      if (p < 0.001) below += 1;
    } else if (topReason !== undefined) tops.push(Math.abs(topReason[i] ?? 0));
  }
  return {
    genuineAbove999: above / Math.max(1, genuine),
    genuineBelow001: below / Math.max(1, genuine),
    medianTopReasonLogOdds: topReason === undefined ? null : median(tops),
    topReasonAtLeast1:
      topReason === undefined ? null : tops.filter((v) => v >= 1).length / Math.max(1, tops.length),
  };
}

/** The full report of `confidence` (the model's) on `data`, with the rules' from the data itself. */
export function evaluate(
  confidence: ArrayLike<number>,
  data: LabelledData,
  topReason?: ArrayLike<number>,
): EvaluationReport {
  const rules = data.rulesConfidence;
  const outcome = Array.from(data.genuine);
  const any = (): boolean => true;
  const attacks = ATTACK_SCENARIOS.map((family): AttackFamilyMetrics => {
    const keep = (i: number): boolean => data.scenario[i] === family;
    const m = familyDetector(confidence, data, keep);
    return {
      family,
      claims: split(confidence, data, (i) => data.genuine[i] === 0 && keep(i)).attack.length,
      model: strip(m),
      rules: strip(familyDetector(rules, data, keep)),
    };
  });
  const benign = (['ordinary', ...BENIGN_SCENARIOS] as const).map((group): BenignGroupMetrics => {
    const keep = (i: number): boolean => data.scenario[i] === group;
    return {
      group,
      claims: split(confidence, data, (i) => data.genuine[i] === 1 && keep(i)).genuine.length,
      model: { fpr1: groupFpr(confidence, data, keep) },
      rules: { fpr1: groupFpr(rules, data, keep) },
    };
  });
  const overallSplit = split(confidence, data, any);
  return {
    genuineClaims: overallSplit.genuine.length,
    attackClaims: overallSplit.attack.length,
    overall: {
      model: {
        ...strip(familyDetector(confidence, data, any)),
        ece: expectedCalibrationError(confidence, outcome),
      },
      rules: { ...strip(familyDetector(rules, data, any)), ece: expectedCalibrationError(rules, outcome) },
    },
    attacks,
    benign,
    saturation: saturationOf(confidence, data, topReason),
    reliability: reliabilityBins(confidence, outcome, 10),
  };
}
