import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { computeClassificationCrossEntropy } from '../../src/losses/classification-cross-entropy.js';
import { describeEachBackend } from '../backends.js';
import { expectGradientMatches, testValues } from './gradient-check.js';

// C = 4 classes, two examples worked by hand:
//  example 0: logits [0, 0, 0, 0], label 2 → −ln ¼ = ln 4 = 1.3862944
//  example 1: logits [ln 3, 0, 0, 0], label 0 → softmax [3/6, 1/6, 1/6, 1/6] → −ln ½ = 0.6931472
const LN4 = 1.3862943611198906;
const logits = (): tf.Tensor2D =>
  tf.tensor2d([
    [0, 0, 0, 0],
    [Math.log(3), 0, 0, 0],
  ]);

describeEachBackend('computeClassificationCrossEntropy values', () => {
  it('integer labels and one-hot labels give the hand-computed losses for each reduction', () => {
    const labels = tf.tensor1d([2, 0], 'int32');
    const oneHot = tf.tensor2d([
      [0, 0, 1, 0],
      [1, 0, 0, 0],
    ]);
    for (const y of [labels, oneHot]) {
      expect(computeClassificationCrossEntropy(logits(), y).dataSync()[0]).toBeCloseTo((LN4 + Math.LN2) / 2, 5);
      expect(computeClassificationCrossEntropy(logits(), y, { reduction: 'sum' }).dataSync()[0]).toBeCloseTo(
        LN4 + Math.LN2,
        5,
      );
      const none = computeClassificationCrossEntropy(logits(), y, { reduction: 'none' });
      expect(none.shape).toEqual([2]);
      expect(none.dataSync()[0]).toBeCloseTo(LN4, 5);
      expect(none.dataSync()[1]).toBeCloseTo(Math.LN2, 5);
    }
  });

  it('accepts whole-number float32 labels and per-example weights', () => {
    const labels = tf.tensor1d([2, 0]);
    const weights = tf.tensor1d([0, 4]);
    expect(computeClassificationCrossEntropy(logits(), labels, { weights }).dataSync()[0]).toBeCloseTo(
      (4 * Math.LN2) / 2,
      5,
    );
  });
});

describe('computeClassificationCrossEntropy gradients and hygiene', () => {
  it('gradient wrt logits matches central differences', () => {
    const labels = tf.tensor1d([1, 3, 0], 'int32');
    expectGradientMatches(
      (x) => computeClassificationCrossEntropy(x as tf.Tensor2D, labels),
      testValues(12, 2, -2, 2),
      [3, 4],
    );
  });

  it('leaves no tensor behind and does not dispose its inputs', () => {
    const l = logits();
    const labels = tf.tensor1d([2, 0], 'int32');
    const oneHot = tf.tensor2d([
      [0, 0, 1, 0],
      [1, 0, 0, 0],
    ]);
    const before = tf.memory().numTensors;
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      computeClassificationCrossEntropy(l, labels, { reduction }).dispose();
      computeClassificationCrossEntropy(l, oneHot, { reduction }).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(l.isDisposed || labels.isDisposed || oneHot.isDisposed).toBe(false);
  });

  it('rejects labels out of range, non-integer, of the wrong length or one-hot of the wrong width', () => {
    expect(() => computeClassificationCrossEntropy(logits(), tf.tensor1d([4, 0], 'int32'))).toThrow(
      /labels: expected integer class indices in \[0, 3\], received 4 at index 0/,
    );
    expect(() => computeClassificationCrossEntropy(logits(), tf.tensor1d([1, 1.5]))).toThrow(
      /received 1\.5 at index 1/,
    );
    expect(() => computeClassificationCrossEntropy(logits(), tf.tensor1d([1, 1, 1], 'int32'))).toThrow(
      /labels: expected shape \[2\]/,
    );
    expect(() => computeClassificationCrossEntropy(logits(), tf.zeros([2, 5]) as tf.Tensor2D)).toThrow(
      /labels: expected the shape of logits \[2, 4\]/,
    );
    expect(() => computeClassificationCrossEntropy(logits(), tf.zeros([2, 2, 2]) as never)).toThrow(
      /labels: expected rank 1 or 2/,
    );
  });
});
