/**
 * The joint objective of Iizuka, Simo-Serra, Ishikawa 2016 ("Let there be Color!", SIGGRAPH, eq. 2):
 * a two-output model (sigmoid chrominance, scene-class logits) trained with colour MSE + α·CE.
 */
import * as tf from '@tensorflow/tfjs-core';
import { computeIizukaLoss, IIZUKA_CLASSIFICATION_WEIGHT } from '../losses/iizuka-loss.js';
import { InputError, describeValue } from '../errors.js';
import { checkConfigChoice, checkConfigRange } from '../validate.js';
import type { Batch, BatchTargets } from './batch.js';
import type { ObjectiveLoss, TrainingObjective } from './objectives.js';
import { fitTargetSize, requireAbTarget, type AbOutputRange } from './objectives-regression.js';

/**
 * Settings of {@link createJointObjective}.
 *
 * @example
 * const config: JointObjectiveConfig = { globalInputSize: 64 };
 */
export interface JointObjectiveConfig {
  /** α of eq. 2, ≥ 0. Default 1/300 (§3.5). */
  alpha?: number;
  /**
   * Side of the global input of an Iizuka model: the batch's lightness is resized (bilinear) to it and
   * given as the first input, the lightness itself as the second. `null` gives the model one input.
   * Default 224 (§3.4); use the `globalInputSize` the model was built with.
   */
  globalInputSize?: number | null;
  /** Encoding of the ab output; default `'unit'` (Iizuka's sigmoid). */
  outputRange?: AbOutputRange;
}

function requireLabels(targets: BatchTargets): tf.Tensor1D {
  if (targets.labels === undefined)
    throw new InputError('batch.targets.labels', 'an [N] int32 class-label target', describeValue(targets.labels));
  return targets.labels;
}

function requirePair(outputs: tf.Tensor | tf.Tensor[]): [tf.Tensor4D, tf.Tensor2D] {
  if (!Array.isArray(outputs) || outputs.length < 2) {
    throw new InputError(
      'outputs',
      'a two-output model: [ab [N, H, W, 2], class logits [N, C]]',
      Array.isArray(outputs) ? `${outputs.length} output(s)` : 'one output',
    );
  }
  return [outputs[0] as tf.Tensor4D, outputs[1] as tf.Tensor2D];
}

/**
 * Create the joint colour + classification objective.
 *
 * @returns an objective with parts `{ color, classification }` (α not applied to the part), `predictAb`
 *   and `predictClasses`.
 * @throws ConfigError for a bad α, global size or output range.
 * @example
 * const model = buildIizukaModel({ globalInputSize: 64, widthMultiplier: 1 / 8, numClasses: 10 });
 * const trainer = createSupervisedTrainer({ model, objective: createJointObjective({ globalInputSize: 64 }), optimizer: 'iizuka2016' });
 */
export function createJointObjective(config: JointObjectiveConfig = {}): TrainingObjective {
  const alpha = config.alpha ?? IIZUKA_CLASSIFICATION_WEIGHT;
  checkConfigRange('alpha', alpha, 0, Infinity);
  const globalSize = config.globalInputSize === undefined ? 224 : config.globalInputSize;
  if (globalSize !== null) checkConfigRange('globalInputSize', globalSize, 1, Infinity, { integer: true });
  const outputRange = config.outputRange ?? 'unit';
  checkConfigChoice('outputRange', outputRange, ['signed', 'unit']);
  return {
    name: 'joint',
    targets: ['ab', 'labels'],
    modelInputs(batch: Batch) {
      if (globalSize === null) return batch.input;
      return [tf.image.resizeBilinear(batch.input, [globalSize, globalSize], false, true), tf.clone(batch.input)];
    },
    computeLoss(outputs, targets): ObjectiveLoss {
      const [predictedAb, classLogits] = requirePair(outputs);
      const labels = requireLabels(targets);
      const targetAb = tf.tidy(() => {
        const fitted = fitTargetSize(requireAbTarget(targets), [predictedAb.shape[1], predictedAb.shape[2]]);
        return outputRange === 'unit' ? tf.div(tf.add(fitted, 1), 2) : tf.clone(fitted);
      }) as tf.Tensor4D;
      try {
        const { total, color, classification } = computeIizukaLoss(
          { predictedAb, targetAb, classLogits, classLabels: labels },
          { alpha },
        );
        return { total, parts: { color, classification } };
      } finally {
        targetAb.dispose();
      }
    },
    predictAb(outputs, size) {
      const [predictedAb] = requirePair(outputs);
      return tf.tidy(() =>
        fitTargetSize(outputRange === 'unit' ? tf.sub(tf.mul(predictedAb, 2), 1) : tf.clone(predictedAb), size),
      );
    },
    predictClasses(outputs) {
      return tf.clone(requirePair(outputs)[1]);
    },
  };
}
