/**
 * The one reduction path shared by every loss in `src/losses`: optional weights multiply the
 * unreduced loss, then `'mean'`, `'sum'` or `'none'` is applied. Keeping this in one place means every
 * loss agrees on what "weighted mean" means.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, describeValue } from '../errors.js';

/** How a loss collapses its per-element values. */
export type Reduction = 'mean' | 'sum' | 'none';

/**
 * The reductions accepted by every loss, in the order error messages list them.
 * @example
 * REDUCTIONS.includes(options.reduction ?? 'mean'); // true for every valid option
 */
export const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

/** What a loss returns for reduction `R`: a scalar for `'mean'` / `'sum'`, the unreduced tensor `T` for `'none'`. */
export type Reduced<R extends Reduction, T extends tf.Tensor> = R extends 'none' ? T : tf.Scalar;

/**
 * Options every loss accepts.
 * @example
 * const perElement = computeAbsoluteError(predictedAb, targetAb, { reduction: 'none' }); // [N, H, W, 2]
 */
export interface ReductionOptions<R extends Reduction = 'mean'> {
  /** `'mean'` (default) over all elements, `'sum'`, or `'none'` to keep the unreduced loss. */
  reduction?: R;
}

/** Throw {@link InputError} unless `reduction` is one of {@link REDUCTIONS}. */
export function checkReduction(name: string, reduction: unknown): asserts reduction is Reduction {
  if (!REDUCTIONS.includes(reduction as Reduction)) {
    throw new InputError(name, `one of ${REDUCTIONS.map((r) => `'${r}'`).join(' | ')}`, describeValue(reduction));
  }
}

/**
 * Throw {@link InputError} unless `weights` can multiply a loss of shape `lossShape`: the same rank, and
 * every dimension either equal to the loss's or 1 (so `[N, H, W, 1]` weights one pixel's channels alike).
 */
export function checkLossWeights(
  name: string,
  weights: tf.Tensor,
  lossShape: readonly number[],
  lossName = 'the loss',
): void {
  const shape = weights.shape;
  const fits = shape.length === lossShape.length && shape.every((d, i) => d === lossShape[i] || d === 1);
  if (!fits) {
    throw new InputError(
      name,
      `shape [${lossShape.join(', ')}] of ${lossName} (or 1 in any dimension)`,
      `shape [${shape.join(', ')}]`,
    );
  }
}

/**
 * Weight and reduce an unreduced loss. A weighted `'mean'` is the plain mean of `weights · loss` over
 * all elements (not divided by the sum of the weights), as in Zhang et al. 2016 eq. 2, where the
 * rebalancing weights are normalized so that their expectation under the prior is 1.
 *
 * @param loss       the unreduced loss, any shape.
 * @param reduction  `'mean'`, `'sum'` or `'none'`.
 * @param weights    optional, shaped as `loss` or with 1 in any dimension (checked by the caller
 *                   with {@link checkLossWeights}, which knows the argument's public name).
 * @returns a scalar, or for `'none'` a tensor shaped as `loss`. Caller owns it; the inputs are not disposed.
 * @example
 * const perPixel = tf.tensor3d([[[1, 2]]]);
 * reduceLoss(perPixel, 'mean').dataSync(); // [1.5]
 */
export function reduceLoss(loss: tf.Tensor, reduction: Reduction, weights?: tf.Tensor): tf.Tensor {
  checkReduction('reduction', reduction);
  if (weights !== undefined) checkLossWeights('weights', weights, loss.shape);
  return tf.tidy(() => {
    const weighted = weights === undefined ? loss : tf.mul(loss, weights);
    if (reduction === 'mean') return tf.mean(weighted);
    if (reduction === 'sum') return tf.sum(weighted);
    // 'none' must not hand back the caller's own tensor (they would dispose it twice).
    return weighted === loss ? tf.clone(loss) : weighted;
  });
}
