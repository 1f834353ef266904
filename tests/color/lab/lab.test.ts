import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError, grayToLightness, labPlanesToRgb, labToRgb, rgbToLab } from '../../../src/index.js';
import { maxAbsDiff } from '../../backends.js';

// References made by tests/fixtures/make_lab_fixtures.py with scikit-image 0.19.
const fixtureDir = new URL('../../fixtures/lab/', import.meta.url);
function f32(name: string): Float32Array {
  const bytes = readFileSync(new URL(`${name}.bin`, fixtureDir));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}
function u8(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`${name}.bin`, fixtureDir)));
}

const TOLERANCE = 5e-4;

describe('rgbToLab', () => {
  it('matches skimage rgb2lab within 5e-4 on uint8 colours (cube corners, all 256 grays, 2000 random)', () => {
    const rgb = u8('rgb_u8');
    expect(rgb.length).toBe(2264 * 3);
    expect(maxAbsDiff(rgbToLab(rgb), f32('lab_from_u8'))).toBeLessThan(TOLERANCE);
  });

  it('gives the same Lab for Uint8ClampedArray as for Uint8Array', () => {
    const rgb = u8('rgb_u8');
    expect(rgbToLab(new Uint8ClampedArray(rgb))).toEqual(rgbToLab(rgb));
  });

  it('matches skimage rgb2lab within 5e-4 on float colours in [0, 1]', () => {
    expect(maxAbsDiff(rgbToLab(f32('rgb_f32')), f32('lab_from_f32'))).toBeLessThan(TOLERANCE);
  });

  it('reads RGBA and planar input and writes planar output with the same values as interleaved RGB', () => {
    const rgb = u8('rgb_u8');
    const n = rgb.length / 3;
    const rgba = new Uint8Array(4 * n),
      planar = new Uint8Array(3 * n);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) {
        rgba[4 * i + c] = rgb[3 * i + c];
        planar[c * n + i] = rgb[3 * i + c];
      }
      rgba[4 * i + 3] = i % 256;
    }
    const reference = rgbToLab(rgb);
    expect(rgbToLab(rgba, { channels: 4 })).toEqual(reference);
    const planes = rgbToLab(planar, { layout: 'planar' });
    const fromInterleavedToPlanar = rgbToLab(rgb, { outLayout: 'planar' });
    expect(fromInterleavedToPlanar).toEqual(planes);
    for (let i = 0; i < n; i += 97) {
      for (let c = 0; c < 3; c++) expect(planes[c * n + i]).toBe(reference[3 * i + c]);
    }
    expect(rgbToLab(planar, { layout: 'planar', outLayout: 'interleaved' })).toEqual(reference);
  });

  it('writes into the given out buffer and returns it', () => {
    const rgb = new Uint8Array([255, 255, 255, 0, 0, 0]);
    const out = new Float32Array(6);
    expect(rgbToLab(rgb, { out })).toBe(out);
    expect(out[0]).toBeCloseTo(100, 3);
    expect(out[3]).toBe(0);
  });

  it('throws InputError naming the argument for a bad channel count, length, out buffer or non-finite value', () => {
    expect(() => rgbToLab(new Uint8Array(6), { channels: 2 as 3 })).toThrow(
      /options.channels: expected channels 3 or 4, received channels 2/,
    );
    expect(() => rgbToLab(new Uint8Array(7))).toThrow(/rgb: expected a length that is a multiple of 3/);
    expect(() => rgbToLab(new Uint8Array(6), { out: new Float32Array(5) })).toThrow(
      /options.out: expected a buffer of length 6, received length 5/,
    );
    expect(() => rgbToLab(new Float32Array([0.1, 0.2, 0.3, 0.5, NaN, 0.5]))).toThrow(
      /rgb: expected finite values, received NaN at index 4/,
    );
    expect(() => rgbToLab(new Float32Array([Infinity, 0, 0]))).toThrow(InputError);
    expect(() => rgbToLab([1, 2, 3] as unknown as Uint8Array)).toThrow(InputError);
  });
});

describe('grayToLightness', () => {
  it('equals the L skimage gives for the gray colour, for uint8 and float input', () => {
    const lab = f32('lab_from_u8');
    const grays = new Uint8Array(256).map((_, i) => i);
    const L = grayToLightness(grays);
    const Lf = grayToLightness(new Float32Array(256).map((_, i) => i / 255));
    // Rows 8 … 263 of the fixture are the grays 0 … 255.
    const reference = new Float32Array(256).map((_, i) => lab[3 * (8 + i)]);
    expect(maxAbsDiff(L, reference)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(Lf, reference)).toBeLessThan(TOLERANCE);
  });
});

describe('labToRgb', () => {
  it('matches skimage lab2rgb within 5e-4, including Lab outside the sRGB gamut (Z < 0, RGB clipped)', () => {
    const manifest = JSON.parse(readFileSync(new URL('manifest.json', fixtureDir), 'utf8')) as {
      z_negative_count: number;
    };
    const reference = f32('rgb_from_lab');
    // The fixture must exercise both out-of-gamut rules, or this test proves nothing about them.
    expect(manifest.z_negative_count).toBeGreaterThan(50);
    expect(reference.filter((v) => v === 0).length).toBeGreaterThan(100);
    expect(reference.filter((v) => v === 1).length).toBeGreaterThan(100);
    expect(maxAbsDiff(labToRgb(f32('lab_in'), { format: 'float32' }), reference)).toBeLessThan(TOLERANCE);
  });

  it('rounds to uint8 within 1 level of 255 × skimage, and exactly for all but rounding ties', () => {
    const reference = f32('rgb_from_lab');
    const rgb = labToRgb(f32('lab_in'));
    expect(rgb).toBeInstanceOf(Uint8ClampedArray);
    let off = 0;
    for (let i = 0; i < rgb.length; i++) {
      const diff = Math.abs(rgb[i] - Math.round(reference[i] * 255));
      expect(diff).toBeLessThanOrEqual(1);
      if (diff) off++;
    }
    expect(off).toBeLessThan(rgb.length / 1000);
  });

  it('round-trips uint8 RGB → Lab → RGB to within 1 level (sample of 20000 colours)', () => {
    const rgb = new Uint8Array(60000);
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 2654435761) >>> 24;
    const back = labToRgb(rgbToLab(rgb));
    expect(maxAbsDiff(back, rgb)).toBeLessThanOrEqual(1);
  });

  it('writes RGBA with opaque alpha and planar output, and planes give the same pixels', () => {
    const lab = f32('lab_in');
    const n = lab.length / 3;
    const rgb = labToRgb(lab);
    const rgba = labToRgb(lab, { channels: 4 });
    const planarOut = labToRgb(lab, { outLayout: 'planar' });
    const L = new Float32Array(n),
      a = new Float32Array(n),
      b = new Float32Array(n);
    for (let i = 0; i < n; i++) [L[i], a[i], b[i]] = [lab[3 * i], lab[3 * i + 1], lab[3 * i + 2]];
    const planarIn = new Float32Array([...L, ...a, ...b]);
    expect(labToRgb(planarIn, { layout: 'planar', outLayout: 'interleaved' })).toEqual(rgb);
    expect(labPlanesToRgb(L, a, b)).toEqual(rgb);
    for (let i = 0; i < n; i++) {
      expect(rgba[4 * i + 3]).toBe(255);
      for (let c = 0; c < 3; c++) {
        expect(rgba[4 * i + c]).toBe(rgb[3 * i + c]);
        expect(planarOut[c * n + i]).toBe(rgb[3 * i + c]);
      }
    }
    const rgba01 = labToRgb(lab, { format: 'float32', channels: 4 });
    expect(rgba01[3]).toBe(1);
  });

  it('throws InputError for a non-finite value, a wrong out buffer type or mismatched planes', () => {
    expect(() => labToRgb(new Float32Array([50, NaN, 0]))).toThrow(/lab: expected finite values/);
    expect(() => labToRgb(new Float32Array(3), { out: new Float32Array(3) as unknown as Uint8ClampedArray })).toThrow(
      /options.out: expected a Uint8ClampedArray/,
    );
    expect(() => labToRgb(new Float32Array(4))).toThrow(/lab: expected a length that is a multiple of 3/);
    expect(() => labPlanesToRgb(new Float32Array(4), new Float32Array(4), new Float32Array(3))).toThrow(
      /b: expected length 4/,
    );
  });
});
