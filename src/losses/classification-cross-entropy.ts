/**
 * Softmax cross-entropy of class logits against class labels: the classification term of
 * Iizuka, Simo-Serra, Ishikawa 2016, "Let there be Color!", SIGGRAPH, eq. 2 (there over the 205 Places
 * scene classes).
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertRank } from '../validate.js';
import { toOneHotLabels } from './one-hot-labels.js';
import {
  type Reduced,
  type Reduction,
  type ReductionOptions,
  checkLossWeights,
  checkReduction,
  reduceLoss,
} from './reduction.js';

/**
 * Options of {@link computeClassificationCrossEntropy}.
 * @example
 * const ce = computeClassificationCrossEntropy(classLogits, labels, { reduction: 'sum', weights: tf.tensor1d([1, 0.5]) });
 */
export interface ClassificationCrossEntropyOptions<R extends Reduction = 'mean'> extends ReductionOptions<R> {
  /** Per-example weights `[N]`. */
  weights?: tf.Tensor1D;
}

/**
 * Softmax cross-entropy per example, `−log softmax(logits)_label` (or `−Σ_c y_c log softmax_c` for
 * one-hot or soft rows), computed with `logSoftmax` for stability.
 *
 * @param logits  `[N, C]` unnormalized class scores.
 * @param labels  `[N]` integer class indices in `[0, C)` (int32 or whole-number float32; read back once
 *                to check the range), or `[N, C]` one-hot / soft labels.
 * @param options `reduction` (default `'mean'` over N), per-example `weights` `[N]`.
 * @returns a scalar, or `[N]` per-example losses for `'none'`. Caller owns it; inputs are not disposed.
 * @throws InputError naming the argument when shapes disagree or a label is out of range.
 * @example
 * const ce = computeClassificationCrossEntropy(classLogits, tf.tensor1d([3, 17], 'int32'));
 */
export function computeClassificationCrossEntropy<R extends Reduction = 'mean'>(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D | tf.Tensor2D,
  options: ClassificationCrossEntropyOptions<R> = {},
): Reduced<R, tf.Tensor1D> {
  const reduction = options.reduction ?? 'mean';
  checkReduction('options.reduction', reduction);
  assertRank('logits', logits, 2);
  if (options.weights !== undefined) {
    assertRank('options.weights', options.weights, 1);
    checkLossWeights('options.weights', options.weights, [logits.shape[0]], 'the per-example loss');
  }
  const oneHot = toOneHotLabels('logits', logits, 'labels', labels);
  try {
    return tf.tidy(() => {
      const perExample = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), -1));
      return reduceLoss(perExample, reduction, options.weights);
    }) as Reduced<R, tf.Tensor1D>;
  } finally {
    oneHot.dispose();
  }
}
