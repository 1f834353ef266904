import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resizePlane } from '../../../src/index.js';
import { maxAbsDiff } from '../../backends.js';

const fixtureDir = new URL('../../fixtures/lab/', import.meta.url);
function f32(name: string): Float32Array {
  const bytes = readFileSync(new URL(`${name}.bin`, fixtureDir));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

describe('resizePlane', () => {
  it('matches skimage resize(order=1, mode=edge) for a downscale below 2× (31×23 → 20×16)', () => {
    const expected = f32('resize_dst');
    expect(maxAbsDiff(resizePlane(f32('resize_src'), 31, 23, 20, 16), expected)).toBeLessThan(1e-4);
    expect(maxAbsDiff(resizePlane(f32('resize_src'), 31, 23, 20, 16, { antialias: false }), expected)).toBeLessThan(
      1e-4,
    );
  });

  it('matches skimage for a 4× upsample of interleaved two-channel ab (10×8 → 37×29)', () => {
    const ab = f32('recombine_ab');
    expect(maxAbsDiff(resizePlane(ab, 10, 8, 37, 29, { channels: 2 }), f32('recombine_ab_up'))).toBeLessThan(1e-4);
  });

  it('averages whole blocks for integer downscales of 2× or more (8×4 → 2×1 is the mean of each 4×4 block)', () => {
    const src = new Float32Array(32).map((_, i) => (i * i) % 17);
    const blockMean = (x0: number): number => {
      let s = 0;
      for (let y = 0; y < 4; y++) for (let x = x0; x < x0 + 4; x++) s += src[y * 8 + x];
      return s / 16;
    };
    expect([...resizePlane(src, 8, 4, 2, 1)]).toEqual([blockMean(0), blockMean(4)]);
    // Without the pre-filter bilinear reads only the pixels next to each centre.
    expect([...resizePlane(src, 8, 4, 2, 1, { antialias: false })]).not.toEqual([blockMean(0), blockMean(4)]);
  });

  it('keeps a constant plane constant for any size, including partial edge blocks', () => {
    const src = new Float32Array(101 * 53).fill(42.5);
    for (const [w, h] of [
      [10, 7],
      [33, 17],
      [101, 53],
      [250, 3],
    ]) {
      expect(resizePlane(src, 101, 53, w, h).every((v) => Math.abs(v - 42.5) < 1e-5)).toBe(true);
    }
  });

  it('suppresses a pixel-frequency stripe pattern when shrinking 7× (aliasing check)', () => {
    // Columns alternate 0 / 100, so the local mean is 50; a 7-pixel block holds 3 or 4 bright columns.
    const w = 224,
      h = 7,
      src = new Float32Array(w * h).map((_, i) => (i % 2) * 100);
    const area = resizePlane(src, w, h, 32, 1);
    const plain = resizePlane(src, w, h, 32, 1, { antialias: false });
    expect(maxAbsDiff(area, new Float32Array(32).fill(50))).toBeLessThan(100 / 14 + 1e-4);
    // Plain bilinear lands on single columns here and returns pure 0 or 100.
    expect(maxAbsDiff(plain, new Float32Array(32).fill(50))).toBeGreaterThan(40);
  });

  it('throws InputError for a wrong source length or size', () => {
    expect(() => resizePlane(new Float32Array(5), 2, 3, 1, 1)).toThrow(
      /src: expected length 6 \(2 × 3 × 1\), received length 5/,
    );
    expect(() => resizePlane(new Float32Array(6), 2, 3, 0, 1)).toThrow(
      /dstWidth: expected a positive integer, received 0/,
    );
  });
});
