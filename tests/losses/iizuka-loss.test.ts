import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { IIZUKA_CLASSIFICATION_WEIGHT, computeIizukaLoss } from '../../src/losses/iizuka-loss.js';
import { describeEachBackend } from '../backends.js';
import { expectGradientMatches, testValues } from './gradient-check.js';

// N = 2 examples of 1×1 pixels, ab in 2 channels, C = 4 classes:
//  colour: ex 0 predicted [0.5, 0.5] vs 0 → MSE 0.25; ex 1 [0, 1] vs 0 → MSE 0.5
//  class:  ex 0 logits 0, label 2 → ln 4 = 1.3862944; ex 1 logits [ln 3, 0, 0, 0], label 0 → ln 2
//  total (α = 1/300): 0.25 + ln4/300 = 0.2546210, 0.5 + ln2/300 = 0.5023105; mean 0.3784657
const inputs = () => ({
  predictedAb: tf.tensor4d([0.5, 0.5, 0, 1], [2, 1, 1, 2]),
  targetAb: tf.zeros([2, 1, 1, 2]) as tf.Tensor4D,
  classLogits: tf.tensor2d([
    [0, 0, 0, 0],
    [Math.log(3), 0, 0, 0],
  ]),
  classLabels: tf.tensor1d([2, 0], 'int32'),
});

describeEachBackend('computeIizukaLoss values', () => {
  it('α defaults to 1/300 (Iizuka et al. 2016 §3.5)', () => {
    expect(IIZUKA_CLASSIFICATION_WEIGHT).toBe(1 / 300);
  });

  it("'mean' returns MSE + α·CE and both parts, hand-computed", () => {
    const { total, color, classification } = computeIizukaLoss(inputs());
    expect(total.dataSync()[0]).toBeCloseTo(0.37846573590279975, 5);
    expect(color.dataSync()[0]).toBeCloseTo(0.375, 5);
    expect(classification.dataSync()[0]).toBeCloseTo(1.0397207708399179, 5);
  });

  it("'none' returns per-example [N] parts and 'sum' adds them; alpha is honoured", () => {
    const none = computeIizukaLoss(inputs(), { reduction: 'none' });
    expect(none.total.shape).toEqual([2]);
    expect(none.total.dataSync()[0]).toBeCloseTo(0.25462098120373294, 5);
    expect(none.total.dataSync()[1]).toBeCloseTo(0.5023104906018665, 5);
    expect(none.color.dataSync()[1]).toBeCloseTo(0.5, 6);
    expect(none.classification.dataSync()[0]).toBeCloseTo(1.3862943611198906, 5);
    const sum = computeIizukaLoss(inputs(), { reduction: 'sum', alpha: 1 });
    expect(sum.total.dataSync()[0]).toBeCloseTo(0.75 + 1.3862943611198906 + Math.LN2, 5);
  });

  it('colour weights [N, H, W, 1] weight the colour term only', () => {
    const colorWeights = tf.tensor4d([2, 0], [2, 1, 1, 1]);
    const { color, classification } = computeIizukaLoss(inputs(), { colorWeights });
    expect(color.dataSync()[0]).toBeCloseTo((2 * 0.25 + 0) / 2, 6);
    expect(classification.dataSync()[0]).toBeCloseTo(1.0397207708399179, 5);
  });
});

describe('computeIizukaLoss gradients and hygiene', () => {
  it('gradients wrt the predicted ab and the class logits match central differences', () => {
    const base = inputs();
    const alpha = 0.5; // a large α so the classification gradient is well above the tolerance
    expectGradientMatches(
      (p) => computeIizukaLoss({ ...base, predictedAb: p as tf.Tensor4D }, { alpha }).total,
      testValues(4, 9),
      [2, 1, 1, 2],
    );
    expectGradientMatches(
      (c) => computeIizukaLoss({ ...base, classLogits: c as tf.Tensor2D }, { alpha }).total,
      testValues(8, 4, -2, 2),
      [2, 4],
    );
  });

  it('leaves no tensor behind and does not dispose its inputs', () => {
    const x = inputs();
    const before = tf.memory().numTensors;
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const out = computeIizukaLoss(x, { reduction });
      tf.dispose([out.total, out.color, out.classification]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.values(x).some((t) => t.isDisposed)).toBe(false);
  });

  it('rejects mismatched ab shapes, batch sizes, bad labels and negative alpha, naming the argument', () => {
    const x = inputs();
    expect(() => computeIizukaLoss({ ...x, targetAb: tf.zeros([2, 1, 2, 2]) as tf.Tensor4D })).toThrow(
      /inputs\.targetAb: expected the shape of inputs\.predictedAb/,
    );
    expect(() => computeIizukaLoss({ ...x, classLogits: tf.zeros([3, 4]) as tf.Tensor2D })).toThrow(
      /inputs\.classLogits: expected batch size 2/,
    );
    expect(() => computeIizukaLoss({ ...x, classLabels: tf.tensor1d([0, 9], 'int32') })).toThrow(
      /inputs\.classLabels: expected integer class indices in \[0, 3\]/,
    );
    expect(() => computeIizukaLoss(x, { alpha: -1 })).toThrow(/options\.alpha/);
  });
});
