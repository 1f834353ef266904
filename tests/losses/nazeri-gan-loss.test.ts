import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  NAZERI_REAL_LABEL,
  NAZERI_RECONSTRUCTION_WEIGHT,
  computeGanDiscriminatorLoss,
  computeGanGeneratorLoss,
} from '../../src/losses/nazeri-gan-loss.js';
import { describeEachBackend } from '../backends.js';
import { expectGradientMatches, testValues } from './gradient-check.js';

// Binary cross-entropy on logits b(x, z) = max(x, 0) − x·z + ln(1 + e^−|x|), by hand:
//  b(2, 0.9) = 0.3269280   b(0, ·) = ln 2 = 0.6931472   b(−3, 0) = 0.0485874
//  b(2, 1)   = 0.1269280   b(−1, 1) = 1 + ln(1 + e^−1) = 1.3132617
const B2_09 = 0.3269280110429724;
const BM3_0 = 0.04858735157374206;
const B2_1 = 0.1269280110429725;
const BM1_1 = 1.3132616875182228;

describeEachBackend('GAN loss values', () => {
  it('defaults follow the paper: real label 0.9 (one-sided smoothing), λ = 100', () => {
    expect(NAZERI_REAL_LABEL).toBe(0.9);
    expect(NAZERI_RECONSTRUCTION_WEIGHT).toBe(100);
  });

  it('discriminator: real logits against 0.9, fake against 0, hand-computed for each reduction', () => {
    const real = tf.tensor4d([2, 0], [2, 1, 1, 1]);
    const fake = tf.tensor4d([-3, 0], [2, 1, 1, 1]);
    const mean = computeGanDiscriminatorLoss(real, fake);
    expect(mean.real.dataSync()[0]).toBeCloseTo((B2_09 + Math.LN2) / 2, 5);
    expect(mean.fake.dataSync()[0]).toBeCloseTo((BM3_0 + Math.LN2) / 2, 5);
    expect(mean.total.dataSync()[0]).toBeCloseTo((B2_09 + Math.LN2 + BM3_0 + Math.LN2) / 2, 5);
    const sum = computeGanDiscriminatorLoss(real, fake, { reduction: 'sum' });
    expect(sum.total.dataSync()[0]).toBeCloseTo(B2_09 + BM3_0 + 2 * Math.LN2, 5);
    const none = computeGanDiscriminatorLoss(real, fake, { reduction: 'none' });
    expect(none.total.shape).toEqual([2, 1, 1, 1]);
    expect(none.total.dataSync()[0]).toBeCloseTo(B2_09 + BM3_0, 5);
    // realLabel 1 turns smoothing off: b(2, 1)
    expect(computeGanDiscriminatorLoss(real, fake, { realLabel: 1, reduction: 'none' }).real.dataSync()[0]).toBeCloseTo(
      B2_1,
      5,
    );
  });

  it('generator: BCE(fake, 1) + λ·L1 per example, hand-computed for each reduction and for L2', () => {
    // ex 0: logit 2, ab [0.5, −0.5] vs 0 → L1 0.5, L2 0.25;  ex 1: logit −1, ab [0.2, 0] vs [0, 0.4] → L1 0.3, L2 0.1
    const inputs = {
      fakeLogits: tf.tensor4d([2, -1], [2, 1, 1, 1]),
      predictedAb: tf.tensor4d([0.5, -0.5, 0.2, 0], [2, 1, 1, 2]),
      targetAb: tf.tensor4d([0, 0, 0, 0.4], [2, 1, 1, 2]),
    };
    const none = computeGanGeneratorLoss(inputs, { reduction: 'none' });
    expect(none.total.shape).toEqual([2]);
    expect(none.adversarial.dataSync()[1]).toBeCloseTo(BM1_1, 5);
    expect(none.reconstruction.dataSync()[0]).toBeCloseTo(0.5, 6);
    expect(none.reconstruction.dataSync()[1]).toBeCloseTo(0.3, 6);
    expect(none.total.dataSync()[0]).toBeCloseTo(B2_1 + 50, 4);
    expect(none.total.dataSync()[1]).toBeCloseTo(BM1_1 + 30, 4);
    expect(computeGanGeneratorLoss(inputs).total.dataSync()[0]).toBeCloseTo((B2_1 + 50 + BM1_1 + 30) / 2, 4);
    expect(computeGanGeneratorLoss(inputs, { reduction: 'sum' }).total.dataSync()[0]).toBeCloseTo(
      B2_1 + 50 + BM1_1 + 30,
      4,
    );
    const l2 = computeGanGeneratorLoss(inputs, { reconstruction: 'l2', lambda: 10 });
    expect(l2.reconstruction.dataSync()[0]).toBeCloseTo((0.25 + 0.1) / 2, 6);
    expect(l2.total.dataSync()[0]).toBeCloseTo((B2_1 + BM1_1) / 2 + 10 * 0.175, 5);
    const weighted = computeGanGeneratorLoss(inputs, { reconstructionWeights: tf.tensor4d([1, 0], [2, 1, 1, 1]) });
    expect(weighted.reconstruction.dataSync()[0]).toBeCloseTo(0.25, 6);
  });

  it('averages patch logits per example: mean over all logits equals the mean of per-example means', () => {
    const fakeLogits = tf.tensor4d([1, -2, 0.5, 3, 0, -1, 2, 1], [2, 2, 2, 1]);
    const ab = tf.zeros([2, 2, 2, 2]) as tf.Tensor4D;
    const expected = tf.tidy(() => tf.mean(tf.log1p(tf.exp(tf.neg(fakeLogits)))).dataSync()[0]);
    expect(
      computeGanGeneratorLoss({ fakeLogits, predictedAb: ab, targetAb: ab }).adversarial.dataSync()[0],
    ).toBeCloseTo(expected, 5);
  });
});

describe('GAN loss gradients and hygiene', () => {
  it('discriminator gradient wrt real and fake logits matches central differences', () => {
    const other = tf.tensor4d(testValues(8, 1, -2, 2), [2, 2, 2, 1]);
    expectGradientMatches((x) => computeGanDiscriminatorLoss(x, other).total, testValues(8, 2, -2, 2), [2, 2, 2, 1]);
    expectGradientMatches(
      (x) => computeGanDiscriminatorLoss(other, x, { reduction: 'sum' }).total,
      testValues(8, 3, -2, 2),
      [2, 2, 2, 1],
    );
  });

  it('generator gradient wrt the generated ab and the fake logits matches central differences (L1 and L2)', () => {
    const fakeLogits = tf.tensor4d(testValues(2, 4, -2, 2), [2, 1, 1, 1]);
    const targetAb = tf.zeros([2, 1, 2, 2]) as tf.Tensor4D;
    // ab values ≥ 0.1 from 0 so |d| has no kink within eps; λ = 1 keeps the L1 gradient (λ/8 per element) sizeable
    const ab = Float32Array.from([0.3, -0.5, 0.8, -0.1, 0.45, -0.9, 0.2, 0.6]);
    const predictedAb = tf.tensor4d(ab, [2, 1, 2, 2]);
    expectGradientMatches(
      (p) => computeGanGeneratorLoss({ fakeLogits, predictedAb: p as tf.Tensor4D, targetAb }, { lambda: 1 }).total,
      ab,
      [2, 1, 2, 2],
    );
    expectGradientMatches(
      (p) =>
        computeGanGeneratorLoss(
          { fakeLogits, predictedAb: p as tf.Tensor4D, targetAb },
          { lambda: 1, reconstruction: 'l2' },
        ).total,
      ab,
      [2, 1, 2, 2],
    );
    expectGradientMatches(
      (x) => computeGanGeneratorLoss({ fakeLogits: x, predictedAb, targetAb }).total,
      testValues(2, 5, -2, 2),
      [2, 1, 1, 1],
    );
  });

  it('leaves no tensor behind and does not dispose its inputs', () => {
    const logits = tf.tensor4d([1, -1], [2, 1, 1, 1]);
    const ab = tf.tensor4d([0.1, 0.2, 0.3, 0.4], [2, 1, 1, 2]);
    const before = tf.memory().numTensors;
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const d = computeGanDiscriminatorLoss(logits, logits, { reduction });
      const g = computeGanGeneratorLoss({ fakeLogits: logits, predictedAb: ab, targetAb: ab }, { reduction });
      tf.dispose([d.total, d.real, d.fake, g.total, g.adversarial, g.reconstruction]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(logits.isDisposed || ab.isDisposed).toBe(false);
  });

  it('rejects mismatched shapes, batch sizes and invalid options, naming the argument', () => {
    const logits = tf.zeros([2, 1, 1, 1]);
    const ab = tf.zeros([2, 1, 1, 2]) as tf.Tensor4D;
    expect(() => computeGanDiscriminatorLoss(logits, tf.zeros([2, 2, 2, 1]))).toThrow(
      /fakeLogits: expected the shape of realLogits \[2, 1, 1, 1\]/,
    );
    expect(() => computeGanDiscriminatorLoss(logits, logits, { realLabel: 0 })).toThrow(
      /options\.realLabel: expected a number in \(0, 1\]/,
    );
    expect(() => computeGanDiscriminatorLoss(logits, logits, { fakeLabel: 1 })).toThrow(
      /options\.fakeLabel: expected a number in \[0, 1\)/,
    );
    expect(() =>
      computeGanGeneratorLoss({ fakeLogits: tf.zeros([3, 1, 1, 1]), predictedAb: ab, targetAb: ab }),
    ).toThrow(/inputs\.fakeLogits: expected batch size 2/);
    expect(() =>
      computeGanGeneratorLoss({ fakeLogits: logits, predictedAb: ab, targetAb: tf.zeros([2, 1, 1, 3]) as tf.Tensor4D }),
    ).toThrow(/inputs\.targetAb: expected the shape of inputs\.predictedAb/);
    expect(() =>
      computeGanGeneratorLoss({ fakeLogits: logits, predictedAb: ab, targetAb: ab }, { reconstruction: 'l3' as never }),
    ).toThrow(/options\.reconstruction: expected one of 'l1' \| 'l2', received "l3"/);
    expect(() =>
      computeGanGeneratorLoss({ fakeLogits: logits, predictedAb: ab, targetAb: ab }, { lambda: -1 }),
    ).toThrow(/options\.lambda/);
  });
});
