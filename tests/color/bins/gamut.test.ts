import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ZHANG_GAMUT, createCentresTensor, createGamut, findLatticeBin } from '../../../src/color/bins/gamut.js';
import { deriveGamut } from '../../../src/color/bins/derive-gamut.js';
import { ZHANG_PRIOR } from '../../../src/color/prior/prior.js';
import { InputError, ConfigError } from '../../../src/errors.js';

describe("Zhang's gamut and prior data", () => {
  it('has 313 bins of grid 10 with (0, 0) at index 120, in lexicographic (a, then b) order', () => {
    expect(ZHANG_GAMUT.size).toBe(313);
    expect(ZHANG_GAMUT.gridSize).toBe(10);
    expect(ZHANG_GAMUT.centres.length).toBe(626);
    expect(ZHANG_GAMUT.points[120]).toEqual([0, 0]);
    expect(ZHANG_GAMUT.points[0]).toEqual([-90, 50]);
    expect(ZHANG_GAMUT.points[312]).toEqual([100, 0]);
    expect(ZHANG_GAMUT.aRange).toEqual([-90, 100]);
    expect(ZHANG_GAMUT.bRange).toEqual([-110, 100]);
    for (let q = 1; q < 313; q++) {
      const [a0, b0] = ZHANG_GAMUT.points[q - 1];
      const [a1, b1] = ZHANG_GAMUT.points[q];
      expect(a1 > a0 || (a1 === a0 && b1 > b0)).toBe(true);
    }
  });

  it('ships the prior verbatim: 313 positive values, max 0.2012… at (0, 0), min 6.07e-9 at bin 303', () => {
    expect(ZHANG_PRIOR.length).toBe(313);
    expect(ZHANG_PRIOR.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(ZHANG_PRIOR[120]).toBe(0.2012340113556749);
    expect(ZHANG_PRIOR[303]).toBe(6.071444753897211e-9);
    expect(Math.max(...ZHANG_PRIOR)).toBe(ZHANG_PRIOR[120]);
    expect(Math.min(...ZHANG_PRIOR)).toBe(ZHANG_PRIOR[303]);
    expect(ZHANG_GAMUT.points[303]).toEqual([100, -90]);
  });
});

describe('lattice lookup', () => {
  it('finds the bin of the nearest lattice node in O(1), −1 off the gamut', () => {
    expect(findLatticeBin(ZHANG_GAMUT, 1.2, -3.9)).toBe(120);
    expect(findLatticeBin(ZHANG_GAMUT, -88, 52)).toBe(0);
    expect(findLatticeBin(ZHANG_GAMUT, 99, 1)).toBe(312);
    expect(findLatticeBin(ZHANG_GAMUT, -90, -110)).toBe(-1); // node outside the gamut
    expect(findLatticeBin(ZHANG_GAMUT, 500, 0)).toBe(-1); // outside the lattice
    for (let q = 0; q < 313; q++) expect(findLatticeBin(ZHANG_GAMUT, ...ZHANG_GAMUT.points[q])).toBe(q);
  });
});

describe('createGamut', () => {
  it('keeps the given order and builds the lookup', () => {
    const g = createGamut([10, 0, 0, 0, 0, 10], 10);
    expect(g.size).toBe(3);
    expect(g.points).toEqual([
      [10, 0],
      [0, 0],
      [0, 10],
    ]);
    expect(findLatticeBin(g, 9, 1)).toBe(0);
    expect(findLatticeBin(g, 10, 10)).toBe(-1);
  });

  it('rejects odd lengths, off-grid or non-finite values, repeated pairs and bad grid sizes with InputError', () => {
    expect(() => createGamut([0, 0, 10], 10)).toThrow(InputError);
    expect(() => createGamut([], 10)).toThrow(InputError);
    expect(() => createGamut([0, 5], 10)).toThrow(/multiple of gridSize 10/);
    expect(() => createGamut([0, NaN], 10)).toThrow(InputError);
    expect(() => createGamut([0, 0, 0, 0], 10)).toThrow(/distinct/);
    expect(() => createGamut([0, 0], 0)).toThrow(InputError);
  });
});

describe('createCentresTensor', () => {
  it('returns a [Q, 2] float32 tensor of the centres that the caller owns', () => {
    const before = tf.memory().numTensors;
    const t = createCentresTensor();
    expect(t.shape).toEqual([313, 2]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.dataSync().slice(240, 242))).toEqual([0, 0]);
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('deriveGamut', () => {
  it("approximates Zhang's 313 bins from the sRGB gamut at grid size 10 (reports the overlap)", () => {
    const derived = deriveGamut(10);
    const zhang = new Set(ZHANG_GAMUT.points.map(([a, b]) => `${a},${b}`));
    const common = derived.points.filter(([a, b]) => zhang.has(`${a},${b}`)).length;
    console.log(
      `deriveGamut(10): ${derived.size} bins, ${common} of Zhang's 313 in common, ${derived.size - common} not in Zhang's`,
    );
    // An approximation, not a reproduction: most bins agree, and a derived bin is rarely outside Zhang's table.
    expect(common).toBeGreaterThanOrEqual(290);
    expect(derived.size - common).toBeLessThanOrEqual(10);
    expect(findLatticeBin(derived, 0, 0)).toBeGreaterThanOrEqual(0);
  });

  it('gives bins on the requested grid, lexicographically ordered, more bins for finer grids', () => {
    const coarse = deriveGamut(20, { levels: 17 });
    const fine = deriveGamut(5, { levels: 17 });
    expect(coarse.points.every(([a, b]) => a % 20 === 0 && b % 20 === 0)).toBe(true);
    expect(fine.size).toBeGreaterThan(3 * coarse.size);
    for (let q = 1; q < coarse.size; q++) {
      const [a0, b0] = coarse.points[q - 1];
      const [a1, b1] = coarse.points[q];
      expect(a1 > a0 || (a1 === a0 && b1 > b0)).toBe(true);
    }
  });

  it('rejects out-of-range options with ConfigError', () => {
    expect(() => deriveGamut(0)).toThrow(ConfigError);
    expect(() => deriveGamut(10, { levels: 1 })).toThrow(ConfigError);
  });
});
