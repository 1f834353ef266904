/**
 * Plain image classification: the pre-training of a ResNet-18 backbone on class labels (He et al. 2016)
 * before it becomes the encoder of the baseline or of Larsson et al. 2016's hypercolumn model.
 */
import * as tf from '@tensorflow/tfjs-core';
import { computeClassificationCrossEntropy } from '../losses/classification-cross-entropy.js';
import { InputError, describeValue } from '../errors.js';
import { checkConfigChoice } from '../validate.js';
import type { Batch } from './batch.js';
import { firstOutput, type ObjectiveLoss, type TrainingObjective } from './objectives.js';

/**
 * Settings of {@link createLabelsObjective}.
 *
 * @example
 * const config: LabelsObjectiveConfig = { input: 'lightness' };
 */
export interface LabelsObjectiveConfig {
  /**
   * What the classifier sees: `'lightness'` (default), the batch's `[N, H, W, 1]` normalized L, as a
   * colorization encoder does. Only lightness is in a {@link Batch}, so a 3-channel classifier is fed the
   * lightness repeated (`'lightness-rgb'`).
   */
  input?: 'lightness' | 'lightness-rgb';
}

/**
 * Create the classification objective: softmax cross-entropy of the model's `[N, C]` logits against the
 * batch's `[N]` labels.
 *
 * @returns an objective with parts `{ cross_entropy }` and `predictClasses`; no `predictAb`.
 * @example
 * const trainer = createSupervisedTrainer({
 *   model: buildResNet18({ inputChannels: 1, inputSize: 32, classes: 10, stem: 'small', widthMultiplier: 1 / 8 }),
 *   objective: createLabelsObjective(),
 *   optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0.9 },
 * });
 */
export function createLabelsObjective(config: LabelsObjectiveConfig = {}): TrainingObjective {
  const input = config.input ?? 'lightness';
  checkConfigChoice('input', input, ['lightness', 'lightness-rgb']);
  return {
    name: 'labels',
    targets: ['labels'],
    modelInputs: (batch: Batch) => (input === 'lightness' ? batch.input : tf.tile(batch.input, [1, 1, 1, 3])),
    computeLoss(outputs, targets): ObjectiveLoss {
      if (targets.labels === undefined)
        throw new InputError('batch.targets.labels', 'an [N] int32 class-label target', describeValue(targets.labels));
      const total = computeClassificationCrossEntropy(firstOutput(outputs) as tf.Tensor2D, targets.labels);
      return { total, parts: { cross_entropy: tf.clone(total) } };
    },
    predictClasses: (outputs) => tf.clone(firstOutput(outputs)) as tf.Tensor2D,
  };
}
