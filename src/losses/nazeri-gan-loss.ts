/**
 * The conditional-GAN losses of Nazeri, Ng, Ebrahimi 2018, "Image Colorization Using Generative
 * Adversarial Networks" (AMDO 2018): a discriminator trained with one-sided label smoothing
 * (Salimans et al. 2016, "Improved Techniques for Training GANs", §3.4), and a generator trained to fool
 * it (the non-saturating −log D(G(x)) form of Goodfellow et al. 2014) plus λ times an L1 (or L2)
 * reconstruction term, λ = 100 as in pix2pix (Isola et al. 2017).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, describeValue } from '../errors.js';
import { assertInRange, assertRank, assertSameShape } from '../validate.js';
import {
  type Reduced,
  type Reduction,
  type ReductionOptions,
  checkLossWeights,
  checkReduction,
  reduceLoss,
} from './reduction.js';
import { computeSigmoidCrossEntropy } from './sigmoid-cross-entropy.js';

/**
 * Target for real pairs under one-sided label smoothing (Nazeri et al. 2018, after Salimans et al. 2016).
 * @example
 * computeGanDiscriminatorLoss(realLogits, fakeLogits, { realLabel: NAZERI_REAL_LABEL }); // the default
 */
export const NAZERI_REAL_LABEL = 0.9;

/**
 * Weight λ of the reconstruction term of the generator (Nazeri et al. 2018; Isola et al. 2017).
 * @example
 * computeGanGeneratorLoss(inputs, { lambda: NAZERI_RECONSTRUCTION_WEIGHT / 2 });
 */
export const NAZERI_RECONSTRUCTION_WEIGHT = 100;

/**
 * Reconstruction terms the generator loss offers: `'l1'` (the paper) or `'l2'`.
 * @example
 * const reconstruction: ReconstructionKind = 'l2';
 */
export type ReconstructionKind = 'l1' | 'l2';

/**
 * Options of {@link computeGanDiscriminatorLoss}.
 * @example
 * const { total } = computeGanDiscriminatorLoss(realLogits, fakeLogits, { realLabel: 1 }); // no smoothing
 */
export interface GanDiscriminatorLossOptions<R extends Reduction = 'mean'> extends ReductionOptions<R> {
  /** Target of real pairs, in (0, 1]. Default 0.9 (one-sided label smoothing); 1 turns smoothing off. */
  realLabel?: number;
  /** Target of generated pairs, in [0, 1). Default 0: smoothing stays one-sided. */
  fakeLabel?: number;
}

/** Discriminator loss and its parts, reduced alike. The caller owns all three tensors. */
export interface GanDiscriminatorLoss<T extends tf.Tensor> {
  /** `real + fake`: the quantity the discriminator minimizes. */
  total: T;
  /** Cross-entropy of the real pairs' logits against `realLabel`. */
  real: T;
  /** Cross-entropy of the generated pairs' logits against `fakeLabel`. */
  fake: T;
}

/**
 * Discriminator loss of Nazeri et al. 2018: binary cross-entropy on logits of real pairs against
 * `realLabel` (0.9, one-sided label smoothing) plus that of generated pairs against `fakeLabel` (0).
 * Stable for any logit size (see {@link computeSigmoidCrossEntropy}).
 *
 * @param realLogits  discriminator logits for (gray, true ab), e.g. `[N, h, w, 1]` patch logits.
 * @param fakeLogits  logits for (gray, generated ab), the same shape.
 * @param options     `realLabel` (0.9), `fakeLabel` (0), `reduction` (default `'mean'` over all logits).
 * @returns `{ total, real, fake }`: scalars, or per-logit tensors for `'none'`. Caller owns them.
 * @throws InputError when the shapes differ, a label is out of range or `reduction` is unknown.
 * @example
 * const { total } = computeGanDiscriminatorLoss(
 *   discriminator.apply([l, ab], { training: true }) as tf.Tensor4D,
 *   discriminator.apply([l, generated], { training: true }) as tf.Tensor4D,
 * );
 */
export function computeGanDiscriminatorLoss<R extends Reduction = 'mean', T extends tf.Tensor = tf.Tensor>(
  realLogits: T,
  fakeLogits: T,
  options: GanDiscriminatorLossOptions<R> = {},
): GanDiscriminatorLoss<Reduced<R, T>> {
  const reduction = options.reduction ?? 'mean';
  checkReduction('options.reduction', reduction);
  const realLabel = options.realLabel ?? NAZERI_REAL_LABEL;
  const fakeLabel = options.fakeLabel ?? 0;
  assertInRange('options.realLabel', realLabel, 0, 1, { openLow: true });
  assertInRange('options.fakeLabel', fakeLabel, 0, 1, { openHigh: true });
  if (!Array.isArray(realLogits?.shape)) throw new InputError('realLogits', 'a tensor', describeValue(realLogits));
  if (!Array.isArray(fakeLogits?.shape)) throw new InputError('fakeLogits', 'a tensor', describeValue(fakeLogits));
  assertSameShape('realLogits', realLogits, 'fakeLogits', fakeLogits);
  return tf.tidy(() => {
    const real = computeSigmoidCrossEntropy(realLogits, realLabel, { reduction: 'none' });
    const fake = computeSigmoidCrossEntropy(fakeLogits, fakeLabel, { reduction: 'none' });
    return {
      total: reduceLoss(tf.add(real, fake), reduction),
      real: reduceLoss(real, reduction),
      fake: reduceLoss(fake, reduction),
    };
  }) as unknown as GanDiscriminatorLoss<Reduced<R, T>>;
}

/**
 * The tensors {@link computeGanGeneratorLoss} compares.
 * @example
 * const predictedAb = generator.apply(l, { training: true }) as tf.Tensor4D;
 * const fakeLogits = discriminator.apply([l, predictedAb]) as tf.Tensor4D;
 * const { total } = computeGanGeneratorLoss({ fakeLogits, predictedAb, targetAb });
 */
export interface GanGeneratorLossInputs {
  /** Discriminator logits for (gray, generated ab), e.g. `[N, h, w, 1]`. */
  fakeLogits: tf.Tensor;
  /** `[N, H, W, 2]` generated ab (tanh output, ab ÷ `AB_SCALE`). */
  predictedAb: tf.Tensor4D;
  /** `[N, H, W, 2]` true ab in the same units. */
  targetAb: tf.Tensor4D;
}

/**
 * Options of {@link computeGanGeneratorLoss}.
 * @example
 * const { total } = computeGanGeneratorLoss(inputs, { lambda: 100, reconstruction: 'l1' });
 */
export interface GanGeneratorLossOptions<R extends Reduction = 'mean'> extends ReductionOptions<R> {
  /** Weight λ ≥ 0 of the reconstruction term. Default 100 (Nazeri et al. 2018). */
  lambda?: number;
  /** `'l1'` (default, the paper: mean absolute error) or `'l2'` (mean squared error). */
  reconstruction?: ReconstructionKind;
  /** Weights of the reconstruction term shaped as `predictedAb` (or 1 in any dimension). */
  reconstructionWeights?: tf.Tensor4D;
}

/** Generator loss and its parts, reduced alike. The caller owns all three tensors. */
export interface GanGeneratorLoss<T extends tf.Tensor> {
  /** `adversarial + lambda · reconstruction`: the quantity the generator minimizes. */
  total: T;
  /** Cross-entropy of the generated pairs' logits against 1 (fool the discriminator). */
  adversarial: T;
  /** Mean L1 (or L2) distance between generated and true ab, without λ. */
  reconstruction: T;
}

/**
 * Generator loss of Nazeri et al. 2018: `BCE(fakeLogits, 1) + λ · mean|predictedAb − targetAb|`
 * (or the squared distance for `'l2'`). Both terms are averaged per example first, so `'none'` gives
 * `[N]` per-example losses and `'mean'` equals the mean over all logits plus λ times the mean over all
 * ab elements (the reference implementation's `reduce_mean` of each term).
 *
 * @param inputs   `fakeLogits` (batch first), `predictedAb` and `targetAb` `[N, H, W, 2]`.
 * @param options  `lambda` (100), `reconstruction` (`'l1'`), `reduction` over the batch (default `'mean'`), `reconstructionWeights`.
 * @returns `{ total, adversarial, reconstruction }`: scalars, or `[N]` for `'none'`. Caller owns them.
 * @throws InputError naming the argument when shapes or batch sizes disagree or an option is invalid.
 * @example
 * const generated = generator.apply(l, { training: true }) as tf.Tensor4D;
 * const fakeLogits = discriminator.apply([l, generated], { training: true }) as tf.Tensor4D;
 * const { total, adversarial, reconstruction } = computeGanGeneratorLoss({ fakeLogits, predictedAb: generated, targetAb: ab });
 */
export function computeGanGeneratorLoss<R extends Reduction = 'mean'>(
  inputs: GanGeneratorLossInputs,
  options: GanGeneratorLossOptions<R> = {},
): GanGeneratorLoss<Reduced<R, tf.Tensor1D>> {
  const reduction = options.reduction ?? 'mean';
  checkReduction('options.reduction', reduction);
  const lambda = options.lambda ?? NAZERI_RECONSTRUCTION_WEIGHT;
  assertInRange('options.lambda', lambda, 0, Infinity);
  const kind = options.reconstruction ?? 'l1';
  if (kind !== 'l1' && kind !== 'l2')
    throw new InputError('options.reconstruction', "one of 'l1' | 'l2'", describeValue(kind));
  const { fakeLogits, predictedAb, targetAb } = inputs;
  if (!Array.isArray(fakeLogits?.shape) || fakeLogits.rank < 1) {
    throw new InputError('inputs.fakeLogits', 'a tensor with the batch first', describeValue(fakeLogits));
  }
  assertRank('inputs.predictedAb', predictedAb, 4);
  assertRank('inputs.targetAb', targetAb, 4);
  assertSameShape('inputs.predictedAb', predictedAb, 'inputs.targetAb', targetAb);
  if (fakeLogits.shape[0] !== predictedAb.shape[0]) {
    throw new InputError(
      'inputs.fakeLogits',
      `batch size ${predictedAb.shape[0]} (that of inputs.predictedAb)`,
      `shape [${fakeLogits.shape.join(', ')}]`,
    );
  }
  if (options.reconstructionWeights !== undefined) {
    checkLossWeights(
      'options.reconstructionWeights',
      options.reconstructionWeights,
      predictedAb.shape,
      'inputs.predictedAb',
    );
  }
  return tf.tidy(() => {
    const batch = predictedAb.shape[0];
    const bce = computeSigmoidCrossEntropy(fakeLogits, 1, { reduction: 'none' });
    const adversarial = tf.mean(tf.reshape(bce, [batch, -1]), 1);
    const difference = tf.sub(predictedAb, targetAb);
    const distance = kind === 'l1' ? tf.abs(difference) : tf.square(difference);
    const weighted =
      options.reconstructionWeights === undefined ? distance : tf.mul(distance, options.reconstructionWeights);
    const reconstruction = tf.mean(weighted, [1, 2, 3]);
    return {
      total: reduceLoss(tf.add(adversarial, tf.mul(lambda, reconstruction)), reduction),
      adversarial: reduceLoss(adversarial, reduction),
      reconstruction: reduceLoss(reconstruction, reduction),
    };
  }) as unknown as GanGeneratorLoss<Reduced<R, tf.Tensor1D>>;
}
