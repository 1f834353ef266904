/**
 * Internal to `src/losses` (not re-exported): checks class labels against their logits and one-hots
 * them, so every loss that takes labels reports bad ones under the caller's argument name.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors.js';
import { assertRank, assertSameShape } from '../validate.js';

/**
 * Check class labels against `[N, C]` logits and return them as a one-hot `[N, C]` float tensor
 * (caller owns it). Integer labels are read back once to check their range: a label outside `[0, C)`
 * would otherwise one-hot to a row of zeros and silently contribute no loss.
 */
export function toOneHotLabels(
  logitsName: string,
  logits: tf.Tensor2D,
  labelsName: string,
  labels: tf.Tensor1D | tf.Tensor2D,
): tf.Tensor2D {
  const [n, c] = logits.shape;
  assertRank(labelsName, labels, [1, 2]);
  if (labels.rank === 2) {
    assertSameShape(logitsName, logits, labelsName, labels);
    return tf.cast(labels, 'float32') as tf.Tensor2D;
  }
  if (labels.shape[0] !== n) {
    throw new InputError(
      labelsName,
      `shape [${n}] (one label per row of ${logitsName}) or one-hot [${n}, ${c}]`,
      `shape [${labels.shape.join(', ')}]`,
    );
  }
  const values = labels.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= c) {
      throw new InputError(labelsName, `integer class indices in [0, ${c - 1}]`, `${v} at index ${i}`);
    }
  }
  return tf.tidy(() => tf.cast(tf.oneHot(tf.cast(labels, 'int32'), c), 'float32') as tf.Tensor2D);
}
