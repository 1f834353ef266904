/**
 * Binary cross-entropy on logits, the building block of the adversarial losses
 * (Goodfellow et al. 2014, "Generative Adversarial Nets", eq. 1; Nazeri, Ng, Ebrahimi 2018).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors.js';
import { assertInRange, assertSameShape } from '../validate.js';
import {
  type Reduced,
  type Reduction,
  type ReductionOptions,
  checkLossWeights,
  checkReduction,
  reduceLoss,
} from './reduction.js';

/**
 * Options of {@link computeSigmoidCrossEntropy}.
 * @example
 * const loss = computeSigmoidCrossEntropy(logits, 1, { reduction: 'sum', weights: patchWeights });
 */
export interface SigmoidCrossEntropyOptions<R extends Reduction = 'mean'> extends ReductionOptions<R> {
  /** Per-element weights shaped as `logits` (or 1 in any dimension). */
  weights?: tf.Tensor;
}

/**
 * Binary cross-entropy between targets `z` and `sigmoid(logits)`, per element
 * `−z log σ(x) − (1 − z) log(1 − σ(x))`, evaluated as `max(x, 0) − x·z + log(1 + e^{−|x|})`: the same
 * value, but `e^{−|x|}` never overflows and no `log 0` appears for large |x|.
 *
 * @param logits   any shape, e.g. the `[N, h, w, 1]` patch logits of a PatchGAN discriminator.
 * @param targets  a number in [0, 1] for every element (e.g. 0.9 for smoothed real), or a tensor shaped as `logits`.
 * @param options  `reduction` (default `'mean'`), `weights`.
 * @returns a scalar, or the per-element loss shaped as `logits` for `'none'`. Caller owns it.
 * @throws InputError when shapes disagree, a number target is outside [0, 1] or `reduction` is unknown.
 * @example
 * const lossReal = computeSigmoidCrossEntropy(discriminator.predict([l, ab]) as tf.Tensor4D, 0.9);
 */
export function computeSigmoidCrossEntropy<R extends Reduction = 'mean', T extends tf.Tensor = tf.Tensor>(
  logits: T,
  targets: number | tf.Tensor,
  options: SigmoidCrossEntropyOptions<R> = {},
): Reduced<R, T> {
  const reduction = options.reduction ?? 'mean';
  checkReduction('options.reduction', reduction);
  if (!Array.isArray(logits?.shape)) throw new InputError('logits', 'a tensor', String(logits));
  if (typeof targets === 'number') assertInRange('targets', targets, 0, 1);
  else assertSameShape('logits', logits, 'targets', targets);
  if (options.weights !== undefined) checkLossWeights('options.weights', options.weights, logits.shape, 'logits');
  return tf.tidy(() => {
    const z = typeof targets === 'number' ? targets : tf.cast(targets, 'float32');
    const perElement = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, z)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return reduceLoss(perElement, reduction, options.weights);
  }) as Reduced<R, T>;
}
