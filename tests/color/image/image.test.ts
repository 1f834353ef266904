import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError, checkImage, imageToLab, rgbToLab, type ImageLike } from '../../../src/index.js';
import { maxAbsDiff } from '../../backends.js';

const fixtureDir = new URL('../../fixtures/lab/', import.meta.url);
function f32(name: string): Float32Array {
  const bytes = readFileSync(new URL(`${name}.bin`, fixtureDir));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

describe('imageToLab', () => {
  it('gives the planar Lab of rgbToLab for RGB and RGBA images, as views of one buffer', () => {
    const width = 5,
      height = 3,
      n = width * height;
    const rgba = new Uint8ClampedArray(4 * n).map((_, i) => (i * 37) % 256);
    const lab = imageToLab({ data: rgba, width, height, channels: 4 });
    const reference = rgbToLab(rgba, { channels: 4, outLayout: 'planar' });
    expect(lab.width).toBe(width);
    expect(lab.height).toBe(height);
    expect([...lab.lightness]).toEqual([...reference.subarray(0, n)]);
    expect([...lab.a]).toEqual([...reference.subarray(n, 2 * n)]);
    expect([...lab.b]).toEqual([...reference.subarray(2 * n)]);
    expect(lab.a.buffer).toBe(lab.lightness.buffer);
  });

  it('gives skimage L for gray images (channels 1) and zero a, b', () => {
    const labU8 = f32('lab_from_u8');
    const gray = new Uint8Array(256).map((_, i) => i);
    const lab = imageToLab({ data: gray, width: 16, height: 16, channels: 1 });
    // Rows 8 … 263 of the fixture are the grays 0 … 255.
    expect(
      maxAbsDiff(
        lab.lightness,
        new Float32Array(256).map((_, i) => labU8[3 * (8 + i)]),
      ),
    ).toBeLessThan(5e-4);
    expect(lab.a.every((v) => v === 0) && lab.b.every((v) => v === 0)).toBe(true);
  });

  it('writes into the given buffer', () => {
    const out = new Float32Array(3 * 4).fill(7);
    const lab = imageToLab({ data: new Float32Array(4).fill(0.5), width: 2, height: 2, channels: 1 }, out);
    expect(lab.lightness.buffer).toBe(out.buffer);
    expect(out[4]).toBe(0);
  });
});

describe('checkImage', () => {
  const ok: ImageLike = { data: new Uint8Array(12), width: 2, height: 2, channels: 3 };

  it('accepts a valid image', () => {
    expect(() => checkImage(ok)).not.toThrow();
  });

  it('throws InputError naming the field, what was expected and what was received', () => {
    expect(() => checkImage({ ...ok, channels: 2 as 3 })).toThrow(
      /image.channels: expected channels 1, 3 or 4, received channels 2/,
    );
    expect(() => checkImage({ ...ok, data: new Uint8Array(11) })).toThrow(
      /image.data: expected length 12 \(2 × 2 × 3\), received length 11/,
    );
    expect(() => checkImage({ ...ok, width: 0, data: new Uint8Array(0) })).toThrow(
      /image.width: expected a positive integer, received 0/,
    );
    expect(() => checkImage({ ...ok, height: 1.5 })).toThrow(/image.height: expected a positive integer, received 1.5/);
    expect(() => checkImage({ ...ok, data: new Float32Array(12).fill(Infinity) })).toThrow(
      /image.data: expected finite values, received Infinity at index 0/,
    );
    expect(() => checkImage({ ...ok, data: new Int16Array(12) as unknown as Uint8Array })).toThrow(InputError);
    expect(() => imageToLab({ ...ok, data: new Float32Array([0, 0, 0, 0, 0, 0, 0, NaN, 0, 0, 0, 0]) })).toThrow(
      /NaN at index 7/,
    );
  });
});
