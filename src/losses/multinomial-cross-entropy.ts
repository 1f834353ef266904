/**
 * Multinomial cross-entropy over quantized ab bins, with optional class rebalancing
 * (Zhang, Isola, Efros 2016, "Colorful Image Colorization", ECCV, eq. 2–4).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors.js';
import { assertRank, assertSameShape } from '../validate.js';
import { type Reduced, type Reduction, type ReductionOptions, checkLossWeights, checkReduction, reduceLoss } from './reduction.js';

/** Options of {@link computeMultinomialCrossEntropy}. */
export interface MultinomialCrossEntropyOptions<R extends Reduction = 'mean'> extends ReductionOptions<R> {
  /**
   * Class-rebalancing weights `v` over the Q bins, `[Q]` (Zhang et al. 2016 eq. 3–4; build them with
   * `rebalancingWeights` from `src/color`). Each pixel's loss is multiplied by `v[argmax_q target]`,
   * the weight of its most likely target bin. Not differentiated. Default: no rebalancing.
   */
  classWeights?: tf.Tensor1D;
  /** Per-pixel weights `[N, H, W]` (or 1 in any dimension), multiplying each pixel's loss. */
  weights?: tf.Tensor3D;
}

/**
 * Cross-entropy between a target distribution over Q ab bins and the softmax of predicted logits,
 * per pixel `−v(Z) · Σ_q Z_q log softmax(logits)_q` (Zhang et al. 2016 eq. 2, the rebalancing factor
 * `v` of eq. 3–4 chosen by the target's most likely bin). Computed with `logSoftmax`, so large logits
 * neither overflow nor give `log 0`.
 *
 * @param logits  `[N, H, W, Q]` unnormalized scores (float32).
 * @param target  `[N, H, W, Q]` target distribution per pixel (soft encoding; non-negative, summing to 1 —
 *                not checked, which would need a read-back). One-hot targets give the usual hard-label loss.
 * @param options `reduction` (default `'mean'` over the N·H·W pixels), `classWeights` `[Q]`, `weights` `[N, H, W]`.
 * @returns a scalar, or `[N, H, W]` per-pixel losses for `'none'`. Caller owns it; inputs are not disposed.
 * @throws InputError naming the argument when ranks or shapes disagree or `reduction` is unknown.
 * @example
 * const loss = computeMultinomialCrossEntropy(model.predict(l) as tf.Tensor4D, encodeSoft(ab), {
 *   classWeights: rebalancingWeights(prior),
 * });
 */
export function computeMultinomialCrossEntropy<R extends Reduction = 'mean'>(
  logits: tf.Tensor4D,
  target: tf.Tensor4D,
  options: MultinomialCrossEntropyOptions<R> = {},
): Reduced<R, tf.Tensor3D> {
  const reduction = options.reduction ?? 'mean';
  checkReduction('options.reduction', reduction);
  assertRank('logits', logits, 4);
  assertRank('target', target, 4);
  assertSameShape('logits', logits, 'target', target);
  const [n, h, w, q] = logits.shape;
  if (q < 2) throw new InputError('logits', 'at least 2 bins in the last dimension', `shape [${logits.shape.join(', ')}]`);
  const { classWeights, weights } = options;
  if (classWeights !== undefined) {
    assertRank('options.classWeights', classWeights, 1);
    if (classWeights.shape[0] !== q) {
      throw new InputError('options.classWeights', `shape [${q}] (one weight per bin of logits)`, `shape [${classWeights.shape.join(', ')}]`);
    }
  }
  if (weights !== undefined) {
    assertRank('options.weights', weights, 3);
    checkLossWeights('options.weights', weights, [n, h, w], 'the per-pixel loss');
  }
  return tf.tidy(() => {
    let perPixel: tf.Tensor = tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), -1));
    if (classWeights !== undefined) {
      // v(Z_hw) = w_{q*}, q* = argmax_q Z_hw,q (Zhang et al. 2016 eq. 3): a lookup, no gradient.
      perPixel = tf.mul(perPixel, tf.gather(classWeights, tf.argMax(target, -1)));
    }
    return reduceLoss(perPixel, reduction, weights);
  }) as Reduced<R, tf.Tensor3D>;
}
