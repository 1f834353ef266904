import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { computeAbAuc, createAbAucAccumulator } from '../../../src/train/metrics/ab-auc.js';
import { InputError } from '../../../src/errors.js';
import { fixtureArray, fixtureValue, fixtureValues } from './fixtures.js';

describe('computeAbAuc (Zhang et al. 2016 §3.1)', () => {
  it('hand-computed: one exact pixel and one at distance 5 give curve 0.5 for t < 5, 1 from t = 5, AuC 147.75/150', () => {
    const { auc, curve, pixels } = computeAbAuc([10, 20, 3, 4], [10, 20, 0, 0]);
    expect(pixels).toBe(2);
    expect(curve.length).toBe(151);
    expect(Array.from(curve.slice(0, 7))).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 1, 1]);
    expect(curve[150]).toBe(1);
    // Trapezoids: four of height 0.5, one from 0.5 to 1, then 145 of height 1.
    expect(auc).toBeCloseTo((4 * 0.5 + 0.75 + 145) / 150, 14);
  });

  it('a pixel farther than 150 never counts; perfect predictions give AuC 1', () => {
    expect(computeAbAuc([0, 0, 200, 0], [0, 0, 0, 0]).auc).toBeCloseTo(0.5, 14);
    expect(computeAbAuc([1, 2, 3, 4], [1, 2, 3, 4]).auc).toBe(1);
  });

  it('rebalanced: per-pixel weights and bin weights + bin lookup both weight by the ground-truth pixel', () => {
    // Weights 1 (exact pixel) and 3 (pixel at distance 5): curve 0.25 below 5, AuC (4·0.25 + 0.625 + 145) / 150.
    const expected = (4 * 0.25 + 0.625 + 145) / 150;
    expect(computeAbAuc([10, 20, 3, 4], [10, 20, 0, 0], { pixelWeights: [1, 3] }).auc).toBeCloseTo(expected, 14);
    const binIndex = (a: number) => (a > 5 ? 0 : 1);
    expect(computeAbAuc([10, 20, 3, 4], [10, 20, 0, 0], { binWeights: [1, 3], binIndex }).auc).toBeCloseTo(
      expected,
      14,
    );
  });

  it('matches the numpy reference (3000 pixels): curve, plain AuC and rebalanced AuC', () => {
    const pred = fixtureArray('ab_pred').data;
    const target = fixtureArray('ab_target').data;
    const weights = fixtureArray('ab_weights').data;
    const plain = computeAbAuc(pred, target);
    const reference = fixtureValues('auc_curve');
    for (let t = 0; t <= 150; t++) expect(plain.curve[t]).toBeCloseTo(reference[t], 12);
    expect(plain.auc).toBeCloseTo(fixtureValue('auc'), 12);
    expect(computeAbAuc(pred, target, { pixelWeights: weights }).auc).toBeCloseTo(fixtureValue('auc_rebalanced'), 12);
  });

  it('pools batches: two halves through the accumulator equal the whole', () => {
    const pred = fixtureArray('ab_pred').data as Float32Array;
    const target = fixtureArray('ab_target').data as Float32Array;
    const acc = createAbAucAccumulator();
    acc.add(pred.subarray(0, 2000), target.subarray(0, 2000));
    acc.add(pred.subarray(2000), target.subarray(2000));
    const pooled = acc.result();
    expect(pooled.pixels).toBe(3000);
    expect(pooled.auc).toBeCloseTo(fixtureValue('auc'), 12);
  });

  it('reads [N, H, W, 2] tensors (and tensor weights) without leaking', () => {
    const pred = fixtureArray('ab_pred').data as Float32Array;
    const target = fixtureArray('ab_target').data as Float32Array;
    const weights = fixtureArray('ab_weights').data as Float32Array;
    const tp = tf.tensor4d(pred, [3, 25, 40, 2]);
    const tt = tf.tensor4d(target, [3, 25, 40, 2]);
    const tw = tf.tensor1d(weights);
    const before = tf.memory().numTensors;
    expect(computeAbAuc(tp, tt).auc).toBeCloseTo(fixtureValue('auc'), 12);
    expect(computeAbAuc(tp, tt, { pixelWeights: tw }).auc).toBeCloseTo(fixtureValue('auc_rebalanced'), 12);
    expect(tf.memory().numTensors).toBe(before);
    expect(tp.isDisposed).toBe(false);
    tf.dispose([tp, tt, tw]);
  });

  it('rejects mismatched sizes, wrong last dimension, wrong weight counts, mixed weighting and empty input', () => {
    expect(() => computeAbAuc([1, 2, 3, 4], [1, 2])).toThrow(InputError);
    const three = tf.zeros([2, 3]);
    expect(() => computeAbAuc(three, three)).toThrow(/ab pairs/);
    three.dispose();
    expect(() => computeAbAuc([1, 2], [1, 2], { pixelWeights: [1, 2] })).toThrow(/one per pixel/);
    expect(() => computeAbAuc([1, 2], [1, 2], { binWeights: [1], binIndex: () => 4 })).toThrow(/bin index/);
    const acc = createAbAucAccumulator();
    acc.add([1, 2], [1, 2]);
    expect(() => acc.add([1, 2], [1, 2], { pixelWeights: [1] })).toThrow(/no weights/);
    expect(() => createAbAucAccumulator().result()).toThrow(/no pixels/);
    expect(() => createAbAucAccumulator({ maxThreshold: 0 })).toThrow(/maxThreshold/);
  });
});
