import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convertBytesToLab, hasSimdLabKernel, LAB_BYTES_BLOCK } from '../../../src/color/lab/lab-bytes-kernel.js';
import { maxAbsDiff } from '../../backends.js';

// References made by tests/fixtures/make_lab_fixtures.py with scikit-image 0.19.
const fixtureDir = new URL('../../fixtures/lab/', import.meta.url);
const rgbFixture = new Uint8Array(readFileSync(new URL('rgb_u8.bin', fixtureDir)));
const labBytes = readFileSync(new URL('lab_from_u8.bin', fixtureDir));
const labFixture = new Float32Array(labBytes.buffer.slice(labBytes.byteOffset, labBytes.byteOffset + labBytes.length));

/** Interleaved RGB(A) bytes → interleaved or planar Lab through the kernel, SIMD or the JavaScript twin. */
function convert(rgb: Uint8Array, channels: 3 | 4, planarOut: boolean, useSimd: boolean): Float32Array {
  const n = rgb.length / channels;
  const out = new Float32Array(3 * n);
  const plane = planarOut ? n : 1,
    step = planarOut ? 1 : 3;
  convertBytesToLab(
    rgb,
    rgb.subarray(1),
    rgb.subarray(2),
    n,
    channels,
    out,
    out.subarray(plane),
    out.subarray(2 * plane),
    step,
    useSimd,
  );
  return out;
}

/** Colours that exercise every branch: a 32-level grid of the cube (with 0 and 255), all grays, the fixtures. */
function testColours(): Uint8Array {
  const levels = Array.from({ length: 32 }, (_, i) => Math.round((i * 255) / 31));
  const colours: number[] = [];
  for (const r of levels) for (const g of levels) for (const b of levels) colours.push(r, g, b);
  for (let v = 0; v < 256; v++) colours.push(v, v, v);
  colours.push(...rgbFixture);
  colours.push(1, 2, 3); // 32768 + 256 + 2264 + 1 pixels: not a multiple of 4 nor of the block
  return Uint8Array.from(colours);
}

/** CIELAB from uint8 sRGB in float64 with Math.cbrt (IEC 61966-2-1, CIE 15:2004 §8.2.1, skimage's constants). */
function referenceLab(rgb: Uint8Array): Float64Array {
  const decode = (v: number): number => (v / 255 > 0.04045 ? ((v / 255 + 0.055) / 1.055) ** 2.4 : v / 255 / 12.92);
  const f = (t: number): number => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const out = new Float64Array(rgb.length);
  for (let p = 0; p < rgb.length; p += 3) {
    const r = decode(rgb[p]),
      g = decode(rgb[p + 1]),
      b = decode(rgb[p + 2]);
    const fx = f((0.412453 * r + 0.35758 * g + 0.180423 * b) / 0.95047);
    const fy = f(0.212671 * r + 0.71516 * g + 0.072169 * b);
    const fz = f((0.019334 * r + 0.119193 * g + 0.950227 * b) / 1.08883);
    out[p] = 116 * fy - 16;
    out[p + 1] = 500 * (fx - fy);
    out[p + 2] = 200 * (fy - fz);
  }
  return out;
}

describe('convertBytesToLab (uint8 sRGB → Lab kernel)', () => {
  it('runs the WebAssembly SIMD kernel on Node 20, so the comparisons below test both paths', () => {
    expect(hasSimdLabKernel()).toBe(true);
  });

  it('gives bit-identical Lab on the SIMD kernel and the JavaScript twin, interleaved and planar out', () => {
    const rgb = testColours();
    expect(rgb.length / 3).toBeGreaterThan(LAB_BYTES_BLOCK * 8);
    const simd = convert(rgb, 3, false, true),
      twin = convert(rgb, 3, false, false);
    expect(Buffer.from(simd.buffer).equals(Buffer.from(twin.buffer))).toBe(true);
    const simdPlanar = convert(rgb, 3, true, true),
      twinPlanar = convert(rgb, 3, true, false);
    expect(Buffer.from(simdPlanar.buffer).equals(Buffer.from(twinPlanar.buffer))).toBe(true);
    const n = rgb.length / 3;
    for (let i = 0; i < n; i += 101) {
      for (let c = 0; c < 3; c++) expect(simdPlanar[c * n + i]).toBe(simd[3 * i + c]);
    }
  });

  it('reads RGBA (alpha ignored) and planar bytes to the same Lab as RGB on both paths', () => {
    const rgb = testColours();
    const n = rgb.length / 3;
    const rgba = new Uint8Array(4 * n),
      planar = new Uint8Array(3 * n);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) {
        rgba[4 * i + c] = rgb[3 * i + c];
        planar[c * n + i] = rgb[3 * i + c];
      }
      rgba[4 * i + 3] = (7 * i) & 255;
    }
    const expected = convert(rgb, 3, false, false);
    for (const useSimd of [true, false]) {
      expect(convert(rgba, 4, false, useSimd)).toEqual(expected);
      const out = new Float32Array(3 * n);
      convertBytesToLab(
        planar,
        planar.subarray(n),
        planar.subarray(2 * n),
        n,
        1,
        out,
        out.subarray(1),
        out.subarray(2),
        3,
        useSimd,
      );
      expect(out).toEqual(expected);
    }
  });

  it('matches skimage rgb2lab within 5e-4 on the fixture colours on both paths', () => {
    expect(maxAbsDiff(convert(rgbFixture, 3, false, true), labFixture)).toBeLessThan(5e-4);
    expect(maxAbsDiff(convert(rgbFixture, 3, false, false), labFixture)).toBeLessThan(5e-4);
  });

  it('stays within 2e-4 of float64 CIELAB with an exact cube root on 33 000 colours', () => {
    const rgb = testColours();
    const lab = convert(rgb, 3, false, true),
      reference = referenceLab(rgb);
    let worst = 0;
    for (let i = 0; i < lab.length; i++) worst = Math.max(worst, Math.abs(lab[i] - reference[i]));
    expect(worst).toBeLessThan(2e-4);
  });

  it('gives L = 0, a = b = 0 for black and L = 100 for white', () => {
    const lab = convert(new Uint8Array([0, 0, 0, 255, 255, 255]), 3, false, true);
    expect(Array.from(lab.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(lab[3]).toBeCloseTo(100, 4);
  });
});
