/**
 * Regression losses on ab (or any tensor pair of one shape): squared error (L2, the colour term of
 * Iizuka et al. 2016 and the L2 variant of Nazeri et al. 2018), absolute error (L1, the reconstruction term
 * of Nazeri et al. 2018, after Isola et al. 2017's pix2pix) and Huber (Huber 1964, "Robust Estimation of a
 * Location Parameter"; the regression loss of Zhang et al. 2017, "Real-Time User-Guided Image Colorization"). They differ only in the per-element penalty, so they share one checked path.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertInRange, assertSameShape } from '../validate.js';
import { InputError } from '../errors.js';
import {
  type Reduced,
  type Reduction,
  type ReductionOptions,
  checkLossWeights,
  checkReduction,
  reduceLoss,
} from './reduction.js';

/**
 * Options of the regression losses.
 * @example
 * const perPixel = computeSquaredError(predictedAb, targetAb, { reduction: 'none', weights: pixelWeights }); // pixelWeights [N, H, W, 1]
 */
export interface RegressionLossOptions<R extends Reduction = 'mean'> extends ReductionOptions<R> {
  /**
   * Per-element weights shaped as `prediction`, or with 1 in any dimension: `[N, H, W, 1]` weights
   * whole pixels, `[N, 1, 1, 1]` whole examples.
   */
  weights?: tf.Tensor;
}

/**
 * Options of {@link computeHuberLoss}.
 * @example
 * const loss = computeHuberLoss(predictedAb, targetAb, { delta: 10 / AB_SCALE });
 */
export interface HuberLossOptions<R extends Reduction = 'mean'> extends RegressionLossOptions<R> {
  /**
   * Where the penalty turns from quadratic to linear, in the units of the inputs (default 1). On ab
   * normalized by `AB_SCALE` (÷110), delta 1 is 110 Lab units, so the loss is quadratic over the whole
   * gamut; pass `10 / AB_SCALE` for a knee at 10 Lab units.
   */
  delta?: number;
}

function checkRegressionInputs(
  prediction: tf.Tensor,
  target: tf.Tensor,
  options: RegressionLossOptions<Reduction>,
): Reduction {
  const reduction = options.reduction ?? 'mean';
  checkReduction('options.reduction', reduction);
  if (!Array.isArray(prediction?.shape)) throw new InputError('prediction', 'a tensor', String(prediction));
  if (!Array.isArray(target?.shape)) throw new InputError('target', 'a tensor', String(target));
  assertSameShape('prediction', prediction, 'target', target);
  if (options.weights !== undefined)
    checkLossWeights('options.weights', options.weights, prediction.shape, 'prediction');
  return reduction;
}

/**
 * Squared error `(prediction − target)²` per element, then weighted and reduced. With the default
 * `'mean'` this is the MSE.
 *
 * @param prediction  any shape, typically `[N, H, W, 2]` ab divided by `AB_SCALE`.
 * @param target      the same shape.
 * @param options     `reduction` (default `'mean'`), `weights`.
 * @returns a scalar, or the per-element loss shaped as `prediction` for `'none'`. Caller owns it.
 * @throws InputError when shapes disagree (naming both) or `reduction` is unknown.
 * @example
 * const loss = computeSquaredError(predictedAb, targetAb); // MSE
 */
export function computeSquaredError<R extends Reduction = 'mean', T extends tf.Tensor = tf.Tensor>(
  prediction: T,
  target: T,
  options: RegressionLossOptions<R> = {},
): Reduced<R, T> {
  const reduction = checkRegressionInputs(prediction, target, options);
  return tf.tidy(() => reduceLoss(tf.squaredDifference(prediction, target), reduction, options.weights)) as Reduced<
    R,
    T
  >;
}

/**
 * Absolute error `|prediction − target|` per element, then weighted and reduced (`'mean'`: MAE, the L1
 * term of Nazeri et al. 2018).
 *
 * @param prediction  any shape, typically `[N, H, W, 2]` normalized ab.
 * @param target      the same shape.
 * @param options     `reduction` (default `'mean'`), `weights`.
 * @returns a scalar, or the per-element loss for `'none'`. Caller owns it.
 * @throws InputError when shapes disagree or `reduction` is unknown.
 * @example
 * const l1 = computeAbsoluteError(generator.predict(l) as tf.Tensor4D, targetAb);
 */
export function computeAbsoluteError<R extends Reduction = 'mean', T extends tf.Tensor = tf.Tensor>(
  prediction: T,
  target: T,
  options: RegressionLossOptions<R> = {},
): Reduced<R, T> {
  const reduction = checkRegressionInputs(prediction, target, options);
  return tf.tidy(() => reduceLoss(tf.abs(tf.sub(prediction, target)), reduction, options.weights)) as Reduced<R, T>;
}

/**
 * Huber loss per element: `½d²` where `|d| ≤ δ`, else `δ(|d| − ½δ)`, with `d = prediction − target`
 * (Huber 1964). Quadratic near zero like MSE, linear in the tails like L1, continuous with a continuous
 * first derivative at `|d| = δ`.
 *
 * @param prediction  any shape, typically `[N, H, W, 2]` normalized ab.
 * @param target      the same shape.
 * @param options     `delta` > 0 in input units (default 1), `reduction` (default `'mean'`), `weights`.
 * @returns a scalar, or the per-element loss for `'none'`. Caller owns it.
 * @throws InputError when shapes disagree, `delta` ≤ 0 or `reduction` is unknown.
 * @example
 * const loss = computeHuberLoss(predictedAb, targetAb, { delta: 10 / AB_SCALE });
 */
export function computeHuberLoss<R extends Reduction = 'mean', T extends tf.Tensor = tf.Tensor>(
  prediction: T,
  target: T,
  options: HuberLossOptions<R> = {},
): Reduced<R, T> {
  const reduction = checkRegressionInputs(prediction, target, options);
  const delta = options.delta ?? 1;
  assertInRange('options.delta', delta, 0, Infinity, { openLow: true });
  return tf.tidy(() => {
    const absError = tf.abs(tf.sub(prediction, target));
    // min(|d|, δ) splits |d| into a quadratic part and a linear remainder: ½q² + δ(|d| − q) equals
    // the two-branch definition without a select, so the gradient is the same on both sides of δ.
    const quadratic = tf.minimum(absError, delta);
    const perElement = tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(delta, tf.sub(absError, quadratic)));
    return reduceLoss(perElement, reduction, options.weights);
  }) as Reduced<R, T>;
}
