import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { computeAbsoluteError, computeHuberLoss, computeSquaredError } from '../../src/losses/ab-regression.js';
import { describeEachBackend } from '../backends.js';
import { expectGradientMatches, testValues } from './gradient-check.js';

// prediction − target = d = [1, 2, −1, −2.5] (shape [1, 1, 2, 2]: two pixels × ab)
//   squared  [1, 4, 1, 6.25]        sum 12.25  mean 3.0625
//   absolute [1, 2, 1, 2.5]         sum 6.5    mean 1.625
//   Huber δ=1: |d|≤1 → ½d²; else δ(|d| − ½δ):  [0.5, 1.5, 0.5, 2]   sum 4.5  mean 1.125
//   Huber δ=2: [0.5, 2, 0.5, 2·(2.5 − 1) = 3]  sum 6    mean 1.5
const prediction = (): tf.Tensor4D => tf.tensor4d([1, 2, -1, 0.5], [1, 1, 2, 2]);
const target = (): tf.Tensor4D => tf.tensor4d([0, 0, 0, 3], [1, 1, 2, 2]);

describeEachBackend('regression loss values', () => {
  it('squared error: mean 3.0625, sum 12.25, none per element', () => {
    expect(computeSquaredError(prediction(), target()).dataSync()[0]).toBeCloseTo(3.0625, 5);
    expect(computeSquaredError(prediction(), target(), { reduction: 'sum' }).dataSync()[0]).toBeCloseTo(12.25, 5);
    const none = computeSquaredError(prediction(), target(), { reduction: 'none' });
    expect(none.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(none.dataSync())).toEqual([1, 4, 1, 6.25]);
  });

  it('absolute error: mean 1.625, sum 6.5, none per element', () => {
    expect(computeAbsoluteError(prediction(), target()).dataSync()[0]).toBeCloseTo(1.625, 5);
    expect(computeAbsoluteError(prediction(), target(), { reduction: 'sum' }).dataSync()[0]).toBeCloseTo(6.5, 5);
    expect(Array.from(computeAbsoluteError(prediction(), target(), { reduction: 'none' }).dataSync())).toEqual([
      1, 2, 1, 2.5,
    ]);
  });

  it('Huber: quadratic inside delta, linear outside (delta 1 by default, then 2)', () => {
    expect(Array.from(computeHuberLoss(prediction(), target(), { reduction: 'none' }).dataSync())).toEqual([
      0.5, 1.5, 0.5, 2,
    ]);
    expect(computeHuberLoss(prediction(), target()).dataSync()[0]).toBeCloseTo(1.125, 5);
    expect(computeHuberLoss(prediction(), target(), { delta: 2, reduction: 'sum' }).dataSync()[0]).toBeCloseTo(6, 5);
    expect(computeHuberLoss(prediction(), target(), { delta: 2 }).dataSync()[0]).toBeCloseTo(1.5, 5);
  });

  it('per-pixel weights [N, H, W, 1] weight both channels of a pixel', () => {
    // pixel 0 (d = 1, 2) × 3, pixel 1 (d = −1, −2.5) × 0: squared (3 + 12 + 0 + 0) / 4
    const weights = tf.tensor4d([3, 0], [1, 1, 2, 1]);
    expect(computeSquaredError(prediction(), target(), { weights }).dataSync()[0]).toBeCloseTo(3.75, 5);
    expect(computeAbsoluteError(prediction(), target(), { weights, reduction: 'sum' }).dataSync()[0]).toBeCloseTo(9, 5);
    expect(Array.from(computeHuberLoss(prediction(), target(), { weights, reduction: 'none' }).dataSync())).toEqual([
      1.5, 4.5, 0, 0,
    ]);
  });
});

describe('regression loss gradients and hygiene', () => {
  // Test points keep |d| away from 0 (the kink of |d|) and from δ = 0.5 (Huber's switch) by ≥ 0.05.
  const shape = [2, 2, 1, 2];
  const t = tf.tensor4d(new Float32Array(8), shape as [number, number, number, number]);
  const x = Float32Array.from([0.3, -0.8, 1.2, -0.15, 0.7, -1.4, 0.1, 0.9]);
  const weights = tf.tensor4d([1, 2, 0.5, 3], [2, 2, 1, 1]);

  it('squared, absolute and Huber gradients match central differences, with weights', () => {
    expectGradientMatches((p) => computeSquaredError(p, t, { weights }), x, shape);
    expectGradientMatches((p) => computeAbsoluteError(p, t, { weights, reduction: 'sum' }), x, shape);
    expectGradientMatches((p) => computeHuberLoss(p, t, { delta: 0.5, weights }), x, shape);
    expectGradientMatches(
      (p) => computeHuberLoss(p, t, { delta: 0.5, reduction: 'sum' }),
      testValues(8, 11, 0.6, 2),
      shape,
    );
  });

  it('leaves no tensor behind and does not dispose its inputs', () => {
    const p = prediction();
    const q = target();
    const pixelWeights = tf.tensor4d([3, 0], [1, 1, 2, 1]);
    const before = tf.memory().numTensors;
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      computeSquaredError(p, q, { reduction, weights: pixelWeights }).dispose();
      computeSquaredError(p, q, { reduction }).dispose();
      computeAbsoluteError(p, q, { reduction }).dispose();
      computeHuberLoss(p, q, { reduction, delta: 0.3 }).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(p.isDisposed || q.isDisposed || pixelWeights.isDisposed).toBe(false);
  });

  it('rejects mismatched shapes, bad weights, delta ≤ 0 and unknown reductions, naming the argument', () => {
    const p = prediction();
    expect(() => computeSquaredError(p, tf.zeros([1, 1, 2, 3]))).toThrow(
      /target: expected the shape of prediction \[1, 1, 2, 2\], received shape \[1, 1, 2, 3\]/,
    );
    expect(() => computeAbsoluteError(p, target(), { weights: tf.ones([1, 1, 3, 1]) })).toThrow(
      /options\.weights: expected shape \[1, 1, 2, 2\] of prediction/,
    );
    expect(() => computeHuberLoss(p, target(), { delta: 0 })).toThrow(
      /options\.delta: expected a number > 0, received 0/,
    );
    expect(() => computeHuberLoss(p, target(), { reduction: 'mean ' as never })).toThrow(InputError);
  });
});
