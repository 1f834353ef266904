import * as tf from '@tensorflow/tfjs-core';
import ndarray from 'ndarray';
import { expect, it } from 'vitest';
import { InputError, imageToLab, toImageLike, type ImageLike } from '../../../src/index.js';
import { describeEachBackend, maxAbsDiff } from '../../backends.js';

const width = 7,
  height = 5,
  n = width * height;
// A deterministic RGBA test image (alpha varies; colour conversion ignores it).
const rgba = new Uint8ClampedArray(4 * n).map((_, i) => (i * 73 + 11) % 256);
const rgb = new Uint8Array(3 * n).map((_, i) => rgba[4 * Math.floor(i / 3) + (i % 3)]);
const reference = imageToLab({ data: rgb, width, height, channels: 3 });

function expectSameLab(image: ImageLike, tolerance = 0): void {
  const lab = imageToLab(image);
  expect([lab.width, lab.height]).toEqual([width, height]);
  expect(maxAbsDiff(lab.lightness, reference.lightness)).toBeLessThanOrEqual(tolerance);
  expect(maxAbsDiff(lab.a, reference.a)).toBeLessThanOrEqual(tolerance);
  expect(maxAbsDiff(lab.b, reference.b)).toBeLessThanOrEqual(tolerance);
}

describeEachBackend('toImageLike', () => {
  it('passes an ImageLike through unchanged and reads ImageData-like RGBA', () => {
    const image: ImageLike = { data: rgb, width, height, channels: 3 };
    expect(toImageLike(image)).toBe(image);
    const fromImageData = toImageLike({ data: rgba, width, height });
    expect(fromImageData.channels).toBe(4);
    expectSameLab(fromImageData);
  });

  it('reads ndarrays: contiguous (as a view), with an offset, transposed strides, float64 in [0, 1]', () => {
    const contiguous = toImageLike(ndarray(rgb, [height, width, 3]));
    expect(contiguous.data.buffer).toBe(rgb.buffer);
    expectSameLab(contiguous);
    const padded = new Uint8Array(5 + 3 * n);
    padded.set(rgb, 5);
    expectSameLab(toImageLike(ndarray(padded, [height, width, 3], [3 * width, 3, 1], 5)));
    // Stored column-major (W, H, C), viewed as [H, W, C] through strides.
    const columnMajor = new Uint8Array(3 * n);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        for (let c = 0; c < 3; c++) columnMajor[(x * height + y) * 3 + c] = rgb[(y * width + x) * 3 + c];
    expectSameLab(toImageLike(ndarray(columnMajor, [height, width, 3], [3, 3 * height, 1])));
    const float64 = new Float64Array(rgb.length).map((_, i) => rgb[i] / 255);
    expectSameLab(toImageLike(ndarray(float64, [height, width, 3])), 5e-4);
    const gray = toImageLike(ndarray(new Uint8Array(n).fill(128), [height, width]));
    expect(gray.channels).toBe(1);
  });

  it('reads int32 Tensor3D (0–255) and float32 Tensor4D batch 1 (0–1) without leaking', () => {
    const t3 = tf.tensor3d(Int32Array.from(rgb), [height, width, 3], 'int32');
    const t4 = tf.tensor4d(
      Float32Array.from(rgb, (v) => v / 255),
      [1, height, width, 3],
    );
    const before = tf.memory().numTensors;
    expectSameLab(toImageLike(t3));
    expectSameLab(toImageLike(t4), 5e-4);
    expect(tf.memory().numTensors).toBe(before);
    expect(t3.isDisposed || t4.isDisposed).toBe(false);
    tf.dispose([t3, t4]);
  });

  it('throws InputError for batch > 1, two channels, int32 out of 0–255, bool tensors, bad ndarray dtypes and unknown forms', () => {
    const batch2 = tf.zeros([2, 3, 3, 3]);
    const twoChannels = tf.zeros([3, 3, 2]);
    const tooBright = tf.fill([2, 2, 3], 300, 'int32');
    const bool = tf.zeros([2, 2, 3], 'bool');
    expect(() => toImageLike(batch2 as tf.Tensor4D)).toThrow(
      /image: expected a tensor of shape \[H, W, C\] or \[1, H, W, C\], received shape \[2, 3, 3, 3\]/,
    );
    expect(() => toImageLike(twoChannels as tf.Tensor3D)).toThrow(/channels \(last dimension\) 1, 3 or 4/);
    expect(() => toImageLike(tooBright as tf.Tensor3D)).toThrow(/int32 values in 0–255, received 300 at index 0/);
    expect(() => toImageLike(bool as tf.Tensor3D)).toThrow(/dtype bool/);
    expect(() => toImageLike(ndarray(new Int16Array(12), [2, 2, 3]))).toThrow(
      /image.dtype: expected uint8, uint8_clamped/,
    );
    expect(() => toImageLike(ndarray(new Uint8Array(0), [0, 4, 3]))).toThrow(/non-empty image/);
    expect(() => toImageLike({ data: new Uint8ClampedArray(10), width: 2, height: 2 })).toThrow(
      /image.data: expected length 16 \(2 × 2 × 4\), received length 10/,
    );
    expect(() => toImageLike(42 as unknown as ImageLike)).toThrow(InputError);
    tf.dispose([batch2, twoChannels, tooBright, bool]);
  });
});
