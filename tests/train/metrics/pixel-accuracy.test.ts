import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { computePixelAccuracy } from '../../../src/train/metrics/pixel-accuracy.js';
import { fixtureArray, fixtureValue } from './fixtures.js';

const lab = (values: number[]) => ({
  data: new Float32Array(values),
  width: values.length / 3,
  height: 1,
  channels: 3,
});

describe('computePixelAccuracy (Nazeri et al. 2018, 2 % of each Lab channel range)', () => {
  it('hand-computed: |ΔL| ≤ 2 and |Δa|, |Δb| ≤ 4.4 after rounding half to even', () => {
    const target = lab([50, 0, 0, 50, 0, 0, 50, 0, 0, 50, 0, 0, 50, 0, 0, 50, 0, 0]);
    const predicted = lab([
      50,
      0,
      0, //    exact: match
      52,
      4,
      -4, //   every channel at its limit: match
      53,
      0,
      0, //    ΔL = 3: no match
      50,
      4.5,
      0, //  4.5 rounds to 4 (half to even): match
      50,
      5.5,
      0, //  5.5 rounds to 6: no match
      50,
      0,
      -5, //   Δb = 5: no match
    ]);
    expect(computePixelAccuracy(predicted, target)).toBeCloseTo(3 / 6, 15);
    // Without rounding, 4.5 > 4.4 fails too.
    expect(computePixelAccuracy(predicted, target, { round: false })).toBeCloseTo(2 / 6, 15);
    // A 5 % threshold allows ΔL ≤ 5 and Δab ≤ 11: everything matches.
    expect(computePixelAccuracy(predicted, target, { thresholdPercent: 5 })).toBe(1);
  });

  it('with ab only (2 channels) compares a and b', () => {
    const t = { data: new Float32Array([0, 0, 0, 0]), width: 2, height: 1, channels: 2 };
    const p = { data: new Float32Array([4, 4, 5, 0]), width: 2, height: 1, channels: 2 };
    expect(computePixelAccuracy(p, t)).toBe(0.5);
  });

  it('matches the numpy reference of the released code on 3000 Lab pixels (tensor input, no leak)', () => {
    const p = fixtureArray('lab_pred').data;
    const t = fixtureArray('lab_target').data;
    const tp = tf.tensor4d(p, [1, 50, 60, 3]);
    const tt = tf.tensor4d(t, [1, 50, 60, 3]);
    const before = tf.memory().numTensors;
    expect(computePixelAccuracy(tp, tt)).toBeCloseTo(fixtureValue('pixel_accuracy'), 15);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([tp, tt]);
  });

  it('rejects a bad threshold naming the key', () => {
    expect(() => computePixelAccuracy(lab([0, 0, 0]), lab([0, 0, 0]), { thresholdPercent: 0 })).toThrow(
      /thresholdPercent/,
    );
  });
});
