/**
 * The identity-fusion network, and the fusion rule it ends in.
 *
 * One sub-network per dimension turns that dimension's (oriented, normalised) evidence and its rules
 * sub-score into a sub-logit u_d (its sub-score is sigmoid(u_d)). The fusion over the sub-logits, their
 * presence and freshness is small and fixed in form, so it is also computed here in plain numbers at
 * serving time (exactly, in float64, and cheap to re-run for attributions):
 *
 *   e_d = present_d × min(u_d, fresh_d × u_d)     good evidence fades with age, bad evidence keeps counting
 *   z   = bias + Σ_d w_d × e_d − Σ_d m_d × (1 − present_d)       w_d ≥ W_MIN, m_d ≥ M_MIN
 *
 * and the probability that the claim is genuine is the calibrated sigmoid(a × z + c) (calibration.ts).
 * Every weight on the path from an oriented input to z is non-negative (a projection after each training
 * step, see {@link projectWeights}), so z never rises when evidence gets worse.
 */
import * as tf from '@tensorflow/tfjs';
import { DIMENSIONS } from '../scorer.js';
import { DIMENSION_FEATURES } from './model-inputs.js';

/** Hidden units of each dimension's sub-network. */
export const HIDDEN_UNITS = 12;

/** Smallest fusion weight of a dimension: every dimension's evidence always counts a little. */
export const W_MIN = 0.1;

/**
 * Smallest cost of a missing dimension, logit units: missing evidence never counts as much as neutral
 * evidence (the rules' UNKNOWN_PRIOR is below their neutral sub-score for the same reason).
 */
export const M_MIN = 0.25;

/** Smallest weight of the rules sub-score inside its sub-network, per unit of sub-score (logit units). */
export const RULES_WEIGHT_MIN = 1;

/** The fusion's parameters, read from the trained network (and saved with the model). */
export interface FusionParams {
  readonly bias: number;
  /** w_d, per dimension in DIMENSIONS order. */
  readonly weights: readonly number[];
  /** m_d: what a missing dimension costs, in logit units. */
  readonly missing: readonly number[];
}

const short = (d: number): string => (DIMENSIONS[d] ?? 'TELECOM').toLowerCase();

/** Layer names, so that weights can be found and projected. */
export const layerName = {
  hidden: (d: number) => `${short(d)}_hidden`,
  rules: (d: number) => `${short(d)}_rules`,
  out: (d: number) => `${short(d)}_sub_logit`,
  fusion: 'fusion_weights',
  missing: 'fusion_missing',
};

/** The network of the sub-scores (served) and the whole network with the fusion (trained). */
export interface FusionNetworks {
  /** Inputs: evidence_d (4), rules_d (4). Outputs: u_d (4), linear. */
  readonly subScores: tf.LayersModel;
  /** Inputs: those, then fresh [4], present [4], presentMinusOne [4]. Outputs: sigmoid(z), sigmoid(u_d) ×4. */
  readonly training: tf.LayersModel;
}

/** Builds the untrained networks (weights from the tfjs global seed-free initialisers; see training.ts). */
/** Dimension `d`'s sub-network: evidence and rules sub-score in, sub-logit out. */
function subNetwork(
  d: number,
  seed: number,
): { x: tf.SymbolicTensor; r: tf.SymbolicTensor; u: tf.SymbolicTensor } {
  const width = DIMENSION_FEATURES[d]?.length ?? 0;
  const x = tf.input({ shape: [width], name: `${short(d)}_evidence` });
  const r = tf.input({ shape: [1], name: `${short(d)}_rules_raw` });
  const init = tf.initializers.randomUniform({ minval: 0, maxval: 0.3, seed: seed + d });
  const hidden = tf.layers
    .dense({ units: HIDDEN_UNITS, activation: 'tanh', kernelInitializer: init, name: layerName.hidden(d) })
    .apply(x) as tf.SymbolicTensor;
  const fromEvidence = tf.layers
    .dense({ units: 1, kernelInitializer: init, name: layerName.out(d) })
    .apply(hidden) as tf.SymbolicTensor;
  const fromRules = tf.layers
    .dense({
      units: 1,
      useBias: false,
      kernelInitializer: tf.initializers.constant({ value: 2 }),
      name: layerName.rules(d),
    })
    .apply(r) as tf.SymbolicTensor;
  return { x, r, u: tf.layers.add().apply([fromEvidence, fromRules]) as tf.SymbolicTensor };
}

/** Builds the untrained networks; `seed` seeds the initialisers. */
export function buildNetworks(seed: number): FusionNetworks {
  const parts = [0, 1, 2, 3].map((d) => subNetwork(d, seed));
  const evidence = parts.map((part) => part.x);
  const rules = parts.map((part) => part.r);
  const logits = parts.map((part) => part.u);
  const subScores = tf.model({ inputs: [...evidence, ...rules], outputs: logits, name: 'sub_scores' });

  const fresh = tf.input({ shape: [4], name: 'fresh' });
  const present = tf.input({ shape: [4], name: 'present' });
  const presentMinusOne = tf.input({ shape: [4], name: 'present_minus_one' });
  const u = tf.layers.concatenate().apply(logits) as tf.SymbolicTensor;
  const faded = tf.layers.multiply().apply([u, fresh]) as tf.SymbolicTensor;
  const kept = tf.layers.minimum().apply([u, faded]) as tf.SymbolicTensor;
  const e = tf.layers.multiply().apply([kept, present]) as tf.SymbolicTensor;
  const fused = tf.layers
    .dense({ units: 1, kernelInitializer: tf.initializers.constant({ value: 1 }), name: layerName.fusion })
    .apply(e) as tf.SymbolicTensor;
  const missing = tf.layers
    .dense({
      units: 1,
      useBias: false,
      kernelInitializer: tf.initializers.constant({ value: 0.5 }),
      name: layerName.missing,
    })
    .apply(presentMinusOne) as tf.SymbolicTensor;
  const z = tf.layers.add().apply([fused, missing]) as tf.SymbolicTensor;
  const probability = tf.layers.activation({ activation: 'sigmoid', name: 'genuine' }).apply(z);
  const auxiliary = logits.map((logit, d) =>
    tf.layers.activation({ activation: 'sigmoid', name: `${short(d)}_genuine` }).apply(logit),
  );
  const training = tf.model({
    inputs: [...evidence, ...rules, fresh, present, presentMinusOne],
    outputs: [probability, ...auxiliary] as tf.SymbolicTensor[],
    name: 'identity_fusion',
  });
  return { subScores, training };
}

/** Replaces the kernel of layer `name` by `f(kernel)`. */
function mapKernel(model: tf.LayersModel, name: string, f: (value: number) => number): void {
  const layer = model.getLayer(name);
  const [kernel, ...rest] = layer.getWeights();
  if (kernel === undefined) return;
  const values = kernel.dataSync().map(f);
  const next = tf.tensor(values, kernel.shape);
  layer.setWeights([next, ...rest]);
  next.dispose();
}

/**
 * Projects the weights back onto the monotone set after an optimiser step (tfjs layers do not apply
 * kernel constraints when training): sub-network kernels ≥ 0, rules weights ≥ RULES_WEIGHT_MIN, fusion
 * weights ≥ W_MIN, missing costs ≥ M_MIN.
 */
export function projectWeights(model: tf.LayersModel): void {
  tf.tidy(() => {
    for (let d = 0; d < 4; d += 1) {
      mapKernel(model, layerName.hidden(d), (v) => Math.max(0, v));
      mapKernel(model, layerName.out(d), (v) => Math.max(0, v));
      mapKernel(model, layerName.rules(d), (v) => Math.max(RULES_WEIGHT_MIN, v));
    }
    mapKernel(model, layerName.fusion, (v) => Math.max(W_MIN, v));
    mapKernel(model, layerName.missing, (v) => Math.max(M_MIN, v));
  });
}

/** The fusion parameters of a trained network. */
export function fusionParamsOf(model: tf.LayersModel): FusionParams {
  const [kernel, bias] = model.getLayer(layerName.fusion).getWeights();
  const [missing] = model.getLayer(layerName.missing).getWeights();
  return {
    bias: bias?.dataSync()[0] ?? 0,
    weights: Array.from(kernel?.dataSync() ?? []),
    missing: Array.from(missing?.dataSync() ?? []),
  };
}

/** e_d of the fusion rule. */
export function evidenceTerm(u: number, fresh: number, present: boolean): number {
  return present ? Math.min(u, fresh * u) : 0;
}

/** The fusion logit z from sub-logits, presence and freshness (4 each, from `offset`). */
export function fuse(
  params: FusionParams,
  u: ArrayLike<number>,
  present: ArrayLike<number>,
  fresh: ArrayLike<number>,
  offset = 0,
): number {
  let z = params.bias;
  for (let d = 0; d < 4; d += 1) {
    const isPresent = (present[offset + d] ?? 0) > 0;
    if (isPresent)
      z += (params.weights[d] ?? 0) * evidenceTerm(u[offset + d] ?? 0, fresh[offset + d] ?? 0, true);
    else z -= params.missing[d] ?? 0;
  }
  return z;
}
