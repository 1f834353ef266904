import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { computeSigmoidCrossEntropy } from '../../src/losses/sigmoid-cross-entropy.js';
import { describeEachBackend } from '../backends.js';
import { expectGradientMatches, testValues } from './gradient-check.js';

// −z log σ(x) − (1 − z) log(1 − σ(x)), by hand:
//  x = 0:            ln 2 = 0.6931472 for any z
//  x = 2,  z = 1:    ln(1 + e^−2) = 0.1269280
//  x = 2,  z = 0.9:  0.9·ln(1 + e^−2) + 0.1·ln(1 + e^2) = 2 − 1.8 + 0.1269280 = 0.3269280
//  x = −3, z = 0:    ln(1 + e^−3) = 0.0485874
const SP2 = 0.1269280110429725;

describeEachBackend('computeSigmoidCrossEntropy values', () => {
  it('matches hand-computed values with number and tensor targets', () => {
    const x = tf.tensor1d([0, 2, 2, -3]);
    const z = tf.tensor1d([0.9, 1, 0.9, 0]);
    const v = computeSigmoidCrossEntropy(x, z, { reduction: 'none' }).dataSync();
    [Math.LN2, SP2, 2 - 1.8 + SP2, 0.04858735157374206].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 5));
    expect(computeSigmoidCrossEntropy(tf.tensor1d([0, 2]), tf.tensor1d([1, 1], 'int32')).dataSync()[0]).toBeCloseTo(
      (Math.LN2 + SP2) / 2,
      5,
    );
    expect(computeSigmoidCrossEntropy(tf.tensor1d([0, 2]), 1).dataSync()[0]).toBeCloseTo((Math.LN2 + SP2) / 2, 5);
    expect(computeSigmoidCrossEntropy(tf.tensor1d([0, 2]), 1, { reduction: 'sum' }).dataSync()[0]).toBeCloseTo(
      Math.LN2 + SP2,
      5,
    );
    expect(
      computeSigmoidCrossEntropy(tf.tensor1d([0, 2]), 1, { weights: tf.tensor1d([2, 0]) }).dataSync()[0],
    ).toBeCloseTo(Math.LN2, 5);
  });

  it('is finite and exact for logits of ±100 (the naive log σ form gives log 0 = −∞ there)', () => {
    const v = computeSigmoidCrossEntropy(tf.tensor1d([100, -100, 100, -100]), tf.tensor1d([0, 1, 1, 0]), {
      reduction: 'none',
    }).dataSync();
    expect(v[0]).toBeCloseTo(100, 3);
    expect(v[1]).toBeCloseTo(100, 3);
    expect(v[2]).toBeCloseTo(0, 6);
    expect(v[3]).toBeCloseTo(0, 6);
  });
});

describe('computeSigmoidCrossEntropy gradients and hygiene', () => {
  it('gradient wrt logits matches central differences, including at x = 0', () => {
    const values = testValues(6, 21, -3, 3);
    values[0] = 0;
    expectGradientMatches((x) => computeSigmoidCrossEntropy(x, 0.9), values, [2, 3]);
    expectGradientMatches(
      (x) =>
        computeSigmoidCrossEntropy(
          x,
          tf.tensor2d([
            [0, 1, 0.3],
            [1, 0, 0.5],
          ]),
          { reduction: 'sum' },
        ),
      values,
      [2, 3],
    );
  });

  it('leaves no tensor behind and does not dispose its inputs', () => {
    const x = tf.tensor1d([0, 2]);
    const z = tf.tensor1d([1, 0]);
    const before = tf.memory().numTensors;
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      computeSigmoidCrossEntropy(x, z, { reduction }).dispose();
      computeSigmoidCrossEntropy(x, 0.9, { reduction }).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed || z.isDisposed).toBe(false);
  });

  it('rejects targets of another shape or outside [0, 1]', () => {
    expect(() => computeSigmoidCrossEntropy(tf.zeros([2, 2]), tf.zeros([2]))).toThrow(
      /targets: expected the shape of logits \[2, 2\], received shape \[2\]/,
    );
    expect(() => computeSigmoidCrossEntropy(tf.zeros([2]), 1.5)).toThrow(
      /targets: expected a number in \[0, 1\], received 1\.5/,
    );
  });
});
