import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeRebalanceWeights, gatherPixelWeights } from '../../../src/color/prior/rebalance.js';
import { ZHANG_PRIOR } from '../../../src/color/prior/prior.js';
import { InputError } from '../../../src/errors.js';
import { describeEachBackend, maxAbsDiff } from '../../backends.js';

const fx = JSON.parse(readFileSync(new URL('../../fixtures/quant/prior.json', import.meta.url), 'utf8')) as Record<
  string,
  number[]
>;

describe('computeRebalanceWeights', () => {
  it('follows w ∝ ((1 − λ)p + λ/Q)⁻¹ with Σ p·w = 1 on a hand-computed input', () => {
    // p = [0.5, 0.25, 0.25, 0], λ = 0.5, Q = 4: mix = [0.375, 0.25, 0.25, 0.125], 1/mix = [8/3, 4, 4, 8],
    // Σ p/mix = 4/3 + 1 + 1 = 10/3, so w = [0.8, 1.2, 1.2, 2.4].
    const w = computeRebalanceWeights([0.5, 0.25, 0.25, 0]);
    expect(maxAbsDiff(w, [0.8, 1.2, 1.2, 2.4])).toBeLessThan(1e-15);
  });

  it("matches numpy for Zhang's prior (λ = 0.5) and a random prior (λ = 0.3, λ = 0), with Σ p·w = 1", () => {
    expect(maxAbsDiff(computeRebalanceWeights(ZHANG_PRIOR), fx.weightsZhang)).toBeLessThan(1e-10);
    expect(maxAbsDiff(computeRebalanceWeights(fx.randomPrior, { lambda: 0.3 }), fx.weightsRandom03)).toBeLessThan(
      1e-10,
    );
    const shifted = fx.randomPrior.map((v) => v + 1e-3);
    expect(maxAbsDiff(computeRebalanceWeights(shifted, { lambda: 0 }), fx.weightsRandom0)).toBeLessThan(1e-8);
    const w = computeRebalanceWeights(ZHANG_PRIOR);
    const sum = ZHANG_PRIOR.reduce((s, v) => s + v, 0);
    expect(ZHANG_PRIOR.reduce((s, p, q) => s + (p / sum) * w[q], 0)).toBeCloseTo(1, 14);
  });

  it("reports Zhang's weights: smallest at (0, 0), largest at the rarest bin, all ones for λ = 1", () => {
    const w = computeRebalanceWeights(ZHANG_PRIOR);
    const max = Math.max(...w),
      min = Math.min(...w);
    console.log(
      `rebalancing weights for ZHANG_PRIOR (λ = 0.5): max ${max} at bin ${w.indexOf(max)}, min ${min} at bin ${w.indexOf(min)}`,
    );
    expect(w.indexOf(min)).toBe(120);
    expect(w.indexOf(max)).toBe(303);
    // Closed form at the extremes: w_q = 1 / ((1 − λ)p_q + λ/Q) / Σ p/mix.
    const norm =
      ZHANG_PRIOR.reduce((s, p) => s + p / (0.5 * p + 0.5 / 313), 0) / ZHANG_PRIOR.reduce((s, v) => s + v, 0);
    expect(max).toBeCloseTo(1 / ((0.5 * ZHANG_PRIOR[303]) / 0.9999999999999989 + 0.5 / 313) / norm, 10);
    expect(computeRebalanceWeights(ZHANG_PRIOR, { lambda: 1 }).every((v) => Math.abs(v - 1) < 1e-12)).toBe(true);
  });

  it('rejects λ outside [0, 1] with ConfigError and a bad prior with InputError', () => {
    expect(() => computeRebalanceWeights(ZHANG_PRIOR, { lambda: 1.5 })).toThrow(
      /lambda: expected a number in \[0, 1\], received 1.5/,
    );
    expect(() => computeRebalanceWeights([])).toThrow(InputError);
    expect(() => computeRebalanceWeights([0.5, -0.5, 1])).toThrow(InputError);
    expect(() => computeRebalanceWeights([1, 0], { lambda: 0 })).toThrow(/positive entries when lambda = 0/);
  });
});

describeEachBackend('gatherPixelWeights', () => {
  it('gives each pixel the weight of its target argmax, as [N, H, W], and leaks nothing', () => {
    const weights = [0.5, 2, 4];
    // 1 × 2 × 2 pixels over Q = 3: argmax bins 1, 0, 2, 1.
    const target = tf.tensor4d([0.1, 0.8, 0.1, 0.6, 0.3, 0.1, 0, 0.2, 0.8, 0.3, 0.4, 0.3], [1, 2, 2, 3]);
    const before = tf.memory().numTensors;
    const v = gatherPixelWeights(target, weights);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(v.shape).toEqual([1, 2, 2]);
    expect(Array.from(v.dataSync())).toEqual([2, 0.5, 4, 2]);
    v.dispose();
    expect(target.isDisposed).toBe(false);
    target.dispose();
  });

  it('rejects weights whose length is not the last dimension, or a wrong rank, with InputError', () => {
    const target = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
    expect(() => gatherPixelWeights(target, [1, 2])).toThrow(/weights: expected 3 values/);
    const rank2 = tf.zeros([2, 3]) as unknown as tf.Tensor4D;
    expect(() => gatherPixelWeights(rank2, [1, 2, 3])).toThrow(InputError);
    tf.dispose([target, rank2]);
  });
});
