import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { computePsnr } from '../../../src/train/metrics/psnr.js';
import { InputError } from '../../../src/errors.js';
import { fixtureArray, fixtureValue, fixtureValues } from './fixtures.js';

describe('computePsnr', () => {
  it('hand-computed: one of 12 uint8 values off by 255 gives MSE 255²/12, PSNR 10·log10(12) dB', () => {
    const target = { data: new Uint8Array(12), width: 2, height: 2, channels: 3 };
    const pred = { data: new Uint8Array(12), width: 2, height: 2, channels: 3 };
    pred.data[5] = 255;
    expect(computePsnr(pred, target)).toBeCloseTo(10 * Math.log10(12), 12);
    // The same image as floats in [0, 1] (data range 1 by default) gives the same PSNR.
    const f = (d: Uint8Array) => ({ data: Float32Array.from(d, (v) => v / 255), width: 2, height: 2, channels: 3 });
    expect(computePsnr(f(pred.data), f(target.data))).toBeCloseTo(10 * Math.log10(12), 12);
    expect(computePsnr(target, target)).toBe(Infinity);
  });

  it('matches scikit-image peak_signal_noise_ratio on a uint8 pair (typed image and int32 tensor)', () => {
    const t = fixtureArray('u8_target');
    const p = fixtureArray('u8_pred');
    const [h, w] = t.shape;
    expect(
      computePsnr(
        { data: p.data, width: w, height: h, channels: 3 },
        { data: t.data, width: w, height: h, channels: 3 },
      ),
    ).toBeCloseTo(fixtureValue('u8_psnr'), 10);
    const tp = tf.tensor3d(Int32Array.from(p.data), [h, w, 3], 'int32');
    const tt = tf.tensor3d(Int32Array.from(t.data), [h, w, 3], 'int32');
    expect(computePsnr(tp, tt)).toBeCloseTo(fixtureValue('u8_psnr'), 10);
    tf.dispose([tp, tt]);
  });

  it('averages per-image PSNR over a float [0, 1] batch, matching scikit-image per image, without leaking', () => {
    const t = fixtureArray('f_target');
    const p = fixtureArray('f_pred');
    const tp = tf.tensor4d(p.data, p.shape as [number, number, number, number]);
    const tt = tf.tensor4d(t.data, t.shape as [number, number, number, number]);
    const before = tf.memory().numTensors;
    const [a, b] = fixtureValues('f_psnr');
    expect(computePsnr(tp, tt)).toBeCloseTo((a + b) / 2, 10);
    expect(computePsnr(tp, tt, { dataRange: 1 })).toBeCloseTo((a + b) / 2, 10);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([tp, tt]);
  });

  it('rejects mismatched layouts, non-RGB input and a bad data range', () => {
    const a = { data: new Uint8Array(12), width: 2, height: 2, channels: 3 };
    const b = { data: new Uint8Array(18), width: 3, height: 2, channels: 3 };
    expect(() => computePsnr(a, b)).toThrow(InputError);
    expect(() => computePsnr({ data: new Uint8Array(8), width: 2, height: 2, channels: 2 }, a)).toThrow(/channels/);
    expect(() => computePsnr(a, a, { dataRange: 0 })).toThrow(/dataRange/);
    expect(() => computePsnr({ data: new Uint8Array(5), width: 2, height: 2, channels: 3 }, a)).toThrow(/length/);
  });
});
