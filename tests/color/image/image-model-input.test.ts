import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  AB_SCALE,
  InputError,
  LIGHTNESS_CENTRE,
  LIGHTNESS_SCALE,
  abToTarget,
  imageToLab,
  lightnessToInput,
  resizePlane,
} from '../../../src/index.js';
import { describeEachBackend, maxAbsDiff } from '../../backends.js';

const width = 40,
  height = 30,
  n = width * height;
const image = { data: new Uint8Array(3 * n).map((_, i) => (i * 29 + 3) % 256), width, height, channels: 3 as const };
const lab = imageToLab(image);

describeEachBackend('lightnessToInput', () => {
  it('is [1, h, w, 1], the resized L normalized to (L − 50) / 100, and the only tensor it leaves', () => {
    const before = tf.memory().numTensors;
    const input = lightnessToInput(lab, { height: 12, width: 16 });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(input.shape).toEqual([1, 12, 16, 1]);
    const expected = resizePlane(lab.lightness, width, height, 16, 12).map(
      (v) => (v - LIGHTNESS_CENTRE) / LIGHTNESS_SCALE,
    );
    expect(maxAbsDiff(input.dataSync(), expected)).toBeLessThan(1e-6);
    input.dispose();
  });

  it('maps L = 0, 50, 100 to −0.5, 0, 0.5 and defaults to 256 × 256', () => {
    const planes = { width: 3, height: 1, lightness: new Float32Array([0, 50, 100]) };
    const t = lightnessToInput(planes, { height: 1, width: 3 });
    expect([...t.dataSync()]).toEqual([-0.5, 0, 0.5]);
    const big = lightnessToInput(planes);
    expect(big.shape).toEqual([1, 256, 256, 1]);
    tf.dispose([t, big]);
  });

  it('throws InputError for a bad size or a plane whose length does not match width × height', () => {
    expect(() => lightnessToInput(lab, 0)).toThrow(/size.height: expected a positive integer, received 0/);
    expect(() => lightnessToInput({ ...lab, width: 41 }, 8)).toThrow(
      /lab.lightness: expected a Float32Array of length 1230 \(41 × 30\), received length 1200/,
    );
    expect(() => lightnessToInput(lab, { height: 8, width: 2.5 })).toThrow(InputError);
  });
});

describeEachBackend('abToTarget', () => {
  it('is [1, h, w, 2] with a/110 and b/110 resized like the lightness', () => {
    const before = tf.memory().numTensors;
    const target = abToTarget(lab, 10);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(target.shape).toEqual([1, 10, 10, 2]);
    const a = resizePlane(lab.a, width, height, 10, 10),
      b = resizePlane(lab.b, width, height, 10, 10);
    const values = target.dataSync();
    const expected = new Float32Array(200).map((_, i) => (i % 2 ? b : a)[i >> 1] / AB_SCALE);
    expect(maxAbsDiff(values, expected)).toBeLessThan(1e-6);
    target.dispose();
  });

  it('throws InputError when a or b has the wrong length', () => {
    expect(() => abToTarget({ ...lab, b: new Float32Array(3) }, 8)).toThrow(
      /lab.b: expected a Float32Array of length 1200/,
    );
  });
});
