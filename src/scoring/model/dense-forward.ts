/**
 * The sub-score network's forward pass in plain loops, for serving.
 *
 * Why not tfjs: the network is tiny (per dimension one Dense(12, tanh) and two one-unit Denses), and the
 * worker scores small batches under live load, where tfjs spends far more on dispatch (a tensor per input,
 * a kernel call per layer, tidy bookkeeping) than on arithmetic. tfjs still loads the model and trains
 * it; {@link denseSubScoresOf} copies the weights out once, after checking that the network is exactly
 * the one {@link forwardSubLogits} computes (fusion-model.ts builds it), so a model with another shape
 * is refused instead of being scored wrongly.
 *
 * The arithmetic is float64 with the result stored as float32, like predictSubLogits' output. tfjs sums
 * in float32, so the two differ in the last bits; {@link checkAgainstTfjs} runs both on the same rows at
 * start-up and refuses to serve if they differ by more than rounding can explain. Emulating float32
 * (Math.fround after every step) matched tfjs no better: its backends do not agree with each other bit
 * for bit either (wasm sums in another order than cpu).
 */
import type * as tf from '@tensorflow/tfjs';
import { DmidError } from '../../errors.js';
import { Prng } from '../../simulator/prng.js';
import { DIMENSIONS } from '../scorer.js';
import { layerName } from './fusion-model.js';
import { DIMENSION_FEATURES, type InputArrays } from './model-inputs.js';
import { predictSubLogits } from './predict-sub-logits.js';

/**
 * Largest difference allowed between a sub-logit of this pass and tfjs's, per unit of the magnitude of
 * the terms the sub-logit sums ({@link termMagnitude}). A float32 dot product of n terms is within
 * n × 2^-24 of its exact value per unit of Σ|terms|, about 2e-6 for this network's ≤ 19 + 13 terms, so no
 * correct backend can exceed 1e-5; measured, wasm and cpu stay under 1.2e-7 (inputs from 0 to 1e30).
 * A wrong weight, unit order or activation is off by 1e-2 or more.
 */
export const SUB_LOGIT_TOLERANCE = 1e-5;

/**
 * Hidden units per dimension (fusion-model.ts's HIDDEN_UNITS). The loop below is unrolled for exactly
 * this many, with one local accumulator per unit, which V8 keeps in registers: three times faster than a
 * loop over the units. A model with another count is refused, not mis-scored.
 */
const UNITS = 12;

/** Rows of the start-up check: enough to reach every weight with varied signs, still under 1 ms. */
const CHECK_ROWS = 256;

/** One dimension's sub-network, its weights copied out of tfjs into arrays this module owns. */
interface DimensionWeights {
  /** Evidence inputs of the dimension. */
  readonly width: number;
  /** The hidden kernel as tfjs keeps it: input k's weight on unit j at `k * UNITS + j`. */
  readonly hiddenKernel: Float64Array;
  readonly hiddenBias: Float64Array;
  /** Weight of each hidden unit in the sub-logit. */
  readonly outKernel: Float64Array;
  readonly outBias: number;
  /** Weight of the rules sub-score in the sub-logit (that layer has no bias). */
  readonly rulesKernel: number;
}

/** The weights of the four sub-networks, in DIMENSIONS order. */
export interface DenseSubScores {
  readonly dimensions: readonly DimensionWeights[];
}

const short = (d: number): string => (DIMENSIONS[d] ?? 'TELECOM').toLowerCase();
const evidenceName = (d: number): string => `${short(d)}_evidence`;
const rulesInputName = (d: number): string => `${short(d)}_rules_raw`;
const widthOf = (d: number): number => DIMENSION_FEATURES[d]?.length ?? 0;

function refuse(what: string): never {
  throw new DmidError(
    'DMID_MODEL_INVALID',
    `the sub-score network is not the one the plain forward pass computes: ${what}`,
  );
}

function same(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** The names of the layers feeding `layer`, which must be used exactly once in the network. */
function inboundOf(layer: tf.layers.Layer): string[] {
  if (layer.inboundNodes.length !== 1) refuse(`${layer.name} is applied ${layer.inboundNodes.length} times`);
  return layer.inboundNodes[0]?.inboundLayers.map((l) => l.name) ?? [];
}

/** Checks a Dense layer's configuration and input, and returns its weights as float32 arrays. */
function denseOf(
  model: tf.LayersModel,
  name: string,
  expected: { units: number; activation: string; useBias: boolean; input: string; inputWidth: number },
): Float32Array[] {
  const layer = model.layers.find((l) => l.name === name);
  if (layer === undefined) return refuse(`it has no layer ${name}`);
  if (layer.getClassName() !== 'Dense') refuse(`${name} is a ${layer.getClassName()}, expected Dense`);
  const config = layer.getConfig();
  for (const key of ['units', 'activation', 'useBias'] as const) {
    if (config[key] !== expected[key]) {
      refuse(`${name} has ${key} ${show(config[key])}, expected ${show(expected[key])}`);
    }
  }
  const inbound = inboundOf(layer);
  if (!same(inbound, [expected.input]))
    refuse(`${name} reads ${show(inbound)}, expected ["${expected.input}"]`);
  const weights = layer.getWeights();
  const shapes = [[expected.inputWidth, expected.units], ...(expected.useBias ? [[expected.units]] : [])];
  const actual = weights.map((w) => w.shape);
  if (actual.length !== shapes.length || actual.some((shape, i) => !same(shape, shapes[i] ?? []))) {
    refuse(`${name} has weights of shapes ${show(actual)}, expected ${show(shapes)}`);
  }
  if (weights.some((w) => w.dtype !== 'float32')) refuse(`${name} has weights that are not float32`);
  // getWeights() hands back the layer's own variables (not copies): read them, never dispose them.
  return weights.map((w) => Float32Array.from(w.dataSync()));
}

/** Checks the inputs and outputs: names, order, widths, and that each output adds sub-logit and rules. */
function checkInputsAndOutputs(model: tf.LayersModel): void {
  const inputs = [0, 1, 2, 3].map(evidenceName).concat([0, 1, 2, 3].map(rulesInputName));
  if (!same(model.inputNames, inputs)) refuse(`inputs ${show(model.inputNames)}, expected ${show(inputs)}`);
  model.inputs.forEach((input, i) => {
    const shape = [null, i < 4 ? widthOf(i) : 1];
    if (!same(input.shape, shape))
      refuse(`input ${inputs[i]} has shape ${show(input.shape)}, expected ${show(shape)}`);
  });
  if (model.outputs.length !== 4) refuse(`it has ${model.outputs.length} outputs, expected 4`);
  model.outputs.forEach((output, d) => {
    const layer = output.sourceLayer;
    // The Add layers' names are generated by tfjs (add_Add1...), so they are found by what they add.
    if (layer.getClassName() !== 'Add') refuse(`output ${d} is a ${layer.getClassName()}, expected Add`);
    const inbound = inboundOf(layer).sort();
    const expected = [layerName.out(d), layerName.rules(d)].sort();
    if (!same(inbound, expected)) refuse(`output ${d} adds ${show(inbound)}, expected ${show(expected)}`);
  });
  // Anything else in the network (a dropout, a normalisation, a second path) would go uncomputed here.
  const known = new Set([...inputs, ...model.outputs.map((o) => o.sourceLayer.name)]);
  for (let d = 0; d < 4; d += 1)
    for (const name of [layerName.hidden(d), layerName.out(d), layerName.rules(d)]) known.add(name);
  const extra = model.layers.map((l) => l.name).filter((name) => !known.has(name));
  if (extra.length > 0) refuse(`it has layers ${show(extra)} besides the expected ones`);
}

function dimensionOf(model: tf.LayersModel, d: number): DimensionWeights {
  const width = widthOf(d);
  const [kernel = new Float32Array(0), bias = new Float32Array(0)] = denseOf(model, layerName.hidden(d), {
    units: UNITS,
    activation: 'tanh',
    useBias: true,
    input: evidenceName(d),
    inputWidth: width,
  });
  const [outKernel = new Float32Array(0), outBias = new Float32Array(0)] = denseOf(model, layerName.out(d), {
    units: 1,
    activation: 'linear',
    useBias: true,
    input: layerName.hidden(d),
    inputWidth: UNITS,
  });
  const [rulesKernel = new Float32Array(0)] = denseOf(model, layerName.rules(d), {
    units: 1,
    activation: 'linear',
    useBias: false,
    input: rulesInputName(d),
    inputWidth: 1,
  });
  return {
    width,
    hiddenKernel: Float64Array.from(kernel),
    hiddenBias: Float64Array.from(bias),
    outKernel: Float64Array.from(outKernel),
    outBias: outBias[0] ?? 0,
    rulesKernel: rulesKernel[0] ?? 0,
  };
}

/**
 * Checks that `model` is the sub-score network of fusion-model.ts, exactly, and copies its weights out.
 * Throws DMID_MODEL_INVALID naming the first thing that differs.
 */
export function denseSubScoresOf(model: tf.LayersModel): DenseSubScores {
  checkInputsAndOutputs(model);
  return { dimensions: [0, 1, 2, 3].map((d) => dimensionOf(model, d)) };
}

/**
 * tanh from one exp: V8's Math.tanh costs about twice Math.exp, and this form is within 4e-16 of it
 * (±1 for |s| beyond ~19, where exp overflows to ∞ or underflows to 0), far below float32's resolution.
 */
function tanh(s: number): number {
  return 1 - 2 / (Math.exp(2 * s) + 1);
}

/** Sub-logits of dimension `d` of every row into `out` (4 per row). */
function forwardDimension(
  w: DimensionWeights,
  evidence: Float32Array,
  rules: Float32Array,
  count: number,
  d: number,
  out: Float32Array,
): void {
  const { width, hiddenKernel: kernel, outBias, rulesKernel } = w;
  // Read by index, not destructured: destructuring a typed array goes through its iterator, which
  // allocated 144 MB in a live benchmark run (a sampled heap profile).
  const b = w.hiddenBias;
  const o = w.outKernel;
  const b0 = b[0] ?? 0,
    b1 = b[1] ?? 0,
    b2 = b[2] ?? 0,
    b3 = b[3] ?? 0,
    b4 = b[4] ?? 0,
    b5 = b[5] ?? 0;
  const b6 = b[6] ?? 0,
    b7 = b[7] ?? 0,
    b8 = b[8] ?? 0,
    b9 = b[9] ?? 0,
    b10 = b[10] ?? 0,
    b11 = b[11] ?? 0;
  const o0 = o[0] ?? 0,
    o1 = o[1] ?? 0,
    o2 = o[2] ?? 0,
    o3 = o[3] ?? 0,
    o4 = o[4] ?? 0,
    o5 = o[5] ?? 0;
  const o6 = o[6] ?? 0,
    o7 = o[7] ?? 0,
    o8 = o[8] ?? 0,
    o9 = o[9] ?? 0,
    o10 = o[10] ?? 0,
    o11 = o[11] ?? 0;
  for (let r = 0; r < count; r += 1) {
    let h0 = b0,
      h1 = b1,
      h2 = b2,
      h3 = b3,
      h4 = b4,
      h5 = b5,
      h6 = b6,
      h7 = b7,
      h8 = b8,
      h9 = b9,
      h10 = b10,
      h11 = b11;
    for (let k = 0, x = r * width, q = 0; k < width; k += 1, x += 1, q += UNITS) {
      const v = evidence[x] ?? 0;
      h0 += v * (kernel[q] ?? 0);
      h1 += v * (kernel[q + 1] ?? 0);
      h2 += v * (kernel[q + 2] ?? 0);
      h3 += v * (kernel[q + 3] ?? 0);
      h4 += v * (kernel[q + 4] ?? 0);
      h5 += v * (kernel[q + 5] ?? 0);
      h6 += v * (kernel[q + 6] ?? 0);
      h7 += v * (kernel[q + 7] ?? 0);
      h8 += v * (kernel[q + 8] ?? 0);
      h9 += v * (kernel[q + 9] ?? 0);
      h10 += v * (kernel[q + 10] ?? 0);
      h11 += v * (kernel[q + 11] ?? 0);
    }
    let u = outBias;
    u += o0 * tanh(h0) + o1 * tanh(h1) + o2 * tanh(h2) + o3 * tanh(h3);
    u += o4 * tanh(h4) + o5 * tanh(h5) + o6 * tanh(h6) + o7 * tanh(h7);
    u += o8 * tanh(h8) + o9 * tanh(h9) + o10 * tanh(h10) + o11 * tanh(h11);
    out[r * 4 + d] = u + (rules[r] ?? 0) * rulesKernel;
  }
}

/** Sub-logits u_d of `count` rows: 4 per row, in DIMENSIONS order (what predictSubLogits returns). */
export function forwardSubLogits(network: DenseSubScores, inputs: InputArrays, count: number): Float32Array {
  const out = new Float32Array(count * 4);
  for (let d = 0; d < 4; d += 1) {
    const w = network.dimensions[d];
    const evidence = inputs.evidence[d];
    const rules = inputs.rules[d];
    if (w === undefined || evidence === undefined || rules === undefined) {
      throw new RangeError(`forwardSubLogits: no inputs or weights for dimension ${d}`);
    }
    // The sizes tfjs's tensor2d would insist on: a short array would otherwise read as zeros.
    if (evidence.length !== count * w.width || rules.length !== count) {
      throw new RangeError(`forwardSubLogits: dimension ${d}'s inputs do not hold ${count} rows`);
    }
    forwardDimension(w, evidence, rules, count, d, out);
  }
  return out;
}

/**
 * Σ of the magnitudes of what sub-logit u_d of row `r` adds up (biases, products, hidden activations
 * bounded by 1), at least 1: the scale of float32 rounding error in any backend's result.
 */
export function termMagnitude(network: DenseSubScores, inputs: InputArrays, r: number, d: number): number {
  const w = network.dimensions[d];
  const evidence = inputs.evidence[d];
  if (w === undefined || evidence === undefined) return 1;
  let sum = Math.abs(w.outBias) + Math.abs((inputs.rules[d]?.[r] ?? 0) * w.rulesKernel);
  for (let j = 0; j < UNITS; j += 1) {
    let hidden = Math.abs(w.hiddenBias[j] ?? 0);
    for (let k = 0; k < w.width; k += 1) {
      hidden += Math.abs((evidence[r * w.width + k] ?? 0) * (w.hiddenKernel[k * UNITS + j] ?? 0));
    }
    // The hidden sum's error passes through tanh (slope ≤ 1); the activation itself is at most 1.
    sum += Math.abs(w.outKernel[j] ?? 0) * (hidden + 1);
  }
  return Math.max(1, sum);
}

/** The worst difference of `u` from `reference` in units of {@link termMagnitude}, and where. */
export function worstDifference(
  network: DenseSubScores,
  inputs: InputArrays,
  u: Float32Array,
  reference: Float32Array,
): { readonly error: number; readonly row: number; readonly d: number } {
  let worst = { error: u.length === reference.length ? 0 : Infinity, row: -1, d: -1 };
  for (let i = 0; i < reference.length; i += 1) {
    const row = Math.floor(i / 4);
    const d = i % 4;
    const error = Math.abs((u[i] ?? NaN) - (reference[i] ?? NaN)) / termMagnitude(network, inputs, row, d);
    // NaN on either side counts as the worst: `!(error <= worst)` is true for it.
    if (!(error <= worst.error)) worst = { error: Number.isNaN(error) ? Infinity : error, row, d };
  }
  return worst;
}

/**
 * Deterministic rows like the scorer's: normalised evidence mostly within a few standard deviations,
 * some exact zeros (a missing dimension's row), some far out (a rare flag's z reaches ~25), and rules
 * sub-scores around their -1..1.5 range.
 */
export function checkRows(count: number): InputArrays {
  const random = new Prng('dense-forward', 'self-check');
  const evidence = [0, 1, 2, 3].map((d) => {
    const values = new Float32Array(count * widthOf(d));
    for (let i = 0; i < values.length; i += 1) {
      const kind = random.float();
      values[i] = kind < 0.1 ? 0 : kind < 0.95 ? random.normal(0, 1.5) : random.uniform(-30, 30);
    }
    return values;
  });
  const rules = [0, 1, 2, 3].map(() => Float32Array.from({ length: count }, () => random.uniform(-1.5, 1.5)));
  return { evidence, rules };
}

/**
 * Runs tfjs and {@link forwardSubLogits} on the same deterministic rows and throws DMID_MODEL_INVALID if
 * any sub-logit differs by more than rounding explains: a start-up proof that the plain pass computes
 * the network tfjs loaded, on whichever backend this process runs.
 */
export function checkAgainstTfjs(model: tf.LayersModel, network: DenseSubScores): void {
  const inputs = checkRows(CHECK_ROWS);
  const reference = predictSubLogits(model, inputs, CHECK_ROWS);
  const u = forwardSubLogits(network, inputs, CHECK_ROWS);
  const worst = worstDifference(network, inputs, u, reference);
  if (worst.error > SUB_LOGIT_TOLERANCE) {
    const at = worst.row * 4 + worst.d;
    refuse(
      `on check row ${worst.row}, ${short(worst.d)} sub-logit ${u[at]} against tfjs ${reference[at]} ` +
        `(${worst.error.toExponential(2)} of the term magnitude, tolerance ${SUB_LOGIT_TOLERANCE})`,
    );
  }
}
