import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InputError, imageToLab, recombineLab } from '../../../src/index.js';
import { describeEachBackend, maxAbsDiff } from '../../backends.js';

const fixtureDir = new URL('../../fixtures/lab/', import.meta.url);
function f32(name: string): Float32Array {
  const bytes = readFileSync(new URL(`${name}.bin`, fixtureDir));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

// Fixture: L of a 37×29 image, ab at 10×8; reference = skimage resize(order=1, mode=edge) + lab2rgb.
const W = 37,
  H = 29,
  w = 10,
  h = 8;
const L = f32('recombine_L');
const abLow = f32('recombine_ab');
const planes = { width: W, height: H, lightness: L };

describeEachBackend('recombineLab', () => {
  it('matches skimage (bilinear ab upsampling with half-pixel centres, then lab2rgb) within 1 uint8 level', () => {
    const ab = tf.tensor4d(abLow, [1, h, w, 2]);
    const before = tf.memory().numTensors;
    const { image, lab } = recombineLab(planes, ab, { returnLab: true });
    expect(tf.memory().numTensors).toBe(before);
    expect(ab.isDisposed).toBe(false);
    expect([image.width, image.height, image.channels]).toEqual([W, H, 3]);
    const expected = f32('recombine_rgb').map((v) => Math.round(v * 255));
    expect(maxAbsDiff(image.data, expected)).toBeLessThanOrEqual(1);
    // The Lab handed back keeps the caller's L itself (bit-identical) and the skimage-upsampled ab.
    expect(lab!.lightness).toBe(L);
    const abUp = f32('recombine_ab_up');
    expect(
      maxAbsDiff(
        lab!.a,
        abUp.filter((_, i) => i % 2 === 0),
      ),
    ).toBeLessThan(1e-4);
    expect(
      maxAbsDiff(
        lab!.b,
        abUp.filter((_, i) => i % 2 === 1),
      ),
    ).toBeLessThan(1e-4);
    ab.dispose();
  });

  it('gives the same pixels for [1, h, w, 2], [h, w, 2] tensors and a typed AbImage; RGBA has opaque alpha', () => {
    const t4 = tf.tensor4d(abLow, [1, h, w, 2]),
      t3 = tf.tensor3d(abLow, [h, w, 2]);
    const a = recombineLab(planes, t4).image.data;
    expect(recombineLab(planes, t3).image.data).toEqual(a);
    expect(recombineLab(planes, { data: abLow, width: w, height: h }).image.data).toEqual(a);
    const rgba = recombineLab(planes, t3, { channels: 4 }).image.data;
    for (let i = 0; i < W * H; i++) {
      expect(rgba[4 * i + 3]).toBe(255);
      expect(rgba[4 * i]).toBe(a[3 * i]);
    }
    tf.dispose([t4, t3]);
  });

  it("keeps the input's lightness: with zero ab the output L equals the input L up to uint8 rounding", () => {
    const gray = new Uint8Array(64 * 48).map((_, i) => (i * 7) % 256);
    const lab = imageToLab({ data: gray, width: 64, height: 48, channels: 1 });
    const { image } = recombineLab(lab, { data: new Float32Array(2 * 16 * 12), width: 16, height: 12 });
    const back = imageToLab(image);
    expect(maxAbsDiff(back.lightness, lab.lightness)).toBeLessThan(0.3);
    expect(image.data.every((v, i) => v === gray[Math.floor(i / 3)])).toBe(true);
  });

  it('throws InputError for a wrong ab shape or dtype, non-finite ab, or lightness not matching its size', () => {
    const batch2 = tf.zeros([2, h, w, 2]),
      threeChannels = tf.zeros([1, h, w, 3]),
      ints = tf.zeros([1, h, w, 2], 'int32');
    expect(() => recombineLab(planes, batch2)).toThrow(
      /ab: expected a float32 tensor of shape \[1, h, w, 2\] or \[h, w, 2\], received float32 tensor of shape \[2, 8, 10, 2\]/,
    );
    expect(() => recombineLab(planes, threeChannels)).toThrow(InputError);
    expect(() => recombineLab(planes, ints)).toThrow(/int32 tensor/);
    expect(() => recombineLab(planes, { data: new Float32Array([0, NaN]), width: 1, height: 1 })).toThrow(
      /ab: expected finite values, received NaN at index 1/,
    );
    expect(() => recombineLab(planes, { data: new Float32Array(3), width: 1, height: 1 })).toThrow(
      /ab.data: expected length 2/,
    );
    expect(() => recombineLab({ ...planes, width: 36 }, { data: abLow, width: w, height: h })).toThrow(
      /lightness.lightness: expected a Float32Array of length 1044 \(36 × 29\), received length 1073/,
    );
    tf.dispose([batch2, threeChannels, ints]);
  });
});
