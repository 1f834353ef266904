/**
 * Class rebalancing (Zhang, Isola, Efros, "Colorful Image Colorization", ECCV 2016, §2.2, eq. 3–4):
 * each bin q gets a weight w_q ∝ ((1 − λ)·p̃_q + λ/Q)⁻¹, normalized so that Σ_q p̃_q·w_q = 1, where p̃ is
 * the smoothed empirical prior and λ = 0.5. Rare (saturated) colours then weigh more in the loss.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkDistribution } from './prior-input.js';
import { InputError, describeValue } from '../../errors.js';
import { assertRank, checkConfigRange } from '../../validate.js';

/**
 * Options of {@link computeRebalanceWeights}.
 * @example computeRebalanceWeights(ZHANG_PRIOR, { lambda: 0.5 });
 */
export interface RebalanceConfig {
  /** λ in [0, 1], the share of the uniform distribution mixed into the prior. Default 0.5 (§2.2). */
  lambda?: number;
}

/**
 * Per-bin rebalancing weights w ∝ ((1 − λ)·p̃ + λ/Q)⁻¹ with E_p̃[w] = Σ p̃·w = 1 (eq. 4). `prior` is
 * normalized to sum 1 first. λ = 1 gives w = 1 everywhere; λ = 0 gives w = 1 / (Q·p̃) … inverse frequency.
 *
 * @param prior  Q non-negative finite values: the smoothed prior p̃ (e.g. {@link ZHANG_PRIOR}, or
 *               `smoothPrior(accumulator.result())`). With λ = 0 every entry must be positive.
 * @param config  `{ lambda = 0.5 }`.
 * @returns a new `Float64Array` of Q weights.
 * @throws InputError on a bad prior; ConfigError on λ outside [0, 1].
 * @example
 * const w = computeRebalanceWeights(ZHANG_PRIOR); // Q = 313; min 0.0965 at bin 120 (0, 0), max 6.17 at bin 303
 */
export function computeRebalanceWeights(prior: ArrayLike<number>, config: RebalanceConfig = {}): Float64Array {
  const lambda = config.lambda ?? 0.5;
  checkConfigRange('lambda', lambda, 0, 1);
  const q = prior?.length;
  if (typeof q !== 'number' || q === 0)
    throw new InputError('prior', 'a non-empty list of probabilities', describeValue(prior));
  checkDistribution('prior', prior, q);
  let sum = 0;
  for (let i = 0; i < q; i++) sum += prior[i];
  const weights = new Float64Array(q);
  let expectation = 0;
  for (let i = 0; i < q; i++) {
    const p = prior[i] / sum;
    const mixed = (1 - lambda) * p + lambda / q;
    if (!(mixed > 0)) throw new InputError('prior', 'positive entries when lambda = 0', `0 at index ${i}`);
    weights[i] = 1 / mixed;
    expectation += p * weights[i];
  }
  for (let i = 0; i < q; i++) weights[i] /= expectation;
  return weights;
}

/**
 * Per-pixel loss weights: v(Z_h,w) = w[argmax_q Z_h,w,q] (Zhang et al. 2016, eq. 2–3), for the
 * rebalanced multinomial cross-entropy.
 *
 * @param target   `[N, H, W, Q]` target distributions (soft encodings); only the argmax matters.
 * @param weights  Q per-bin weights from {@link computeRebalanceWeights}.
 * @returns `[N, H, W]` float32 weights. Caller owns it; `target` is not disposed.
 * @throws InputError on a wrong rank or a last dimension that is not `weights.length`.
 * @example
 * const w = computeRebalanceWeights(ZHANG_PRIOR);
 * const pixelWeights = gatherPixelWeights(softTargets, w); // [N, H, W]
 */
export function gatherPixelWeights(target: tf.Tensor4D, weights: ArrayLike<number>): tf.Tensor3D {
  assertRank('target', target, 4);
  const q = target.shape[3];
  if (weights?.length !== q) {
    throw new InputError('weights', `${q} values (the last dimension of target)`, describeValue(weights));
  }
  const [n, h, w] = target.shape;
  return tf.tidy(
    () =>
      tf.reshape(tf.gather(tf.tensor1d(Float32Array.from(weights), 'float32'), tf.argMax(target, 3)), [
        n,
        h,
        w,
      ]) as tf.Tensor3D,
  );
}
