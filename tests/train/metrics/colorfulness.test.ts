import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { computeColorfulness } from '../../../src/train/metrics/colorfulness.js';
import { fixtureArray, fixtureValue, fixtureValues } from './fixtures.js';

describe('computeColorfulness (Hasler & Süsstrunk 2003)', () => {
  it('hand-computed: pure red and black give rg = [255, 0], yb = [127.5, 0], so M = 1.3 · 63.75 · √5', () => {
    const image = { data: new Uint8Array([255, 0, 0, 0, 0, 0]), width: 2, height: 1, channels: 3 };
    // μ_rg = σ_rg = 127.5 and μ_yb = σ_yb = 63.75, so σ_rgyb = μ_rgyb = 63.75·√5.
    expect(computeColorfulness(image)).toBeCloseTo(1.3 * 63.75 * Math.sqrt(5), 10);
    const as01 = { data: new Float32Array([1, 0, 0, 0, 0, 0]), width: 2, height: 1, channels: 3 };
    expect(computeColorfulness(as01)).toBeCloseTo(1.3 * 63.75 * Math.sqrt(5), 10);
  });

  it('is 0 for any gray image', () => {
    const gray = {
      data: Uint8Array.from({ length: 48 }, (_, i) => [10, 10, 10, 200, 200, 200][i % 6]),
      width: 4,
      height: 4,
      channels: 3,
    };
    expect(computeColorfulness(gray)).toBe(0);
  });

  it('matches the numpy reference on a uint8 image and on a float [0, 1] batch tensor, without leaking', () => {
    const u8 = fixtureArray('u8_target');
    expect(computeColorfulness({ data: u8.data, width: u8.shape[1], height: u8.shape[0], channels: 3 })).toBeCloseTo(
      fixtureValue('u8_target_colourfulness'),
      9,
    );
    const f = fixtureArray('f_target');
    const batch = tf.tensor4d(f.data, f.shape as [number, number, number, number]);
    const before = tf.memory().numTensors;
    const [a, b] = fixtureValues('f_target_colourfulness');
    // float32 inputs scaled by 255 in float64 on both sides; agreement to 1e-9 relative.
    expect(computeColorfulness(batch)).toBeCloseTo((a + b) / 2, 7);
    expect(tf.memory().numTensors).toBe(before);
    batch.dispose();
  });
});
