/**
 * The joint loss of Iizuka, Simo-Serra, Ishikawa 2016, "Let there be Color!: Joint End-to-end Learning
 * of Global and Local Image Priors for Automatic Image Colorization with Simultaneous Classification",
 * SIGGRAPH, eq. 2: colour MSE plus α times the scene-classification cross-entropy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors.js';
import { assertInRange, assertRank, assertSameShape } from '../validate.js';
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
 * α of Iizuka et al. 2016 (§3.5): the classification term weighs 1/300 of the colour term.
 * @example
 * const { total } = computeIizukaLoss(inputs, { alpha: 10 * IIZUKA_CLASSIFICATION_WEIGHT });
 */
export const IIZUKA_CLASSIFICATION_WEIGHT = 1 / 300;

/**
 * The tensors {@link computeIizukaLoss} compares.
 * @example
 * const [predictedAb, classLogits] = model.apply(l, { training: true }) as [tf.Tensor4D, tf.Tensor2D];
 * const { total } = computeIizukaLoss({ predictedAb, targetAb, classLogits, classLabels });
 */
export interface IizukaLossInputs {
  /** `[N, H, W, 2]` predicted chrominance (Iizuka's sigmoid output, or ab ÷ `AB_SCALE`). */
  predictedAb: tf.Tensor4D;
  /** `[N, H, W, 2]` target chrominance in the same units. */
  targetAb: tf.Tensor4D;
  /** `[N, C]` class logits of the classification head. */
  classLogits: tf.Tensor2D;
  /** `[N]` integer class indices in `[0, C)`, or `[N, C]` one-hot rows. */
  classLabels: tf.Tensor1D | tf.Tensor2D;
}

/**
 * Options of {@link computeIizukaLoss}.
 * @example
 * const { total, color, classification } = computeIizukaLoss(inputs, { alpha: 1 / 300, reduction: 'mean' });
 */
export interface IizukaLossOptions<R extends Reduction = 'mean'> extends ReductionOptions<R> {
  /** Weight α ≥ 0 of the classification term. Default 1/300 (Iizuka et al. 2016 §3.5). */
  alpha?: number;
  /** Weights of the colour term shaped as `predictedAb` (or 1 in any dimension, e.g. `[N, H, W, 1]` per pixel). */
  colorWeights?: tf.Tensor4D;
}

/** The joint loss and its two parts, all reduced the same way. The caller owns all three tensors. */
export interface IizukaLoss<T extends tf.Tensor> {
  /** `color + alpha · classification`: the quantity to minimize. */
  total: T;
  /** Mean squared error of the chrominance (per example for `'none'`). */
  color: T;
  /** Softmax cross-entropy of the classes, without α. */
  classification: T;
}

/**
 * Iizuka et al. 2016 joint loss (eq. 2), `MSE(predictedAb, targetAb) + α · CE(classLogits, classLabels)`,
 * with its parts for logging. Each example's colour error is averaged over its H·W·2 elements first, so
 * that `'none'` gives per-example `[N]` losses and `'mean'` equals the plain MSE over all elements plus α
 * times the mean cross-entropy.
 *
 * @param inputs   `predictedAb`, `targetAb` `[N, H, W, 2]`; `classLogits` `[N, C]`; `classLabels` `[N]` or `[N, C]`.
 * @param options  `alpha` (default 1/300), `reduction` over the batch (default `'mean'`), `colorWeights`.
 * @returns `{ total, color, classification }`: scalars, or `[N]` for `'none'`. Caller owns them; inputs are not disposed.
 * @throws InputError naming the argument when shapes or batch sizes disagree, a label is out of range or `alpha` < 0.
 * @example
 * const { total, color, classification } = computeIizukaLoss({ predictedAb, targetAb, classLogits, classLabels });
 */
export function computeIizukaLoss<R extends Reduction = 'mean'>(
  inputs: IizukaLossInputs,
  options: IizukaLossOptions<R> = {},
): IizukaLoss<Reduced<R, tf.Tensor1D>> {
  const reduction = options.reduction ?? 'mean';
  checkReduction('options.reduction', reduction);
  const alpha = options.alpha ?? IIZUKA_CLASSIFICATION_WEIGHT;
  assertInRange('options.alpha', alpha, 0, Infinity);
  const { predictedAb, targetAb, classLogits, classLabels } = inputs;
  assertRank('inputs.predictedAb', predictedAb, 4);
  assertRank('inputs.targetAb', targetAb, 4);
  assertSameShape('inputs.predictedAb', predictedAb, 'inputs.targetAb', targetAb);
  assertRank('inputs.classLogits', classLogits, 2);
  if (classLogits.shape[0] !== predictedAb.shape[0]) {
    throw new InputError(
      'inputs.classLogits',
      `batch size ${predictedAb.shape[0]} (that of inputs.predictedAb)`,
      `shape [${classLogits.shape.join(', ')}]`,
    );
  }
  if (options.colorWeights !== undefined) {
    checkLossWeights('options.colorWeights', options.colorWeights, predictedAb.shape, 'inputs.predictedAb');
  }
  const oneHot = toOneHotLabels('inputs.classLogits', classLogits, 'inputs.classLabels', classLabels);
  try {
    return computeParts(inputs, oneHot, alpha, reduction, options.colorWeights) as unknown as IizukaLoss<
      Reduced<R, tf.Tensor1D>
    >;
  } finally {
    oneHot.dispose();
  }
}

function computeParts(
  { predictedAb, targetAb, classLogits }: IizukaLossInputs,
  oneHot: tf.Tensor2D,
  alpha: number,
  reduction: Reduction,
  colorWeights: tf.Tensor4D | undefined,
): IizukaLoss<tf.Tensor> {
  return tf.tidy(() => {
    const squared = tf.squaredDifference(predictedAb, targetAb);
    const weighted = colorWeights === undefined ? squared : tf.mul(squared, colorWeights);
    const colorPerExample = tf.mean(weighted, [1, 2, 3]);
    const classPerExample = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(classLogits)), -1));
    const totalPerExample = tf.add(colorPerExample, tf.mul(alpha, classPerExample));
    return {
      total: reduceLoss(totalPerExample, reduction),
      color: reduceLoss(colorPerExample, reduction),
      classification: reduceLoss(classPerExample, reduction),
    };
  });
}
