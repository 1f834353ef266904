import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { computeSsim } from '../../../src/train/metrics/ssim.js';
import { InputError } from '../../../src/errors.js';
import { fixtureArray, fixtureValue, fixtureValues } from './fixtures.js';

const constant = (value: number, size = 11) => ({
  data: new Uint8Array(size * size * 3).fill(value),
  width: size,
  height: size,
  channels: 3,
});

describe('computeSsim (Wang et al. 2004, as scikit-image with Gaussian σ = 1.5)', () => {
  it('hand-computed: flat images a and b give (2ab + C1) / (a² + b² + C1), C1 = (0.01·255)², since all variances are 0', () => {
    const c1 = (0.01 * 255) ** 2;
    expect(computeSsim(constant(100), constant(110))).toBeCloseTo(
      (2 * 100 * 110 + c1) / (100 ** 2 + 110 ** 2 + c1),
      12,
    );
    expect(computeSsim(constant(100, 14), constant(100, 14))).toBe(1);
  });

  it('matches scikit-image structural_similarity on a uint8 pair (data range 255)', () => {
    const t = fixtureArray('u8_target');
    const p = fixtureArray('u8_pred');
    const [h, w] = t.shape;
    expect(
      computeSsim(
        { data: p.data, width: w, height: h, channels: 3 },
        { data: t.data, width: w, height: h, channels: 3 },
      ),
    ).toBeCloseTo(fixtureValue('u8_ssim'), 10);
  });

  it('averages per-image SSIM over a float [0, 1] batch tensor, matching scikit-image per image, without leaking', () => {
    const t = fixtureArray('f_target');
    const p = fixtureArray('f_pred');
    const tp = tf.tensor4d(p.data, p.shape as [number, number, number, number]);
    const tt = tf.tensor4d(t.data, t.shape as [number, number, number, number]);
    const before = tf.memory().numTensors;
    const [a, b] = fixtureValues('f_ssim');
    expect(computeSsim(tp, tt)).toBeCloseTo((a + b) / 2, 10);
    const one = tf.tidy(() => tf.squeeze(tf.slice(tp, [1, 0, 0, 0], [1, -1, -1, -1]), [0]));
    const oneTarget = tf.tidy(() => tf.squeeze(tf.slice(tt, [1, 0, 0, 0], [1, -1, -1, -1]), [0]));
    const inner = tf.memory().numTensors;
    expect(computeSsim(one, oneTarget)).toBeCloseTo(b, 10);
    expect(tf.memory().numTensors).toBe(inner);
    tf.dispose([one, oneTarget]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([tp, tt]);
  });

  it('rejects images smaller than the 11×11 window', () => {
    expect(() => computeSsim(constant(1, 10), constant(1, 10))).toThrow(InputError);
    expect(() => computeSsim(constant(1, 10), constant(1, 10))).toThrow(/11×11/);
  });
});
