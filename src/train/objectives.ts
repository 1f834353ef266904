/**
 * Training objectives: what a supervised trainer minimizes. An objective says how a batch becomes the
 * model's inputs, how the model's outputs and the batch's targets become a total loss with named parts,
 * and (for colorization objectives) how outputs become ab for metrics and sample sheets.
 * Implementations: {@link createRegressionObjective}, {@link createBinsObjective},
 * {@link createJointObjective}, {@link createLabelsObjective}.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Batch, BatchTargets } from './batch.js';

/** A loss with its named parts, all scalars. The caller owns every tensor. */
export interface ObjectiveLoss {
  /** The quantity minimized. */
  total: tf.Scalar;
  /** Parts for logging (e.g. `{ color, classification }`); may be empty. */
  parts: { [name: string]: tf.Scalar };
}

/**
 * Maps (model outputs, batch targets) to a loss. Every method is pure tensor code that a trainer calls
 * inside `tf.tidy` / `optimizer.minimize`; results are owned by the caller.
 *
 * @example
 * const objective = createRegressionObjective({ loss: 'mse' });
 * const { total } = objective.computeLoss(model.apply(objective.modelInputs(batch)) as tf.Tensor, batch.targets);
 */
export interface TrainingObjective {
  /** Short name for logs and checkpoints (`'regression-mse'`, `'bins'`, `'joint'`, `'labels'`). */
  readonly name: string;
  /** Which batch targets it needs. */
  readonly targets: readonly (keyof BatchTargets)[];
  /** The model's input(s) for a batch (one tensor, or a list for multi-input models such as Iizuka's). */
  modelInputs(batch: Batch): tf.Tensor | tf.Tensor[];
  /** Total loss and parts from the model's output(s). */
  computeLoss(outputs: tf.Tensor | tf.Tensor[], targets: BatchTargets): ObjectiveLoss;
  /**
   * Predicted ab divided by `AB_SCALE`, `[N, H, W, 2]`, from the outputs (decoded, resized to `size`
   * `[H, W]` when the model predicts at another size). Absent for objectives without colour (labels).
   */
  predictAb?(outputs: tf.Tensor | tf.Tensor[], size: readonly [number, number]): tf.Tensor4D;
  /** Predicted class logits `[N, C]` from the outputs, for accuracy; absent without a class head. */
  predictClasses?(outputs: tf.Tensor | tf.Tensor[]): tf.Tensor2D;
}

/**
 * The first output of a model (models with one output return a tensor, others a list).
 *
 * @example
 * const ab = firstOutput(model.apply(l) as tf.Tensor | tf.Tensor[]);
 */
export function firstOutput(outputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(outputs) ? outputs[0] : outputs;
}
