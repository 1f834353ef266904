/**
 * The classification-over-bins objective of Zhang, Isola, Efros 2016 ("Colorful Image Colorization",
 * ECCV, eq. 2–5): the model predicts logits over Q quantized ab bins, trained with the (optionally
 * class-rebalanced) multinomial cross-entropy against soft-encoded targets, decoded by the annealed mean.
 */
import * as tf from '@tensorflow/tfjs-core';
import { computeMultinomialCrossEntropy } from '../losses/multinomial-cross-entropy.js';
import { decodeAnnealedMean } from '../color/decode/decode-annealed-mean.js';
import { DEFAULT_TEMPERATURE } from '../color/decode/decode-config.js';
import { AB_SCALE } from '../color/lab/constants.js';
import { ZHANG_GAMUT, type AbGamut } from '../color/bins/gamut.js';
import { InputError, describeValue } from '../errors.js';
import { checkConfigRange } from '../validate.js';
import type { BatchTargets } from './batch.js';
import { firstOutput, type ObjectiveLoss, type TrainingObjective } from './objectives.js';
import { fitTargetSize } from './objectives-regression.js';

/**
 * Settings of {@link createBinsObjective}.
 *
 * @example
 * const config: BinsObjectiveConfig = { classWeights: computeRebalanceWeights(prior) };
 */
export interface BinsObjectiveConfig {
  /** Rebalancing weights over the Q bins (Zhang et al. 2016 eq. 3–4); default none. */
  classWeights?: tf.Tensor1D | ArrayLike<number>;
  /** The bins; default Zhang's 313-bin gamut. Used to decode predictions for metrics and samples. */
  gamut?: AbGamut;
  /** Annealed-mean temperature for decoding, in (0, 1]. Default {@link DEFAULT_TEMPERATURE} (Zhang et al. 2016 §3.3). */
  temperature?: number;
}

function requireBins(targets: BatchTargets): tf.Tensor4D {
  if (targets.bins === undefined)
    throw new InputError(
      'batch.targets.bins',
      'an [N, H, W, Q] soft-encoded target (configure the pipeline with bin targets)',
      describeValue(targets.bins),
    );
  return targets.bins;
}

/**
 * Bring a soft-encoded target to the logits' size: average pooling by a whole factor (the mean of
 * distributions is a distribution, so the pooled target still sums to 1 per pixel).
 */
function poolBins(bins: tf.Tensor4D, size: readonly [number, number]): tf.Tensor4D {
  const [, h, w] = bins.shape;
  if (h === size[0] && w === size[1]) return bins;
  const fy = h / size[0];
  const fx = w / size[1];
  if (!Number.isInteger(fy) || !Number.isInteger(fx) || fy < 1 || fx < 1) {
    throw new InputError(
      'batch.targets.bins',
      `a spatial size that is a whole multiple of the logits' ${size[0]}×${size[1]}`,
      `${h}×${w}`,
    );
  }
  return tf.avgPool(bins, [fy, fx], [fy, fx], 'valid');
}

/**
 * Create the bins objective. A tensor `classWeights` stays owned by the caller (keep it alive while training).
 *
 * @returns an objective with parts `{ cross_entropy }` and `predictAb` (annealed mean, upsampled bilinearly).
 * @throws ConfigError for a bad temperature.
 * @example
 * const trainer = createSupervisedTrainer({
 *   model: buildZhangModel({ inputSize: 64, widthMultiplier: 0.25 }),
 *   objective: createBinsObjective({ classWeights: computeRebalanceWeights(ZHANG_PRIOR) }),
 *   optimizer: 'zhang2016',
 * });
 */
export function createBinsObjective(config: BinsObjectiveConfig = {}): TrainingObjective {
  const gamut = config.gamut ?? ZHANG_GAMUT;
  const temperature = config.temperature ?? DEFAULT_TEMPERATURE;
  checkConfigRange('temperature', temperature, 0, 1, { openLow: true });
  const classWeights = config.classWeights;
  return {
    name: 'bins',
    targets: ['bins'],
    modelInputs: (batch) => batch.input,
    computeLoss(outputs, targets): ObjectiveLoss {
      const logits = firstOutput(outputs) as tf.Tensor4D;
      const total = tf.tidy(() => {
        const target = poolBins(requireBins(targets), [logits.shape[1], logits.shape[2]]);
        return computeMultinomialCrossEntropy(logits, target, classWeights === undefined ? {} : { classWeights });
      });
      return { total, parts: { cross_entropy: tf.clone(total) } };
    },
    predictAb(outputs, size) {
      const logits = firstOutput(outputs) as tf.Tensor4D;
      return tf.tidy(() => fitTargetSize(tf.div(decodeAnnealedMean(logits, { gamut, temperature }), AB_SCALE), size));
    },
  };
}
