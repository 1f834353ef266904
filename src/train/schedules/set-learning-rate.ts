/**
 * Change the learning rate of an existing tfjs optimizer, so schedules work with the optimizers tfjs
 * builds (`tf.train.adam(…)`, …) without rebuilding them and losing their state.
 *
 * tfjs 4.22 reads `learningRate` on every update in Adam, Adamax, RMSProp, Adagrad and Adadelta; SGD and
 * Momentum cache it in a scalar that `setLearningRate` rebuilds. Both routes are covered here.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InputError, describeValue } from '../../errors.js';
import { assertInRange } from '../../validate.js';

interface RateFields {
  learningRate?: unknown;
  setLearningRate?: (rate: number) => void;
}

/**
 * Set the learning rate of a tfjs optimizer in place (its moments and iteration count are kept).
 * Supported: Adam, Adamax, RMSProp, Adagrad, Adadelta (field `learningRate`), SGD and Momentum
 * (`setLearningRate`, which also rebuilds their cached scalar). Takes effect from the next update.
 *
 * @param optimizer  a tfjs optimizer.
 * @param rate  the new rate; a finite number ≥ 0.
 * @throws InputError if the optimizer has no learning rate to set.
 * @example
 * setLearningRate(adam, schedule.rateAt(step));
 */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  assertInRange('rate', rate, 0, Infinity);
  const target = optimizer as unknown as RateFields;
  if (typeof target?.setLearningRate === 'function') {
    target.setLearningRate(rate);
  } else if (typeof target?.learningRate === 'number') {
    target.learningRate = rate;
  } else {
    throw new InputError(
      'optimizer',
      'a tfjs optimizer with a numeric learningRate (Adam, Adamax, RMSProp, Adagrad, Adadelta, SGD, Momentum)',
      describeValue(optimizer),
    );
  }
}

/**
 * Read the current learning rate of a tfjs optimizer (see {@link setLearningRate} for the supported ones).
 *
 * @example
 * getLearningRate(tf.train.adam(0.001)); // 0.001
 */
export function getLearningRate(optimizer: tf.Optimizer): number {
  const rate = (optimizer as unknown as RateFields)?.learningRate;
  if (typeof rate !== 'number')
    throw new InputError('optimizer', 'a tfjs optimizer with a numeric learningRate', describeValue(optimizer));
  return rate;
}
