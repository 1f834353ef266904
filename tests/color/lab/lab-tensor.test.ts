import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InputError, labToRgb, labToRgbTensor, rgbToLab, rgbToLabTensor } from '../../../src/index.js';
import { describeEachBackend, maxAbsDiff } from '../../backends.js';

// References made by tests/fixtures/make_lab_fixtures.py with scikit-image 0.19.
const fixtureDir = new URL('../../fixtures/lab/', import.meta.url);
function f32(name: string): Float32Array {
  const bytes = readFileSync(new URL(`${name}.bin`, fixtureDir));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

const TOLERANCE = 5e-4;

describeEachBackend('rgbToLabTensor', () => {
  it('matches skimage rgb2lab within 5e-4 and agrees with the typed path', () => {
    const rgb = f32('rgb_f32');
    const lab = rgbToLabTensor(tf.tensor2d(rgb, [rgb.length / 3, 3]));
    const values = lab.dataSync();
    lab.dispose();
    expect(maxAbsDiff(values, f32('lab_from_f32'))).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(values, rgbToLab(rgb))).toBeLessThan(TOLERANCE);
  });

  it('keeps any leading shape [..., 3] and leaks no tensor', () => {
    const x = tf.randomUniform([2, 3, 4, 3], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    const lab = rgbToLabTensor(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(lab.shape).toEqual([2, 3, 4, 3]);
    expect(x.isDisposed).toBe(false);
    tf.dispose([x, lab]);
  });

  it('has finite, non-zero gradients, also at 0, 1 and on both sides of the sRGB and CIELAB thresholds', () => {
    // 0.04045 is the sRGB toe; 0.1 gives Y/Yn just above CIELAB's 0.008856, 0.08 just below.
    const x = tf.tensor2d([
      [0, 0, 0],
      [1, 1, 1],
      [0.04, 0.041, 0.5],
      [0.1, 0.1, 0.1],
      [0.08, 0.08, 0.08],
      [0.9, 0.2, 0.05],
    ]);
    const before = tf.memory().numTensors;
    const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(rgbToLabTensor(v), tf.tensor1d([1, 0.3, -0.2]))))(x);
    const g = grad.dataSync();
    grad.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(g.every((v) => Number.isFinite(v))).toBe(true);
    expect(g.filter((v) => v !== 0).length).toBeGreaterThan(g.length / 2);
    x.dispose();
  });

  it('throws InputError for a last axis other than 3 or a non-float dtype', () => {
    const bad = tf.zeros([4, 2]);
    const ints = tf.zeros([4, 3], 'int32');
    expect(() => rgbToLabTensor(bad)).toThrow(/rgb01: expected a tensor of shape \[..., 3\], received shape \[4, 2\]/);
    expect(() => rgbToLabTensor(ints)).toThrow(InputError);
    tf.dispose([bad, ints]);
  });
});

describeEachBackend('labToRgbTensor', () => {
  it('matches skimage lab2rgb within 5e-4 (out-of-gamut Lab included) and agrees with the typed path', () => {
    const lab = f32('lab_in');
    const rgb = labToRgbTensor(tf.tensor2d(lab, [lab.length / 3, 3]));
    const values = rgb.dataSync();
    rgb.dispose();
    expect(maxAbsDiff(values, f32('rgb_from_lab'))).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(values, labToRgb(lab, { format: 'float32' }))).toBeLessThan(TOLERANCE);
  });

  it('round-trips rgb → Lab → rgb within 5e-4 inside a graph', () => {
    const x = tf.randomUniform([64, 3], 0, 1, 'float32', 3);
    const back = tf.tidy(() => labToRgbTensor(rgbToLabTensor(x)));
    expect(maxAbsDiff(back.dataSync(), x.dataSync())).toBeLessThan(TOLERANCE);
    tf.dispose([x, back]);
  });

  it('has finite gradients, non-zero inside the gamut, and leaks no tensor', () => {
    const lab = tf.tensor2d([
      [50, 10, -10],
      [75, -20, 30],
      [20, 5, 5],
      [0, 0, 0],
      [100, 0, 0],
      [30, 80, -100],
      [5, 0, 60],
    ]);
    const before = tf.memory().numTensors;
    const grad = tf.grad((v: tf.Tensor) => tf.sum(labToRgbTensor(v)))(lab);
    const g = grad.arraySync() as number[][];
    grad.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(g.flat().every((v) => Number.isFinite(v))).toBe(true);
    for (const row of g.slice(0, 3)) expect(row.some((v) => v !== 0)).toBe(true);
    lab.dispose();
  });
});
