/**
 * Multinomial cross-entropy over quantized ab bins, with optional class rebalancing
 * (Zhang, Isola, Efros 2016, "Colorful Image Colorization", ECCV, eq. 2–4).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, describeValue } from '../errors.js';
import { assertFinite, assertRank, assertSameShape } from '../validate.js';
import {
  type Reduced,
  type Reduction,
  type ReductionOptions,
  checkLossWeights,
  checkReduction,
  reduceLoss,
} from './reduction.js';

/**
 * Options of {@link computeMultinomialCrossEntropy}.
 * @example
 * const loss = computeMultinomialCrossEntropy(logits, encodeSoft(ab), { classWeights: computeRebalanceWeights(ZHANG_PRIOR) });
 */
export interface MultinomialCrossEntropyOptions<R extends Reduction = 'mean'> extends ReductionOptions<R> {
  /**
   * Class-rebalancing weights over the Q bins: a `Tensor1D [Q]` or Q numbers (Zhang et al. 2016
   * eq. 3–4; `computeRebalanceWeights` of `src/color` returns them). Each pixel's loss is multiplied by
   * the weight of its target's most likely bin, `w[argmax_q target]` (ties: the lowest bin).
   * Not differentiated. Default: no rebalancing.
   */
  classWeights?: tf.Tensor1D | ArrayLike<number>;
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
 * @param options `reduction` (default `'mean'` over the N·H·W pixels), `classWeights` (Q values), `weights` `[N, H, W]`.
 * @returns a scalar, or `[N, H, W]` per-pixel losses for `'none'`. Caller owns it; inputs are not disposed.
 * @throws InputError naming the argument when ranks or shapes disagree or `reduction` is unknown.
 * @example
 * const loss = computeMultinomialCrossEntropy(model.predict(l) as tf.Tensor4D, encodeSoft(ab), {
 *   classWeights: computeRebalanceWeights(ZHANG_PRIOR),
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
  if (q < 2)
    throw new InputError('logits', 'at least 2 bins in the last dimension', `shape [${logits.shape.join(', ')}]`);
  const { classWeights, weights } = options;
  if (classWeights instanceof tf.Tensor) {
    assertRank('options.classWeights', classWeights, 1);
    if (classWeights.shape[0] !== q) {
      throw new InputError(
        'options.classWeights',
        `shape [${q}] (one weight per bin of logits)`,
        `shape [${classWeights.shape.join(', ')}]`,
      );
    }
  } else if (classWeights !== undefined) {
    if (classWeights?.length !== q) {
      throw new InputError(
        'options.classWeights',
        `${q} values (one weight per bin of logits)`,
        describeValue(classWeights),
      );
    }
    assertFinite('options.classWeights', classWeights);
  }
  if (weights !== undefined) {
    assertRank('options.weights', weights, 3);
    checkLossWeights('options.weights', weights, [n, h, w], 'the per-pixel loss');
  }
  return tf.tidy(() => {
    let perPixel: tf.Tensor = tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), -1));
    if (classWeights !== undefined) {
      // v(Z_hw) = w_{q*}, q* = argmax_q Z_hw,q (Zhang et al. 2016 eq. 3): a lookup, no gradient.
      const table = classWeights instanceof tf.Tensor ? classWeights : tf.tensor1d(Float32Array.from(classWeights));
      perPixel = tf.mul(perPixel, tf.gather(table, tf.argMax(target, -1)));
    }
    return reduceLoss(perPixel, reduction, weights);
  }) as Reduced<R, tf.Tensor3D>;
}
