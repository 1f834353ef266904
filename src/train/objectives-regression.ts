/**
 * The ab regression objective: the model predicts ab directly and is trained with MSE (Iizuka et al.
 * 2016's colour term), L1 (Nazeri et al. 2018's reconstruction term) or Huber (Zhang et al. 2017).
 */
import * as tf from '@tensorflow/tfjs-core';
import { computeAbsoluteError, computeHuberLoss, computeSquaredError } from '../losses/ab-regression.js';
import { InputError, describeValue } from '../errors.js';
import { checkConfigChoice, checkConfigRange } from '../validate.js';
import type { BatchTargets } from './batch.js';
import { firstOutput, type ObjectiveLoss, type TrainingObjective } from './objectives.js';

/**
 * Per-element penalties of {@link createRegressionObjective}.
 * @example
 * const objectives = REGRESSION_LOSSES.map((loss) => createRegressionObjective({ loss }));
 */
export const REGRESSION_LOSSES = ['mse', 'l1', 'huber'] as const;

/**
 * One of {@link REGRESSION_LOSSES}.
 * @example
 * const loss: RegressionLoss = 'huber';
 * createRegressionObjective({ loss, huberDelta: 10 / AB_SCALE });
 */
export type RegressionLoss = (typeof REGRESSION_LOSSES)[number];

/**
 * How a model's ab output is encoded: `'signed'` is ab ÷ `AB_SCALE` (tanh or linear heads, about [−1, 1]);
 * `'unit'` is Iizuka's sigmoid chrominance `s = (ab ÷ AB_SCALE + 1) / 2` in [0, 1].
 * @example
 * createRegressionObjective({ loss: 'mse', outputRange: 'unit' }); // Iizuka's sigmoid head
 */
export type AbOutputRange = 'signed' | 'unit';

/**
 * Settings of {@link createRegressionObjective}.
 *
 * @example
 * const config: RegressionObjectiveConfig = { loss: 'huber', huberDelta: 10 / 110 };
 */
export interface RegressionObjectiveConfig {
  /** `'mse'` (default), `'l1'` or `'huber'`. */
  loss?: RegressionLoss;
  /** Knee of the Huber loss in normalized ab units; > 0. Default 1. */
  huberDelta?: number;
  /** Encoding of the model's ab output. Default `'signed'`. */
  outputRange?: AbOutputRange;
}

/**
 * Resize a `[N, h, w, C]` target to `[H, W]` (bilinear, half-pixel centres), or return the same tensor
 * when it already fits (then do not dispose the result separately from `target`).
 *
 * @example
 * const t = fitTargetSize(batch.targets.ab!, [16, 16]);
 */
export function fitTargetSize(target: tf.Tensor4D, size: readonly [number, number]): tf.Tensor4D {
  if (target.shape[1] === size[0] && target.shape[2] === size[1]) return target;
  return tf.image.resizeBilinear(target, [size[0], size[1]], false, true);
}

/**
 * The batch's ab target, or an InputError saying the pipeline must produce one.
 *
 * @example
 * const ab = requireAbTarget(batch.targets);
 */
export function requireAbTarget(targets: BatchTargets): tf.Tensor4D {
  if (targets.ab === undefined)
    throw new InputError(
      'batch.targets.ab',
      'an [N, H, W, 2] ab target (configure the pipeline with ab targets)',
      describeValue(targets.ab),
    );
  return targets.ab;
}

/**
 * Create the ab regression objective. The target ab (÷ 110) is resized to the model's output size when
 * they differ; the model's input is the batch's normalized lightness.
 *
 * @param config  see {@link RegressionObjectiveConfig}.
 * @returns an objective with parts `{ regression }` (equal to the total) and `predictAb`.
 * @throws ConfigError for an unknown loss or a bad delta.
 * @example
 * const trainer = createSupervisedTrainer({ model: buildBaselineModel({ output: 'ab' }), objective: createRegressionObjective({ loss: 'mse' }) });
 */
export function createRegressionObjective(config: RegressionObjectiveConfig = {}): TrainingObjective {
  const loss = config.loss ?? 'mse';
  checkConfigChoice('loss', loss, REGRESSION_LOSSES);
  const delta = config.huberDelta ?? 1;
  checkConfigRange('huberDelta', delta, 0, Infinity, { openLow: true });
  const outputRange = config.outputRange ?? 'signed';
  checkConfigChoice('outputRange', outputRange, ['signed', 'unit']);
  const penalty = (p: tf.Tensor4D, t: tf.Tensor4D): tf.Scalar =>
    loss === 'mse'
      ? computeSquaredError(p, t)
      : loss === 'l1'
        ? computeAbsoluteError(p, t)
        : computeHuberLoss(p, t, { delta });
  return {
    name: `regression-${loss}`,
    targets: ['ab'],
    modelInputs: (batch) => batch.input,
    computeLoss(outputs, targets): ObjectiveLoss {
      const predicted = firstOutput(outputs) as tf.Tensor4D;
      const total = tf.tidy(() => {
        let target = fitTargetSize(requireAbTarget(targets), [predicted.shape[1], predicted.shape[2]]);
        if (outputRange === 'unit') target = tf.div(tf.add(target, 1), 2);
        return penalty(predicted, target);
      });
      return { total, parts: { regression: tf.clone(total) } };
    },
    predictAb(outputs, size) {
      const predicted = firstOutput(outputs) as tf.Tensor4D;
      return tf.tidy(() =>
        fitTargetSize(outputRange === 'unit' ? tf.sub(tf.mul(predicted, 2), 1) : tf.clone(predicted), size),
      );
    },
  };
}
