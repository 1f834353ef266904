import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectGradientMatches, numericalGradient } from './gradient-check.js';

// The gradient checks of the loss tests must be able to fail: a gradient off by 1 % is caught.
describe('gradient check used by the loss tests', () => {
  const sumOfSquares = (x: tf.Tensor): tf.Scalar => tf.sum(tf.square(x));
  const withGradientScaledBy = (factor: number) =>
    tf.customGrad(((x: tf.Tensor) => ({
      value: sumOfSquares(x),
      gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.mul(2 * factor, x)),
    })) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Scalar;
  const values = Float32Array.from([0.5, -1.2, 2]);

  it('numerical gradient of Σx² is 2x within float32 rounding', () => {
    const g = numericalGradient(sumOfSquares, values, [3]);
    [1, -2.4, 4].forEach((e, i) => expect(g[i]).toBeCloseTo(e, 3));
  });

  it('accepts the true gradient and rejects one scaled by 1.01', () => {
    expect(() => expectGradientMatches(withGradientScaledBy(1), values, [3])).not.toThrow();
    expect(() => expectGradientMatches(withGradientScaledBy(1.01), values, [3])).toThrow();
  });
});
