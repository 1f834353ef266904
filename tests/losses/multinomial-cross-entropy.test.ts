import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { computeMultinomialCrossEntropy } from '../../src/losses/multinomial-cross-entropy.js';
import { describeEachBackend } from '../backends.js';
import { expectGradientMatches, testValues } from './gradient-check.js';

// Two pixels (N = 1, H = 1, W = 2) over Q = 3 bins, worked by hand:
//  pixel 0: logits [0, 0, 0] → softmax 1/3 each; target one-hot bin 0 → loss = ln 3 = 1.0986123
//  pixel 1: logits [0, ln 2, 0] → softmax [1/4, 1/2, 1/4]; target [0, 0.25, 0.75]
//           → loss = −(0.25 ln ½ + 0.75 ln ¼) = 1.2130076; most likely target bin: 2
const LN3 = 1.0986122886681098;
const PIXEL1 = 1.2130075659799042;
const logits = (): tf.Tensor4D => tf.tensor4d([0, 0, 0, 0, Math.LN2, 0], [1, 1, 2, 3]);
const target = (): tf.Tensor4D => tf.tensor4d([1, 0, 0, 0, 0.25, 0.75], [1, 1, 2, 3]);

describeEachBackend('computeMultinomialCrossEntropy values', () => {
  it('equals the hand-computed per-pixel cross-entropy for each reduction', () => {
    expect(computeMultinomialCrossEntropy(logits(), target()).dataSync()[0]).toBeCloseTo((LN3 + PIXEL1) / 2, 5);
    expect(computeMultinomialCrossEntropy(logits(), target(), { reduction: 'sum' }).dataSync()[0]).toBeCloseTo(
      LN3 + PIXEL1,
      5,
    );
    const none = computeMultinomialCrossEntropy(logits(), target(), { reduction: 'none' });
    expect(none.shape).toEqual([1, 1, 2]);
    const v = none.dataSync();
    expect(v[0]).toBeCloseTo(LN3, 5);
    expect(v[1]).toBeCloseTo(PIXEL1, 5);
  });

  it("class rebalancing multiplies each pixel by the weight of its target's most likely bin", () => {
    // weights [2, 3, 5]: pixel 0 → bin 0 → ×2; pixel 1 → bin 2 → ×5
    const classWeights = tf.tensor1d([2, 3, 5]);
    const v = computeMultinomialCrossEntropy(logits(), target(), { classWeights, reduction: 'none' }).dataSync();
    expect(v[0]).toBeCloseTo(2 * LN3, 5);
    expect(v[1]).toBeCloseTo(5 * PIXEL1, 5);
    expect(computeMultinomialCrossEntropy(logits(), target(), { classWeights }).dataSync()[0]).toBeCloseTo(
      (2 * LN3 + 5 * PIXEL1) / 2,
      5,
    );
    // the same weights as a plain array (what computeRebalanceWeights returns)
    const fromArray = computeMultinomialCrossEntropy(logits(), target(), {
      classWeights: Float64Array.from([2, 3, 5]),
    });
    expect(fromArray.dataSync()[0]).toBeCloseTo((2 * LN3 + 5 * PIXEL1) / 2, 5);
  });

  it('a tie for the most likely target bin takes the lowest bin index', () => {
    const tied = tf.tensor4d([0, 0.5, 0.5], [1, 1, 1, 3]);
    const flat = tf.zeros([1, 1, 1, 3]) as tf.Tensor4D;
    // uniform softmax: loss ln 3, times the weight of bin 1 (not bin 2)
    const v = computeMultinomialCrossEntropy(flat, tied, { classWeights: tf.tensor1d([1, 3, 5]) }).dataSync()[0];
    expect(v).toBeCloseTo(3 * LN3, 5);
  });

  it('per-pixel weights multiply the per-pixel loss before the mean', () => {
    const weights = tf.tensor3d([[[0.5, 2]]]);
    expect(computeMultinomialCrossEntropy(logits(), target(), { weights }).dataSync()[0]).toBeCloseTo(
      (0.5 * LN3 + 2 * PIXEL1) / 2,
      5,
    );
  });

  it('stays finite and exact for logits of ±1000 (no overflow, no log 0)', () => {
    const big = tf.tensor4d([1000, 0, -1000, 1000, 0, -1000], [1, 1, 2, 3]);
    const t = tf.tensor4d([1, 0, 0, 0, 1, 0], [1, 1, 2, 3]);
    const v = computeMultinomialCrossEntropy(big, t, { reduction: 'none' }).dataSync();
    expect(v[0]).toBeCloseTo(0, 5);
    expect(v[1]).toBeCloseTo(1000, 2);
  });
});

describe('computeMultinomialCrossEntropy gradients and hygiene', () => {
  it('gradient wrt logits matches central differences (soft target, rebalancing and pixel weights)', () => {
    const shape = [2, 2, 1, 4];
    const t = tf.softmax(tf.tensor4d(testValues(16, 7, -2, 2), [2, 2, 1, 4])) as tf.Tensor4D;
    const classWeights = tf.tensor1d([0.5, 1, 2, 4]);
    const weights = tf.tensor3d([[[1]], [[3]]]);
    expectGradientMatches(
      (x) => computeMultinomialCrossEntropy(x as tf.Tensor4D, t, { classWeights, weights }),
      testValues(16, 3, -2, 2),
      shape,
    );
    expectGradientMatches(
      (x) => computeMultinomialCrossEntropy(x as tf.Tensor4D, t, { reduction: 'sum' }),
      testValues(16, 5, -2, 2),
      shape,
    );
  });

  it('leaves no tensor behind and does not dispose its inputs', () => {
    const l = logits();
    const t = target();
    const classWeights = tf.tensor1d([1, 2, 3]);
    const before = tf.memory().numTensors;
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      computeMultinomialCrossEntropy(l, t, { reduction, classWeights }).dispose();
      computeMultinomialCrossEntropy(l, t, { reduction, classWeights: [1, 2, 3] }).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(l.isDisposed || t.isDisposed || classWeights.isDisposed).toBe(false);
  });

  it('rejects mismatched shapes, wrong ranks, bad weights and unknown reductions with named InputErrors', () => {
    const l = logits();
    expect(() => computeMultinomialCrossEntropy(l, tf.zeros([1, 1, 2, 4]) as tf.Tensor4D)).toThrow(
      /target: expected the shape of logits \[1, 1, 2, 3\], received shape \[1, 1, 2, 4\]/,
    );
    expect(() => computeMultinomialCrossEntropy(tf.zeros([2, 3]) as never, target())).toThrow(
      /logits: expected rank 4/,
    );
    expect(() => computeMultinomialCrossEntropy(l, target(), { classWeights: tf.ones([4]) as tf.Tensor1D })).toThrow(
      /options\.classWeights: expected shape \[3\]/,
    );
    expect(() => computeMultinomialCrossEntropy(l, target(), { classWeights: [1, 2] })).toThrow(
      /options\.classWeights: expected 3 values/,
    );
    expect(() => computeMultinomialCrossEntropy(l, target(), { classWeights: [1, NaN, 2] })).toThrow(
      /options\.classWeights: expected finite values, received NaN at index 1/,
    );
    expect(() => computeMultinomialCrossEntropy(l, target(), { weights: tf.ones([1, 1, 3]) as tf.Tensor3D })).toThrow(
      /options\.weights/,
    );
    expect(() => computeMultinomialCrossEntropy(l, target(), { reduction: 'max' as never })).toThrow(InputError);
    expect(() => computeMultinomialCrossEntropy(l, target(), { reduction: 'max' as never })).toThrow(
      /options\.reduction/,
    );
  });
});
