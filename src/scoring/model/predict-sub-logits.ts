/**
 * One batched forward pass of the sub-score network: every row of a batch in one call, every tensor
 * disposed before returning (`tf.tidy`), results read synchronously (`dataSync`, which the wasm and cpu
 * backends allow), so scoring stays synchronous.
 */
import * as tf from '@tensorflow/tfjs';
import { DIMENSION_FEATURES, type InputArrays } from './model-inputs.js';

/** Sub-logits u_d of `count` rows: 4 per row, in DIMENSIONS order. */
export function predictSubLogits(model: tf.LayersModel, inputs: InputArrays, count: number): Float32Array {
  if (count === 0) return new Float32Array(0);
  return tf.tidy(() => {
    const xs: tf.Tensor[] = [];
    for (let d = 0; d < 4; d += 1) {
      const width = DIMENSION_FEATURES[d]?.length ?? 0;
      xs.push(tf.tensor2d(inputs.evidence[d] ?? new Float32Array(0), [count, width]));
    }
    for (let d = 0; d < 4; d += 1) xs.push(tf.tensor2d(inputs.rules[d] ?? new Float32Array(0), [count, 1]));
    const outputs = model.apply(xs, { training: false });
    const list = Array.isArray(outputs) ? outputs : [outputs];
    const u = tf.concat(list as tf.Tensor[], 1);
    return u.dataSync() as Float32Array;
  });
}
